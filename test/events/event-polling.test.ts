/**
 * Polling less while Live Events flow, through the whole path: a simulator edit emits a signed event, the intake
 * enqueues a targeted job that the real queue runs, and the polls that follow are scheduled by the consumer
 * (src/queue/course-outcome.ts -> src/resilience/scheduler.ts). A course with a recent event is polled every
 * SYNC_EVENT_QUIET_INTERVAL_MINUTES; once its events stop it is polled at the normal interval again; the event's
 * own job never postpones the next poll. Expected intervals come from the configuration, not from the code (the
 * normal interval after a first sync may be the busy one, half the base: it is at most the base).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { generateSigningKey } from "../local/simulator/live-event-signing";
import type { CanvasSimulator } from "../local/simulator";
import { startLiveEventDelivery, type LiveEventDelivery } from "../local/simulator/live-event-delivery";
import {
  API_TOKEN,
  CANVAS_TOKEN,
  api,
  resetStorage,
  startSimulator,
  syncNow,
  waitForJob,
} from "../support/harness";
import {
  acceptedJobId,
  routeOutboundFetch,
  waitForCourseIdle,
  webhookFetch,
} from "../support/webhook-harness";

const COURSE = 102;
const JWKS_URL = "https://keys.test/event-polling/jwks";
const MINUTE = 60_000;

let simulator: CanvasSimulator;
let delivery: LiveEventDelivery;
const config = loadConfig({ ...env, CANVAS_TOKEN, API_TOKEN });

async function nextSyncAt(): Promise<number> {
  const row = await env.DB.prepare("SELECT next_sync_at FROM courses WHERE canvas_course_id = ?1")
    .bind(COURSE)
    .first<{ next_sync_at: number }>();
  if (row === null) throw new Error("course not registered");
  return row.next_sync_at;
}

/** A poll (incremental sync through the API and the queue) and the interval it scheduled, bracketed by the clock. */
async function pollInterval(): Promise<{ min: number; max: number }> {
  const before = Date.now();
  const job = await syncNow(COURSE);
  expect(job.status).toBe("succeeded");
  const after = Date.now();
  const next = await nextSyncAt();
  return { min: next - after, max: next - before };
}

function within(bracket: { min: number; max: number }, ms: number): boolean {
  return bracket.min <= ms && ms <= bracket.max;
}

beforeAll(async () => {
  await resetStorage();
  simulator = startSimulator({ institution: { courses: [{ id: COURSE, items: 30 }] } });
  const key = await generateSigningKey("event-polling-1");
  delivery = startLiveEventDelivery({
    subscribe: (listener) => simulator.control.onEvent(listener),
    webhookUrl: "https://sync.test/webhooks/canvas",
    fetch: webhookFetch({ jwksUrl: JWKS_URL, allowUnsigned: false }),
    signingKey: key,
  });
  routeOutboundFetch(simulator, (url) => (url === JWKS_URL ? delivery.jwksResponse() : null));
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
  if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
  const initial = await syncNow(COURSE, "full");
  if (initial.status !== "succeeded") throw new Error(`initial sync ${initial.status}`);
});

describe("polling while Live Events flow", () => {
  const base = config.SYNC_BASE_INTERVAL_MINUTES * MINUTE;
  const quiet =
    Math.min(config.SYNC_EVENT_QUIET_INTERVAL_MINUTES, config.RECONCILE_INTERVAL_HOURS * 60) * MINUTE;

  it("a course without events is polled at its normal interval, shorter than the quiet one", async () => {
    expect(quiet).toBeGreaterThan(base);
    const interval = await pollInterval();
    expect(interval.max).toBeLessThanOrEqual(base);
    expect(interval.min).toBeGreaterThan(0);
  });

  it("an event's job does not move the next poll; the polls after it come every quiet interval", async () => {
    const scheduled = await nextSyncAt();
    const [page] = (await simulator.control.truth(COURSE, { hashes: false })).pages;
    if (page === undefined) throw new Error("the course has no page");
    const seen = delivery.records().length;
    simulator.control.editPage(COURSE, page.page_id, { body: "<p>Edited while events flow.</p>" });
    const [record] = (await delivery.settled()).slice(seen);
    const jobId = record === undefined ? null : acceptedJobId(record.response);
    if (jobId === null) throw new Error("the edit's event enqueued no job");
    expect((await waitForJob(jobId)).status).toBe("succeeded");
    await waitForCourseIdle(COURSE);
    expect(await nextSyncAt()).toBe(scheduled);

    expect(within(await pollInterval(), quiet)).toBe(true);
    expect(within(await pollInterval(), quiet)).toBe(true);
  });

  it("once the events stop for a quiet interval, the course falls back to the normal interval", async () => {
    // The last event is now just over one quiet interval old (the marks' acted-on time moved back).
    await env.DB.prepare("UPDATE event_marks SET at = at - ?2 WHERE course_id = ?1")
      .bind(COURSE, quiet + MINUTE)
      .run();
    const interval = await pollInterval();
    expect(interval.max).toBeLessThanOrEqual(base);
    expect(interval.min).toBeGreaterThan(0);
  });
});
