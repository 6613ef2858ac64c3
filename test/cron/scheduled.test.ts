/**
 * The cron fan-out against real D1 rows and the real CourseSync breaker mirror: due courses are enqueued, courses
 * that are busy, not due, on a dead token or behind an open breaker are not; an open breaker's course is enqueued
 * again once its cool-down is over; a job whose consumer vanished is released as stuck and its course enqueued.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { tokenFingerprint } from "../../src/canvas/token-fingerprint";
import { SyncMessageSchema } from "../../src/queue/message";
import { CANVAS_TOKEN, resetStorage } from "../support/harness";
import { CapturingQueue, jobRow, registerCourses } from "../support/sync-harness";
import { openDatabase } from "../../src/storage/d1/client";

const STUCK_MS = 30 * 60_000;

async function setCourse(
  id: number,
  fields: { state?: string; next_sync_at?: number; auth_failed_token?: string },
): Promise<void> {
  await env.DB.prepare(
    `UPDATE courses SET state = COALESCE(?2, state), next_sync_at = COALESCE(?3, next_sync_at),
       auth_failed_token = COALESCE(?4, auth_failed_token) WHERE canvas_course_id = ?1`,
  )
    .bind(id, fields.state ?? null, fields.next_sync_at ?? null, fields.auth_failed_token ?? null)
    .run();
}

function enqueuedCourses(queue: CapturingQueue): number[] {
  return queue
    .take()
    .map((body) => SyncMessageSchema.parse(body).courseId)
    .sort((a, b) => a - b);
}

describe("runScheduled", () => {
  let now: number;
  let queue: CapturingQueue;
  let fingerprint: string;

  beforeEach(async () => {
    await resetStorage();
    now = Date.now();
    queue = new CapturingQueue();
    fingerprint = await tokenFingerprint(CANVAS_TOKEN);
  });

  it("enqueues only courses that are due, idle or failing, on a live token and with a closed breaker", async () => {
    await registerCourses([701, 702, 703, 704, 705, 706, 707], now - 1_000);
    await setCourse(702, { next_sync_at: now + 60_000 });
    await setCourse(703, { state: "syncing" });
    await setCourse(704, { state: "queued" });
    // Busy courses have a live job (without one the cron would rightly release them as stuck).
    for (const [id, status] of [
      [703, "running"],
      [704, "queued"],
    ] as const) {
      await env.DB.prepare(
        "INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at, started_at) VALUES (?1, ?2, 'incremental', 'api', ?3, ?4, ?4)",
      )
        .bind(`live-${id}`, id, status, now)
        .run();
    }
    await setCourse(705, { state: "auth_failed", auth_failed_token: fingerprint });
    await setCourse(706, { state: "failing" });
    // 707's breaker is opened by its Durable Object, which mirrors the open-until time into D1.
    for (let i = 0; i < 5; i++) await env.COURSE_SYNC.getByName("707").recordOutcome("failure");

    const result = await runScheduled({
      db: openDatabase(env.DB),
      queue,
      now,
      tokenFingerprint: fingerprint,
      stuckJobMs: STUCK_MS,
    });
    expect(result.enqueued).toBe(2);
    expect(enqueuedCourses(queue)).toEqual([701, 706]);

    // After the cool-down (300 s) the breaker's course is due again.
    const later = await runScheduled({
      db: openDatabase(env.DB),
      queue,
      now: now + 301_000,
      tokenFingerprint: fingerprint,
      stuckJobMs: STUCK_MS,
    });
    expect(enqueuedCourses(queue)).toContain(707);
    expect(later.enqueued).toBeGreaterThanOrEqual(1);
  });

  it("releases a job whose consumer vanished and enqueues its course again", async () => {
    await registerCourses([711], now - 1_000);
    await setCourse(711, { state: "syncing" });
    await env.DB.prepare(
      "INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at, started_at) VALUES ('stuck-job', 711, 'incremental', 'cron', 'running', ?1, ?1)",
    )
      .bind(now - STUCK_MS - 60_000)
      .run();
    const result = await runScheduled({
      db: openDatabase(env.DB),
      queue,
      now,
      tokenFingerprint: fingerprint,
      stuckJobMs: STUCK_MS,
    });
    expect(await jobRow("stuck-job")).toMatchObject({ status: "failed", error_category: "unknown" });
    expect(result.enqueued).toBe(1);
    expect(enqueuedCourses(queue)).toEqual([711]);
  });
});
