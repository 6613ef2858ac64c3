/**
 * `npm run bench` (chaos part): the chaos run at benchmark size, in its own test file (its own isolate): faults on
 * 20 % of requests and consumers killed at random points, then the mirror compared with the simulator's truth.
 */
import { expect, it } from "vitest";
import { runChaosBenchmark } from "./chaos-benchmark";

it("the chaos run loses, duplicates and leaves stale nothing", { timeout: 3_600_000 }, async () => {
  const result = await runChaosBenchmark();
  expect(result.totals.lost).toBe(0);
  expect(result.totals.duplicated).toBe(0);
  expect(result.totals.stale).toBe(0);
  console.log(
    `BENCH_JSON ${JSON.stringify({ benchmark: "chaos", courses: result.courses, itemsPerCourse: result.itemsPerCourse, seeds: result.seeds, ...result.totals })}`,
  );
});
