/**
 * Both circuit breakers end to end through the consumer and the simulator. A course whose syncs keep failing opens
 * its breaker (shown by GET /api/courses/:id), its deliveries back off without touching Canvas, and after 300 s the
 * alarm lets one trial through. When Canvas itself fails jobs of five courses in a row, the host breaker opens and
 * every course backs off without counting a failure of its own, until a trial job finds Canvas healthy again.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { healthGateName } from "../../src/durable/canvas-gate";
import type { CanvasSimulator } from "../local/simulator";
import { apiJson, resetStorage, startSimulator } from "../support/harness";
import {
  courseRow,
  deliver,
  jobRow,
  newJobs,
  registerCourses,
  syncEnv,
  testQueues,
  type TestQueues,
} from "../support/sync-harness";

interface CourseDetail {
  breaker: { status: string; failures: number; openUntil: string | null };
}

/** Runs the Durable Object's alarm as if `ms` had passed, then returns to real time. */
async function alarmAfter(stub: DurableObjectStub, ms: number): Promise<void> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
  try {
    expect(await runDurableObjectAlarm(stub)).toBe(true);
  } finally {
    vi.useRealTimers();
  }
}

describe("the course circuit breaker", () => {
  const COURSE = 601;
  let simulator: CanvasSimulator;
  let queues: TestQueues;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({ seed: 21, institution: { courses: [{ id: COURSE, items: 10 }] } });
    queues = testQueues();
    await registerCourses([COURSE]);
  });

  it("opens after five failed syncs, defers without calling Canvas, and one trial after 300 s closes it", async () => {
    simulator.control.addFault({
      match: { pathRegex: `^/api/v1/courses/${COURSE}$` },
      action: { type: "status", status: 503 },
    });
    const [message] = await newJobs(queues, [COURSE]);
    if (!message) throw new Error("no job");
    const workerEnv = syncEnv(queues);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const [result] = await deliver(workerEnv, [{ id: "m", body: message, attempts: attempt }]);
      expect(result?.action).toBe("retry");
    }
    const detail = await apiJson<CourseDetail>(`/api/courses/${COURSE}`);
    expect(detail.breaker.status).toBe("open");
    expect(detail.breaker.failures).toBe(5);
    const openUntil = Date.parse(detail.breaker.openUntil ?? "");
    expect(openUntil - Date.now()).toBeGreaterThan(290_000);
    expect(openUntil - Date.now()).toBeLessThanOrEqual(300_000);
    expect((await courseRow(COURSE))?.breaker_open_until).toBe(openUntil);
    // One course failing again and again is the course's problem, not Canvas's: the host stays closed.
    const host = await env.CANVAS_GATE.getByName(healthGateName("canvas.test")).hostStatus();
    expect(host).toEqual({ status: "closed", consecutiveFailures: 1 });

    const requests = simulator.control.counters().total.requests;
    const [deferred] = await deliver(workerEnv, [{ id: "m", body: message, attempts: 6 }]);
    expect(deferred?.action).toBe("retry");
    expect(deferred?.action === "retry" ? deferred.delaySeconds : 0).toBeGreaterThan(290);
    expect(simulator.control.counters().total.requests).toBe(requests);

    await alarmAfter(env.COURSE_SYNC.getByName(String(COURSE)), 300_000);
    expect((await apiJson<CourseDetail>(`/api/courses/${COURSE}`)).breaker.status).toBe("half_open");
    simulator.control.clearFaults();
    expect(await deliver(workerEnv, [{ id: "m", body: message, attempts: 7 }])).toEqual([
      { id: "m", action: "ack" },
    ]);
    expect(await jobRow(message.jobId)).toMatchObject({ status: "succeeded" });
    expect((await apiJson<CourseDetail>(`/api/courses/${COURSE}`)).breaker).toEqual({
      status: "closed",
      failures: 0,
      openUntil: null,
    });
  });
});

describe("the host circuit breaker", () => {
  const COURSES = [611, 612, 613, 614, 615, 616] as const;
  let simulator: CanvasSimulator;
  let queues: TestQueues;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 22,
      institution: { courses: COURSES.map((id) => ({ id, items: 6 })) },
    });
    queues = testQueues();
    await registerCourses(COURSES);
  });

  it("opens when Canvas fails five courses' jobs in a row; others back off without a failure of their own", async () => {
    simulator.control.addFault({
      match: { pathRegex: "^/api/v1/courses/\\d+$" },
      action: { type: "status", status: 502 },
    });
    const messages = await newJobs(queues, COURSES);
    const workerEnv = syncEnv(queues);
    for (const message of messages.slice(0, 5)) {
      const [result] = await deliver(workerEnv, [{ id: message.jobId, body: message, attempts: 1 }]);
      expect(result?.action).toBe("retry");
    }
    const health = env.CANVAS_GATE.getByName(healthGateName("canvas.test"));
    expect(await health.hostStatus()).toMatchObject({ status: "open", consecutiveFailures: 5 });

    const sixth = messages[5];
    if (!sixth) throw new Error("no sixth job");
    const requests = simulator.control.counters().total.requests;
    const [deferred] = await deliver(workerEnv, [{ id: "six", body: sixth, attempts: 1 }]);
    expect(deferred?.action === "retry" ? deferred.delaySeconds : 0).toBeGreaterThan(290);
    expect(simulator.control.counters().total.requests).toBe(requests);
    expect(await courseRow(COURSES[5])).toMatchObject({ consecutive_failures: 0 });
    expect((await env.COURSE_SYNC.getByName(String(COURSES[5])).status()).breaker.consecutiveFailures).toBe(
      0,
    );

    // After the cool-down one trial job may talk to Canvas; a second one at the same time waits about a minute.
    await alarmAfter(health, 300_000);
    simulator.control.clearFaults();
    const first = messages[0];
    if (!first) throw new Error("no first job");
    // Two invocations at once (Queues delivers one sync message per invocation).
    const results = (
      await Promise.all([
        deliver(workerEnv, [{ id: "six", body: sixth, attempts: 2 }]),
        deliver(workerEnv, [{ id: "one", body: first, attempts: 2 }]),
      ])
    ).flat();
    const actions = results.map((result) => result.action).sort();
    expect(actions).toEqual(["ack", "retry"]);
    const waited = results.find((result) => result.action === "retry");
    expect(waited?.action === "retry" ? waited.delaySeconds : 0).toBeLessThanOrEqual(60);
    expect(await health.hostStatus()).toEqual({ status: "closed", consecutiveFailures: 0 });
  });
});
