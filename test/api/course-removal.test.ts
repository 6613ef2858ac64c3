/**
 * DELETE /api/courses/:id end to end in workerd: the course stops syncing (its queued job is cancelled and its
 * message changes nothing, the cron never enqueues it again, a running job ends at its next progress report without
 * bringing the course back), its mirror stays without purge and goes with `purge=true` (items, change log, vectors;
 * bytes only other courses do not share are orphaned and deleted by the blob GC after the grace period), unknown
 * courses answer 404, and registering it again works.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { tokenFingerprint } from "../../src/canvas/token-fingerprint";
import type { CanvasSimulator } from "../local/simulator";
import { collectGarbageBlobs } from "../../src/storage/blob-gc";
import { api, apiJson, CANVAS_TOKEN, resetStorage, startSimulator, syncNow } from "../support/harness";
import { courseRow, deliver, jobRow, newJobs, syncEnv, testQueues } from "../support/sync-harness";
import { openDatabase } from "../../src/storage/d1/client";

const A = 501;
const B = 502;

async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function register(courseId: number): Promise<number> {
  return (await api("/api/courses", { method: "POST", json: { canvasCourseId: courseId } })).status;
}

interface Removed {
  removed: boolean;
  cancelledJobs: number;
  runningJobStops: boolean;
  purged: { items: number; changes: number; vectors: number; blobsOrphaned: number } | null;
}

describe("DELETE /api/courses/:canvasCourseId", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 11,
      institution: {
        courses: [
          { id: A, items: 30 },
          { id: B, items: 30 },
        ],
      },
    });
    for (const id of [A, B]) {
      if ((await register(id)) !== 201) throw new Error(`registering ${id} failed`);
      const job = await syncNow(id, "full");
      if (job.status !== "succeeded") throw new Error(`the first sync of ${id} failed: ${job.error ?? ""}`);
    }
  });

  it("answers 404 for a course that is not registered, and 400 for a bad purge value", async () => {
    const missing = await api("/api/courses/999999", { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe("not_found");
    expect((await api(`/api/courses/${A}?purge=yes`, { method: "DELETE" })).status).toBe(400);
    expect(await courseRow(A)).not.toBeNull();
  });

  it("stops the course's syncs and keeps its mirror without purge", async () => {
    const queues = testQueues();
    const [queued] = await newJobs(queues, [A]);
    if (!queued) throw new Error("no job");
    const itemsBefore = await count("SELECT count(*) AS n FROM items WHERE course_id = ?1", A);
    expect(itemsBefore).toBeGreaterThan(0);

    const removed = await apiJson<Removed>(`/api/courses/${A}`, { method: "DELETE" });
    expect(removed).toMatchObject({ removed: true, cancelledJobs: 1, runningJobStops: false, purged: null });
    expect(await courseRow(A)).toBeNull();
    expect((await api(`/api/courses/${A}`)).status).toBe(404);
    expect(await jobRow(queued.jobId)).toMatchObject({ status: "failed", error_category: "cancelled" });

    // The queued message arrives anyway: nothing is asked of Canvas and nothing is written.
    const requests = simulator.control.counters().total.requests;
    expect(await deliver(syncEnv(queues), [{ id: "m", body: queued, attempts: 1 }])).toEqual([
      { id: "m", action: "ack" },
    ]);
    expect(simulator.control.counters().total.requests).toBe(requests);
    expect(await courseRow(A)).toBeNull();

    // The cron, even a day later, enqueues only the course still registered.
    const cron = await runScheduled({
      db: openDatabase(env.DB),
      queue: queues.sync,
      now: Date.now() + 86_400_000,
      tokenFingerprint: await tokenFingerprint(CANVAS_TOKEN),
      stuckJobMs: 1_800_000,
    });
    expect(cron.enqueued).toBe(1);
    expect(queues.sync.take()).toEqual([expect.objectContaining({ courseId: B })]);
    expect(await count("SELECT count(*) AS n FROM items WHERE course_id = ?1", A)).toBe(itemsBefore);
    // A cancelled job is no failure of the service.
    const health = await (await api("/health")).json<{ checks: { name: string; value: number }[] }>();
    expect(health.checks.find((check) => check.name === "recent_error_rate")?.value).toBe(0);

    // Registered again, it syncs like any other course.
    expect(await register(A)).toBe(201);
    expect((await syncNow(A)).status).toBe("succeeded");
  });

  it("purges the items, change log and vectors, and the blob GC deletes only bytes no other course uses", async () => {
    const blobsOfA = await env.DB.prepare(
      `SELECT DISTINCT b.sha256, b.r2_key, EXISTS (SELECT 1 FROM items i WHERE i.blob_sha256 = b.sha256
         AND i.course_id != ?1 AND i.deleted_at IS NULL) AS shared
       FROM blobs b JOIN items i ON i.blob_sha256 = b.sha256 WHERE i.course_id = ?1`,
    )
      .bind(A)
      .all<{ sha256: string; r2_key: string; shared: number }>();
    const own = blobsOfA.results.filter((blob) => blob.shared === 0);
    expect(own.length).toBeGreaterThan(0);

    const removed = await apiJson<Removed>(`/api/courses/${A}?purge=true`, { method: "DELETE" });
    expect(removed.purged?.items).toBeGreaterThan(0);
    expect(removed.purged?.changes).toBeGreaterThan(0);
    expect(removed.purged?.blobsOrphaned).toBe(own.length);
    for (const table of ["items", "item_changes", "collection_cursors"]) {
      expect({ table, n: await count(`SELECT count(*) AS n FROM ${table} WHERE course_id = ?1`, A) }).toEqual(
        {
          table,
          n: 0,
        },
      );
    }
    expect(await count("SELECT count(*) AS n FROM duplicates WHERE course_a = ?1 OR course_b = ?1", A)).toBe(
      0,
    );
    expect(await count("SELECT count(*) AS n FROM items WHERE course_id = ?1", B)).toBeGreaterThan(0);

    // After the grace period the GC deletes the bytes only A had; everything B references stays readable.
    await collectGarbageBlobs(openDatabase(env.DB), env.BLOBS, Date.now() + 25 * 3_600_000, 24 * 3_600_000);
    for (const blob of blobsOfA.results) {
      const object = await env.BLOBS.head(blob.r2_key);
      expect({ blob: blob.sha256, kept: object !== null }).toEqual({
        blob: blob.sha256,
        kept: blob.shared === 1,
      });
    }
    const files = await apiJson<{ items: { canvasId: string }[] }>(
      `/api/courses/${B}/items?type=file&limit=500`,
    );
    for (const file of files.items) {
      expect((await api(`/api/courses/${B}/files/${file.canvasId}/content`)).status).toBe(200);
    }
  });

  it("ends a running job at its next progress report, without bringing the course back, and purges its writes", async () => {
    const queues = testQueues();
    const [job] = await newJobs(queues, [A], "full");
    if (!job) throw new Error("no job");
    const removals: Removed[] = [];
    // The first page listing of the job triggers the removal, as an operator's click would mid-sync.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (removals.length === 0 && new URL(request.url).pathname.endsWith(`/courses/${A}/pages`)) {
        removals.push(await apiJson<Removed>(`/api/courses/${A}?purge=true`, { method: "DELETE" }));
      }
      return simulator.fetch(request);
    });
    expect(await deliver(syncEnv(queues), [{ id: "r", body: job, attempts: 1 }])).toEqual([
      { id: "r", action: "ack" },
    ]);
    expect(removals).toEqual([expect.objectContaining({ removed: true, runningJobStops: true })]);
    expect(await jobRow(job.jobId)).toMatchObject({ status: "failed", error_category: "cancelled" });
    expect(await courseRow(A)).toBeNull();
    expect(await count("SELECT count(*) AS n FROM items WHERE course_id = ?1", A)).toBe(0);
    expect((await env.COURSE_SYNC.getByName(String(A)).status()).lease).toBeNull();
  });
});
