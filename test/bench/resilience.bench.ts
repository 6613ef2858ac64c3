/**
 * `npm run bench` (resilience part): the shared rate budget against Canvas's default bucket for one 10,000-item
 * course and for three courses on one token, on a virtual clock. One BENCH_JSON line.
 */
import { expect, it } from "vitest";
import { runRateBudgetBenchmark } from "./rate-budget-benchmark";

it(
  "the rate budget keeps Canvas from throttling while using its sustainable rate",
  { timeout: 3_600_000 },
  async () => {
    const one = await runRateBudgetBenchmark({ items: 10_000, courses: 1 });
    const three = await runRateBudgetBenchmark({ items: 10_000, courses: 3 });
    expect(one.throttled).toBe(0);
    expect(three.throttled).toBe(0);
    console.log(
      `BENCH_JSON ${JSON.stringify({ benchmark: "rate-budget", oneCourse: one, threeCourses: three })}`,
    );
  },
);
