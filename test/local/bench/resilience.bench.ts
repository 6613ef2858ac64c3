/**
 * `npm run bench` (rate budget part): first syncs of 1, 3 and 10 courses sharing one token, as real sync jobs through
 * the queue consumer and the CanvasGate Durable Object, against the simulator's default bucket in real time
 * (test/local/bench/rate-budget-benchmark.ts). Each scenario spends a few times the bucket's burst, so the sustained rate
 * decides. One BENCH_JSON line with the three figures: rateUse, the share of the sustainable request rate used
 * (requests per second against the ideal never-throttled client's, see rate-budget-benchmark.ts), and what
 * limited each run (seconds callers waited at the gate).
 */
import { expect, it } from "vitest";
import { runRateBudgetBenchmark } from "./rate-budget-benchmark";

it(
  "the rate budget: 1, 3 and 10 courses on one token use >= 90% of the sustainable rate, never throttled",
  { timeout: 3_600_000 },
  async () => {
    const oneCourse = await runRateBudgetBenchmark({ items: 6_000, courses: 1 });
    const threeCourses = await runRateBudgetBenchmark({ items: 2_000, courses: 3 });
    const tenCourses = await runRateBudgetBenchmark({ items: 600, courses: 10 });
    console.log(
      `BENCH_JSON ${JSON.stringify({ benchmark: "rate-budget", oneCourse, threeCourses, tenCourses })}`,
    );
    for (const run of [oneCourse, threeCourses, tenCourses]) {
      expect(run.jobs.every((status) => status === "succeeded")).toBe(true);
      expect(run.throttled).toBe(0);
      expect(run.rateUse).toBeGreaterThanOrEqual(0.9);
    }
  },
);
