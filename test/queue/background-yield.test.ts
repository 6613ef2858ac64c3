import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { generateCorpus } from "../local/corpus/corpus";
import { planBackgroundWork } from "../../src/queue/background-yield";
import { enqueueDedup } from "../../src/queue/handle-dedup";
import { counter, waitForDedup } from "../support/dedup-harness";
import {
  api,
  apiJson,
  resetStorage,
  startSimulator,
  syncNow,
  waitForExtractions,
  waitForJob,
} from "../support/harness";

const settings = { delaySeconds: 5, maxWaitMs: 120_000 };

describe("planBackgroundWork", () => {
  it("runs at once when no sync is active", () => {
    expect(planBackgroundWork({ activeSyncs: 0, deferredSince: null, now: 1_000 }, settings)).toEqual({
      action: "run",
    });
    // A message deferred earlier runs as soon as the syncs are done.
    expect(planBackgroundWork({ activeSyncs: 0, deferredSince: 500, now: 1_000 }, settings)).toEqual({
      action: "run",
    });
  });

  it("steps aside while a sync is active, remembering when it first did", () => {
    expect(planBackgroundWork({ activeSyncs: 2, deferredSince: null, now: 1_000 }, settings)).toEqual({
      action: "defer",
      delaySeconds: 5,
      deferredSince: 1_000,
    });
    expect(planBackgroundWork({ activeSyncs: 1, deferredSince: 1_000, now: 61_000 }, settings)).toEqual({
      action: "defer",
      delaySeconds: 5,
      deferredSince: 1_000,
    });
  });

  it("never waits longer than the bound: the last deferral is cut short, then it runs whatever is syncing", () => {
    expect(planBackgroundWork({ activeSyncs: 1, deferredSince: 1_000, now: 118_500 }, settings)).toEqual({
      action: "defer",
      delaySeconds: 3,
      deferredSince: 1_000,
    });
    expect(planBackgroundWork({ activeSyncs: 5, deferredSince: 1_000, now: 121_000 }, settings)).toEqual({
      action: "run",
    });
  });
});

const BACKLOG_COURSE = 7001;
const SYNCED_COURSE = 7002;

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Mirrored texts of a course nobody has deduplicated yet: a dedup backlog of several passes. */
async function seedBacklog(courseId: number, texts: readonly string[]): Promise<void> {
  const statements = await Promise.all(
    texts.map(async (text, i) =>
      env.DB.prepare(
        `INSERT INTO items (id, course_id, type, canvas_id, content_hash, data, text_hash, text, text_status,
           first_seen_at, changed_at) VALUES (?1, ?2, 'page', ?3, 'c', '{}', ?4, ?5, 'ok', 0, 0)`,
      ).bind(`${courseId}:page:${i + 1}`, courseId, String(i + 1), await sha256(text), text),
    ),
  );
  for (let start = 0; start < statements.length; start += 100)
    await env.DB.batch(statements.slice(start, start + 100));
}

