/**
 * `npm run bench` (resilience part): the shared rate budget against Canvas's default bucket for one 10,000-item
 * course and for three courses on one token (paced vs an unpaced control), and the chaos run at benchmark size.
 * One BENCH_JSON line each.
 */
import { expect, it } from "vitest";
import { runChaosBenchmark } from "./chaos-benchmark";
import { runRateBudgetBenchmark } from "./rate-budget-benchmark";

it(
  "the rate budget keeps Canvas from throttling while using its sustainable rate",
  { timeout: 3_600_000 },
  async () => {
    const one = await runRateBudgetBenchmark({ items: 10_000, courses: 1 });
    const three = await runRateBudgetBenchmark({ items: 10_000, courses: 3 });
    const unpaced = await runRateBudgetBenchmark({ items: 2_000, courses: 3, pacing: false });
    expect(one.throttled).toBe(0);
    expect(three.throttled).toBe(0);
    console.log(
      `BENCH_JSON ${JSON.stringify({ benchmark: "rate-budget", oneCourse: one, threeCourses: three, unpacedControl: unpaced })}`,
    );
  },
);

it("the chaos run loses, duplicates and leaves stale nothing", { timeout: 3_600_000 }, async () => {
  const result = await runChaosBenchmark();
  expect(result.totals.lost).toBe(0);
  expect(result.totals.duplicated).toBe(0);
  expect(result.totals.stale).toBe(0);
  console.log(
    `BENCH_JSON ${JSON.stringify({ benchmark: "chaos", courses: result.courses, itemsPerCourse: result.itemsPerCourse, seeds: result.seeds, ...result.totals })}`,
  );
});
