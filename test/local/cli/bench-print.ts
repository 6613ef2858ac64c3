/**
 * Tables for the benchmark lines that are not sync scenarios (test/local/cli/bench.ts prints those): the rate budget's
 * three scenarios and the Vectorize stand-in's query times. Each line is checked with zod; a line of another shape
 * is printed as its JSON by the caller.
 */
import { z } from "zod";

const RateRunSchema = z.object({
  courses: z.number(),
  itemsPerCourse: z.number(),
  requests: z.number(),
  throttled: z.number(),
  totalCost: z.number(),
  rateUse: z.number(),
  contendedSeconds: z.number(),
  makespanMs: z.number(),
  idealMs: z.number(),
  requestsPerSecond: z.number(),
  sustainableRequestsPerSecond: z.number(),
  leakRequestsPerSecond: z.number(),
  maxInFlight: z.number(),
});

const RateBudgetLineSchema = z.object({
  benchmark: z.literal("rate-budget"),
  oneCourse: RateRunSchema,
  threeCourses: RateRunSchema,
  tenCourses: RateRunSchema,
});

const QueryTimesSchema = z.object({ meanMs: z.number(), p50Ms: z.number(), p95Ms: z.number() });

const VectorStandinLineSchema = z.object({
  benchmark: z.literal("vector-standin-query"),
  vectors: z.number(),
  queries: z.number(),
  index: QueryTimesSchema,
  exactScan: QueryTimesSchema,
  speedup: z.number(),
  candidateRecall: z.number(),
  indexRowsReadPerQuery: z.number(),
  exactRowsReadPerQuery: z.number(),
});

const pad = (value: unknown, width: number) => String(value).padStart(width);
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function printRateBudget(line: z.infer<typeof RateBudgetLineSchema>): void {
  console.log(
    "\nRate budget: first syncs through sync jobs and the CanvasGate Durable Object, one token, the simulator's " +
      "default bucket (600 / 10 units/s / 50 up front), Canvas answering in 100-500 ms\n" +
      "rate use = req/s over the sustainable rate: the ideal never-throttled client's (Canvas's admission rule and " +
      "leak, the measured latency and cost of every request, six connections per sync delivery)\n" +
      "leak = outflow / mean cost, for reference: what the leak alone would allow if requests held nothing up front\n",
  );
  console.log(
    [
      "courses".padEnd(12),
      pad("requests", 9),
      pad("throttled", 9),
      pad("units", 8),
      pad("req/s", 7),
      pad("sustain", 8),
      pad("rate use", 9),
      pad("wall s", 7),
      pad("ideal s", 8),
      pad("waited s", 9),
      pad("leak", 7),
      pad("in flight", 9),
    ].join(" "),
  );
  for (const run of [line.oneCourse, line.threeCourses, line.tenCourses]) {
    console.log(
      [
        `${run.courses} x ${run.itemsPerCourse}`.padEnd(12),
        pad(run.requests, 9),
        pad(run.throttled, 9),
        pad(Math.round(run.totalCost), 8),
        pad(run.requestsPerSecond.toFixed(1), 7),
        pad(run.sustainableRequestsPerSecond.toFixed(1), 8),
        pad(percent(run.rateUse), 9),
        pad((run.makespanMs / 1000).toFixed(0), 7),
        pad((run.idealMs / 1000).toFixed(0), 8),
        pad(Math.round(run.contendedSeconds), 9),
        pad(run.leakRequestsPerSecond.toFixed(1), 7),
        pad(run.maxInFlight, 9),
      ].join(" "),
    );
  }
}

function printVectorStandin(line: z.infer<typeof VectorStandinLineSchema>): void {
  console.log(
    `\nVectorize stand-in: ${line.queries} dedup queries (topK 100, trigram-count filter) at ` +
      `${line.vectors.toLocaleString()} vectors\n`,
  );
  for (const [label, times, rows] of [
    ["index (IVF cells)", line.index, line.indexRowsReadPerQuery],
    ["exact scan", line.exactScan, line.exactRowsReadPerQuery],
  ] as const) {
    console.log(
      `${label.padEnd(18)} mean ${pad(times.meanMs, 5)} ms  p50 ${pad(times.p50Ms, 5)} ms  ` +
        `p95 ${pad(times.p95Ms, 5)} ms  vectors read ${pad(rows, 6)}`,
    );
  }
  console.log(
    `speed-up ${line.speedup}x; the index returned ${percent(line.candidateRecall)} of the exact scan's candidates`,
  );
}

/** Prints the line as a table if it is one this module knows; false otherwise. */
export function printBenchLine(line: Record<string, unknown>): boolean {
  const rate = RateBudgetLineSchema.safeParse(line);
  if (rate.success) {
    printRateBudget(rate.data);
    return true;
  }
  const vectors = VectorStandinLineSchema.safeParse(line);
  if (vectors.success) {
    printVectorStandin(vectors.data);
    return true;
  }
  return false;
}