async function backlogLeft(courseId: number): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM items WHERE course_id = ?1 AND text_hash IS NOT NULL AND dedup_hash IS NULL",
  )
    .bind(courseId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Runs a sync through the API while reading the course's items over and over; wall time and read latencies. */
async function syncWhileReading(
  courseId: number,
  onQueued: () => Promise<void> = async () => {},
): Promise<{ syncMs: number; reads: number[]; requests: number }> {
  const reads: number[] = [];
  const state = { done: false };
  const reader = (async () => {
    while (!state.done) {
      const started = Date.now();
      const response = await api(`/api/courses/${courseId}/items?limit=100`);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      reads.push(Date.now() - started);
    }
  })();
  const started = Date.now();
  const { jobId } = await apiJson<{ jobId: string }>(`/api/courses/${courseId}/sync`, {
    method: "POST",
    json: { mode: "incremental" },
  });
  await onQueued();
  const job = await waitForJob(jobId);
  const syncMs = Date.now() - started;
  state.done = true;
  await reader;
  expect(job.status).toBe("succeeded");
  return { syncMs, reads, requests: job.report?.canvasRequests ?? -1 };
}

const passes = (): Promise<number> => counter("dedup_passes_total", "trigger=sync");

const worst = (values: readonly number[]): number => Math.max(0, ...values);

describe("background work yields to syncs", () => {
  it(
    "a no-change sync of one course and API reads stay fast while another course's dedup backlog runs",
    { timeout: 600_000 },
    async () => {
      await resetStorage();
      const simulator = startSimulator({
        seed: 5,
        institution: { courses: [{ id: SYNCED_COURSE, items: 150 }] },
      });
      expect(
        (await api("/api/courses", { method: "POST", json: { canvasCourseId: SYNCED_COURSE } })).status,
      ).toBe(201);
      expect((await syncNow(SYNCED_COURSE, "full")).status).toBe("succeeded");
      await waitForExtractions();
      await waitForDedup(SYNCED_COURSE, 1, 300_000);

      // Canvas answers each request after 600 ms from here on, so the no-change sync lasts seconds: long enough for
      // the other course's next pass to come due while it runs.
      simulator.control.addFault({ match: { origin: "api" }, action: { type: "latency", ms: 600 } });
      // Alone: the no-change sync and reads, with no background work at all.
      const alone = await syncWhileReading(SYNCED_COURSE);

      // The other course: about 600 texts nobody has checked, six passes of 100.
      const texts = generateCorpus({ seed: 9, bases: 110 })
        .map((item) => item.text)
        .slice(0, 600);
      await seedBacklog(BACKLOG_COURSE, texts);
      const passesBefore = await passes();
      await enqueueDedup(env.EXTRACT_QUEUE, { courseId: BACKLOG_COURSE, trigger: "sync" });
      // Start the sync just as a pass ends, when the next one is about to be picked up.
      await vi.waitUntil(async () => (await passes()) > passesBefore, { timeout: 300_000, interval: 20 });
      const deferralsBefore = await counter("background_deferrals_total", "kind=dedup");
      const leftBefore = await backlogLeft(BACKLOG_COURSE);
      expect(leftBefore).toBeGreaterThan(0);
      // Counted from the moment the sync job exists: a pass that started before that could not have seen it.
      let passesAtStart = 0;
      const contended = await syncWhileReading(SYNCED_COURSE, async () => {
        passesAtStart = await passes();
      });
      const passesDuringSync = (await passes()) - passesAtStart;

      console.log(
        `background-yield: no-change sync alone ${alone.syncMs} ms, during backlog ${contended.syncMs} ms; ` +
          `slowest read alone ${worst(alone.reads)} ms, during ${worst(contended.reads)} ms; ` +
          `passes during the sync ${passesDuringSync}; deferrals ${deferralsBefore} -> ${await counter("background_deferrals_total", "kind=dedup")}`,
      );
      // The sync made the same requests and took about as long as alone; reads stayed about as fast.
      expect(contended.requests).toBe(alone.requests);
      expect(contended.syncMs).toBeLessThanOrEqual(2 * alone.syncMs + 2_000);
      expect(worst(contended.reads)).toBeLessThanOrEqual(2 * worst(alone.reads) + 1_000);
      // The backlog stepped aside: at most the pass already running finished during the sync, and it was deferred.
      expect(passesDuringSync).toBeLessThanOrEqual(1);
      expect(await counter("background_deferrals_total", "kind=dedup")).toBeGreaterThan(deferralsBefore);

      // And the backlog still finishes once the sync is done.
      await vi.waitUntil(async () => (await backlogLeft(BACKLOG_COURSE)) === 0, {
        timeout: 300_000,
        interval: 250,
      });
      const summary = await apiJson<{ items: unknown[] }>(`/api/courses/${SYNCED_COURSE}/items?limit=1`);
      expect(summary.items).toHaveLength(1);
    },
  );
});
