/**
 * Canvas has answered throttled requests with 429 instead of 403 since 2025-10-08 (canvas-2026.md). With the
 * simulator's leaky bucket in 429 mode and a bucket small enough that concurrent requests overflow it, an unpaced
 * sync is throttled for real (429 with Retry-After, never a 403), waits, retries and mirrors the course exactly.
 * The in-process waits advance the simulator's clock, so the bucket drains as it would in real time.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/resilience/backoff";
import type { CanvasSimulator } from "../local/simulator";
import { apiJson, resetStorage, startSimulator } from "../support/harness";
import { deliver, jobRow, newJobs, registerCourses, syncEnv, testQueues } from "../support/sync-harness";

const COURSE = 171;

describe("throttling answered 429", () => {
  let simulator: CanvasSimulator;
  let clock = Date.now();
  const waits: number[] = [];

  beforeEach(async () => {
    await resetStorage();
    clock = Date.now();
    waits.length = 0;
    simulator = startSimulator({
      seed: 17,
      now: () => clock,
      institution: { courses: [{ id: COURSE, items: 40, newQuizzes: 2 }] },
      // Two requests in flight fill it (50 up front each): the pipeline's concurrent page fetches overflow it.
      throttle: { mode: "429", hwm: 100, upFront: 50, outflow: 10 },
    });
    await registerCourses([COURSE]);
  });

  it("is retried after Retry-After and the course is mirrored exactly", async () => {
    const queues = testQueues();
    const [message] = await newJobs(queues, [COURSE]);
    if (!message) throw new Error("no job");
    const runtime = {
      pacing: false,
      random: seededRandom(3),
      sleep: (ms: number) => {
        waits.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    };
    for (let attempts = 1; attempts <= 4; attempts++) {
      const [result] = await deliver(syncEnv(queues), [{ id: "m", body: message, attempts }], runtime);
      if (result?.action === "ack") break;
    }
    expect((await jobRow(message.jobId))?.status).toBe("succeeded");

    const counters = simulator.control.counters();
    const statuses = new Set(Object.values(counters.byEndpoint).flatMap((c) => Object.keys(c.statuses)));
    expect(counters.total.throttled).toBeGreaterThan(0);
    expect(statuses.has("429")).toBe(true);
    expect(statuses.has("403")).toBe(false);
    // Every wait honoured Retry-After (at least one second).
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);

    const truth = await simulator.control.truth(COURSE, { hashes: false });
    for (const [type, expected] of [
      ["page", truth.pages.map((page) => String(page.page_id))],
      ["assignment", truth.assignments.map((assignment) => String(assignment.id))],
      ["new_quiz", truth.new_quizzes.map((quiz) => String(quiz.id))],
    ] as const) {
      const page = await apiJson<{ items: { canvasId: string }[] }>(
        `/api/courses/${COURSE}/items?type=${type}&limit=500`,
      );
      expect({ type, ids: page.items.map((item) => item.canvasId).sort() }).toEqual({
        type,
        ids: [...expected].sort(),
      });
    }
  });
});
