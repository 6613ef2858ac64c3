/**
 * `npm run bench` (chaos part): the chaos run at benchmark size over ten seeds, in its own test file (its own
 * isolate): faults on 20 % of requests, consumers killed at random points, binding errors and duplicate deliveries,
 * then the mirror compared with the simulator's truth. Every seed's counts and the differences it found are printed
 * before anything is asserted, so a failing seed shows what differed.
 */
import { expect, it } from "vitest";
import { runChaosBenchmark } from "./chaos-benchmark";

it(
  "the chaos run loses, duplicates, leaves stale and wrongly deletes nothing over ten seeds",
  { timeout: 7_200_000 },
  async () => {
    const result = await runChaosBenchmark({}, (seed) => {
      console.log(`BENCH_JSON ${JSON.stringify({ benchmark: "chaos-seed", ...seed })}`);
    });
    console.log(
      `BENCH_JSON ${JSON.stringify({ benchmark: "chaos", courses: result.courses, itemsPerCourse: result.itemsPerCourse, seeds: result.seeds, ...result.totals })}`,
    );
    expect(
      result.perSeed.filter((seed) => seed.samples.length > 0).map((seed) => [seed.seed, seed.samples]),
    ).toEqual([]);
    expect({
      lost: result.totals.lost,
      duplicated: result.totals.duplicated,
      stale: result.totals.stale,
      wronglyDeleted: result.totals.wronglyDeleted,
      unaccountedJobs: result.totals.unaccountedJobs,
    }).toEqual({ lost: 0, duplicated: 0, stale: 0, wronglyDeleted: 0, unaccountedJobs: 0 });
  },
);
