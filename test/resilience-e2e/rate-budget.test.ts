/**
 * The shared rate budget against the simulator's default bucket (hwm 600, outflow 10 units/s, 50 units up front per
 * request in flight). Each real-time scenario is run twice: paced by the CanvasGate (zero throttled answers) and
 * unpaced as the control (throttled), which shows the scenario really pushes Canvas's bucket. The 10,000-object
 * measurement runs test/bench/rate-budget-benchmark.ts on a virtual clock.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { SyncRuntime } from "../../src/queue/sync-runtime";
import type { CanvasSimulator } from "../../src/simulator";
import { runRateBudgetBenchmark } from "../bench/rate-budget-benchmark";
import { CANVAS_ORIGIN, resetStorage, startSimulator } from "../helpers/harness";
import {
  deliver,
  FAST_RUNTIME,
  jobRow,
  newJobs,
  registerCourses,
  syncEnv,
  testQueues,
} from "./support/sync-harness";

const COURSES = [901, 902, 903] as const;

/** Spends the token's bucket the way another integration might, until about `remaining` units are left. */
async function drainBucket(simulator: CanvasSimulator, token: string, remaining: number): Promise<number> {
  for (let i = 0; i < 2_000; i++) {
    const response = await simulator.fetch(`${CANVAS_ORIGIN}/api/v1/courses/${COURSES[0]}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.body?.cancel();
    const left = Number.parseFloat(response.headers.get("x-rate-limit-remaining") ?? "600");
    if (left <= remaining) return left;
  }
  throw new Error("the bucket did not fill");
}

/**
 * Syncs the courses at once (one invocation per message, as Queues delivers them with max_batch_size 1) with a token
 * of the test's own; returns job statuses.
 */
async function syncAll(token: string, courses: readonly number[], runtime: SyncRuntime): Promise<string[]> {
  const queues = testQueues();
  const messages = await newJobs(queues, courses);
  const workerEnv = syncEnv(queues, { CANVAS_TOKEN: token });
  await Promise.all(
    messages.map((message) =>
      deliver(workerEnv, [{ id: message.jobId, body: message, attempts: 1 }], runtime),
    ),
  );
  const statuses = [];
  for (const message of messages) statuses.push((await jobRow(message.jobId))?.status ?? "missing");
  return statuses;
}

describe("the shared rate budget in real time", () => {
  let simulator: CanvasSimulator;
  const tokens = ["budget-token-paced-0001", "budget-token-unpaced-002"];

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 41,
      tokens,
      institution: { courses: COURSES.map((id) => ({ id, items: 30 })) },
    });
    await registerCourses(COURSES);
  });

  /** A course on a token whose bucket another client has nearly spent; Canvas answers in 30 ms. */
  async function nearlySpent(
    pacing: boolean,
    token: string,
  ): Promise<{ statuses: string[]; throttled: number }> {
    expect(await drainBucket(simulator, token, 130)).toBeLessThanOrEqual(130);
    simulator.control.resetCounters();
    simulator.control.addFault({ match: { origin: "api" }, action: { type: "latency", ms: 30 } });
    const statuses = await syncAll(token, [COURSES[0]], { ...FAST_RUNTIME, pacing });
    return { statuses, throttled: simulator.control.counters().total.throttled };
  }

  /** Three courses at once on one token; Canvas answers in 40 ms, so their requests really are in flight together. */
  async function threeAtOnce(
    pacing: boolean,
    token: string,
  ): Promise<{ statuses: string[]; throttled: number }> {
    simulator.control.addFault({ match: { origin: "api" }, action: { type: "latency", ms: 40 } });
    const statuses = await syncAll(token, COURSES, { ...FAST_RUNTIME, pacing });
    return { statuses, throttled: simulator.control.counters().total.throttled };
  }

  it("one course on a nearly spent bucket, paced: never throttled", async () => {
    expect(await nearlySpent(true, tokens[0] ?? "")).toEqual({ statuses: ["succeeded"], throttled: 0 });
  });

  it("one course on a nearly spent bucket, unpaced (the control): throttled", async () => {
    expect((await nearlySpent(false, tokens[1] ?? "")).throttled).toBeGreaterThan(0);
  });

  it("three courses at once on one token, paced: never throttled", async () => {
    expect(await threeAtOnce(true, tokens[0] ?? "")).toEqual({
      statuses: ["succeeded", "succeeded", "succeeded"],
      throttled: 0,
    });
  });

  it("three courses at once on one token, unpaced (the control): throttled", async () => {
    expect((await threeAtOnce(false, tokens[1] ?? "")).throttled).toBeGreaterThan(0);
  });
});

describe("the rate-budget benchmark (virtual clock, Canvas holding 50 units per request in flight)", () => {
  it("a 10,000-object first sync is never throttled and runs at >= 90% of the ideal", async () => {
    const paced = await runRateBudgetBenchmark({ items: 10_000 });
    console.log(`[rate budget] 1 x 10,000 paced ${JSON.stringify(paced)}`);
    expect(paced.throttled).toBe(0);
    // The bucket, not latency, was the limit for most of the run, or the efficiency would say nothing.
    expect(paced.totalCost).toBeGreaterThan(3_000);
    expect(paced.efficiency).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it("three courses on one token: the unpaced control is throttled, the paced run is not", async () => {
    const naive = await runRateBudgetBenchmark({ items: 1_000, courses: 3, pacing: false });
    console.log(`[rate budget] 3 x 1,000 unpaced ${JSON.stringify(naive)}`);
    expect(naive.throttled).toBeGreaterThan(0);
    const paced = await runRateBudgetBenchmark({ items: 1_000, courses: 3 });
    console.log(`[rate budget] 3 x 1,000 paced ${JSON.stringify(paced)}`);
    expect(paced.throttled).toBe(0);
  }, 120_000);
});
