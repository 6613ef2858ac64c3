/**
 * A 401 with WWW-Authenticate means the token itself is dead (invalid, expired or revoked). One job hitting it
 * stops every course that uses the token, raises one token-free alert (log and webhook), and nothing on that token
 * runs again, not even queued messages, until the configured token changes and the cron lifts the stop.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { tokenFingerprint } from "../../src/canvas/token-fingerprint";
import type { CanvasSimulator } from "../local/simulator";
import { CANVAS_TOKEN, resetStorage, startSimulator } from "../support/harness";
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
import { openDatabase } from "../../src/storage/d1/client";

const COURSES = [401, 402] as const;
const HOOK = "https://alerts.test/hook";

describe.each(["expired", "revoked", "invalid"] as const)("a %s token", (state) => {
  let simulator: CanvasSimulator;
  let queues: TestQueues;
  let alerts: string[];

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 5,
      institution: { courses: COURSES.map((id) => ({ id, items: 12 })) },
    });
    alerts = [];
    // Webhook posts are captured; everything else goes to the simulator.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url === HOOK) {
        alerts.push(await request.text());
        return new Response(null, { status: 204 });
      }
      return simulator.fetch(request);
    });
    queues = testQueues();
    await registerCourses(COURSES);
  });

  it("stops every course on the token, alerts once without the token, and waits for a new token", async () => {
    simulator.control.setTokenState(CANVAS_TOKEN, state);
    const workerEnv = syncEnv(queues, { ALERT_WEBHOOK_URL: HOOK });
    const [first, second] = await newJobs(queues, COURSES);
    if (!first || !second) throw new Error("no jobs");

    expect(await deliver(workerEnv, [{ id: "a", body: first, attempts: 1 }])).toEqual([
      { id: "a", action: "ack" },
    ]);
    expect(await jobRow(first.jobId)).toMatchObject({ status: "failed", error_category: "auth" });
    const fingerprint = await tokenFingerprint(CANVAS_TOKEN);
    for (const id of COURSES) {
      expect(await courseRow(id)).toMatchObject({ state: "auth_failed", auth_failed_token: fingerprint });
    }
    expect(alerts).toHaveLength(1);
    const alert: unknown = JSON.parse(alerts[0] ?? "{}");
    expect(alert).toMatchObject({ kind: "canvas_token_dead", details: { tokenState: state } });
    expect(alerts[0]).not.toContain(CANVAS_TOKEN);
    // The breaker is not blamed: the course is fine, the token is not.
    const breaker = (await env.COURSE_SYNC.getByName(String(COURSES[0])).status()).breaker;
    expect(breaker.consecutiveFailures).toBe(0);

    // The other course's queued message fails without a single request to Canvas, and without a second alert.
    const requests = simulator.control.counters().total.requests;
    expect(await deliver(workerEnv, [{ id: "b", body: second, attempts: 1 }])).toEqual([
      { id: "b", action: "ack" },
    ]);
    expect(await jobRow(second.jobId)).toMatchObject({ status: "failed", error_category: "auth" });
    expect(simulator.control.counters().total.requests).toBe(requests);
    expect(alerts).toHaveLength(1);

    // The cron leaves the stop in place while the same token is configured...
    const later = Date.now() + 86_400_000;
    const same = await runScheduled({
      db: openDatabase(env.DB),
      queue: queues.sync,
      now: later,
      tokenFingerprint: fingerprint,
      stuckJobMs: 1_800_000,
    });
    expect(same.enqueued).toBe(0);
    expect(await courseRow(COURSES[0])).toMatchObject({ state: "auth_failed" });

    // ...and lifts it, enqueuing both courses, once the configured token is a different one.
    const replaced = await runScheduled({
      db: openDatabase(env.DB),
      queue: queues.sync,
      now: later,
      tokenFingerprint: await tokenFingerprint("a-fresh-canvas-token"),
      stuckJobMs: 1_800_000,
    });
    expect(replaced.enqueued).toBe(2);
    for (const id of COURSES) expect((await courseRow(id))?.auth_failed_token).toBeNull();
  });
});
