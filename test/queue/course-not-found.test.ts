/**
 * A course Canvas says does not exist (a mistyped id that was registered, or a course deleted in Canvas): its sync
 * fails as `not_found`, the course is marked `not_found` with the reason (API and health say so), the service's
 * health counts neither its failure nor its lag, the breaker is not blamed, and the cron looks it up again only a
 * day later (a sync requested through the API runs at once, and a course that exists again goes back to idle).
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { tokenFingerprint } from "../../src/canvas/token-fingerprint";
import { NOT_FOUND_RECHECK_MS } from "../../src/queue/course-missing";
import { SyncMessageSchema } from "../../src/queue/message";
import type { CanvasSimulator } from "../local/simulator";
import { api, apiJson, CANVAS_TOKEN, resetStorage, startSimulator, syncNow } from "../support/harness";
import { courseRow, testQueues } from "../support/sync-harness";
import { openDatabase } from "../../src/storage/d1/client";

const REAL = 601;
const TYPO = 6010;

interface CourseView {
  state: string;
  lastError: string | null;
  lastErrorCategory: string | null;
  nextSyncAt: string | null;
}

interface Health {
  status: string;
  checks: { name: string; value: number | null }[];
}

async function health(): Promise<Health> {
  return (await api("/health")).json<Health>();
}

function check(result: Health, name: string): number | null {
  return result.checks.find((entry) => entry.name === name)?.value ?? null;
}

async function cronAt(now: number): Promise<number[]> {
  const queues = testQueues();
  await runScheduled({
    db: openDatabase(env.DB),
    queue: queues.sync,
    now,
    tokenFingerprint: await tokenFingerprint(CANVAS_TOKEN),
    stuckJobMs: 1_800_000,
  });
  return queues.sync.take().map((body) => SyncMessageSchema.parse(body).courseId);
}

describe("a course Canvas says does not exist", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({ seed: 3, institution: { courses: [{ id: REAL, items: 10 }] } });
    for (const id of [REAL, TYPO]) {
      const response = await api("/api/courses", { method: "POST", json: { canvasCourseId: id } });
      if (response.status !== 201) throw new Error(`registering ${id} answered ${response.status}`);
    }
  });

  it("is marked not_found with the reason, left out of health, and not retried before a day has passed", async () => {
    expect((await syncNow(REAL)).status).toBe("succeeded");
    const before = Date.now();
    const job = await syncNow(TYPO);
    expect(job).toMatchObject({ status: "failed", errorCategory: "not_found" });
    expect(job.error).toContain(`Canvas has no course ${TYPO}`);

    const course = await apiJson<CourseView>(`/api/courses/${TYPO}`);
    expect(course.state).toBe("not_found");
    expect(course.lastErrorCategory).toBe("not_found");
    expect(course.lastError).toContain("404");
    expect(Date.parse(course.nextSyncAt ?? "")).toBeGreaterThanOrEqual(before + NOT_FOUND_RECHECK_MS);
    const breaker = (await env.COURSE_SYNC.getByName(String(TYPO)).status()).breaker;
    expect(breaker.consecutiveFailures).toBe(0);

    // Registered five hours ago and never synced: counted, that lag alone would make the service unhealthy.
    await env.DB.prepare("UPDATE courses SET registered_at = ?2 WHERE canvas_course_id = ?1")
      .bind(TYPO, Date.now() - 5 * 3_600_000)
      .run();
    const result = await health();
    expect(result.status).toBe("healthy");
    expect(check(result, "recent_error_rate")).toBe(0);
    expect(check(result, "max_sync_lag_seconds")).toBeLessThan(3_600);

    // The cron leaves it alone for a day, then looks once more.
    expect(await cronAt(Date.now() + 2 * 3_600_000)).toEqual([REAL]);
    expect(await cronAt(Date.now() + NOT_FOUND_RECHECK_MS + 60_000)).toEqual(
      expect.arrayContaining([REAL, TYPO]),
    );
  });

  it("marks a course deleted in Canvas, keeps its mirror, and is idle again once Canvas has it back", async () => {
    expect((await syncNow(REAL)).status).toBe("succeeded");
    simulator.control.deleteCourse(REAL);
    const failed = await syncNow(REAL);
    expect(failed).toMatchObject({ status: "failed", errorCategory: "not_found" });
    expect(await courseRow(REAL)).toMatchObject({ state: "not_found", last_error_category: "not_found" });
    // Nothing mirrored is deleted on the strength of a 404 for the course.
    const items = await env.DB.prepare(
      "SELECT count(*) AS n FROM items WHERE course_id = ?1 AND deleted_at IS NULL",
    )
      .bind(REAL)
      .first<{ n: number }>();
    expect(items?.n).toBeGreaterThan(0);

    // Restored in Canvas (an admin can undelete a course): a sync requested now runs at once and it is idle again.
    simulator.control.editCourse(REAL, { workflow_state: "available" });
    expect((await syncNow(REAL)).status).toBe("succeeded");
    const restored = await apiJson<CourseView>(`/api/courses/${REAL}`);
    expect(restored).toMatchObject({ state: "idle", lastError: null, lastErrorCategory: null });
  });
});
