/**
 * What the API and the dashboard's forms do to courses and conflicts, in one place so both behave the same:
 * register (and forget an earlier removal), request a sync, remove (optionally purging the mirror), and record a
 * conflict resolution. Each returns a tagged result; the callers turn it into JSON or a page.
 */
import type { Resolution } from "../storage/d1/duplicate-pairs";
import type { Config } from "../env";
import { enqueueSyncJobs } from "../queue/enqueue";
import { purgeCourse, type PurgeResult } from "../queue/course-purge";
import type { Database } from "../storage/d1/client";
import { getDuplicate, recordResolution, type DuplicateView } from "../storage/d1/conflicts";
import { deleteCourseRow } from "../storage/d1/course-removal";
import { insertCourse } from "../storage/d1/course-registration";
import { getCourse } from "../storage/d1/queries";

export async function registerCourse(
  db: Database,
  env: Env,
  courseId: number,
  now: number,
): Promise<"registered" | "exists"> {
  if (!(await insertCourse(db, courseId, now))) return "exists";
  // A course removed earlier and registered again syncs like any other.
  await env.COURSE_SYNC.getByName(String(courseId)).clearRemoved();
  return "registered";
}

export async function requestSync(
  db: Database,
  env: Env,
  courseId: number,
  mode: "incremental" | "full",
  now: number,
): Promise<{ jobId: string } | null> {
  if (!(await getCourse(db, courseId))) return null;
  const [jobId] = await enqueueSyncJobs(db, env.SYNC_QUEUE, [{ courseId, mode, trigger: "api" }], now);
  return { jobId: jobId ?? "" };
}

export interface Removal {
  cancelledJobs: number;
  runningJobStops: boolean;
  purged: PurgeResult | null;
}

/** Removes a registered course (null when it was not registered); see src/storage/d1/course-removal.ts. */
export async function removeCourse(
  db: Database,
  env: Env,
  config: Config,
  courseId: number,
  purge: boolean,
  now: number,
): Promise<Removal | null> {
  const removal = await deleteCourseRow(db, courseId, now);
  if (!removal.removed) return null;
  const courseObject = env.COURSE_SYNC.getByName(String(courseId));
  const running = (await courseObject.status()).lease !== null;
  await courseObject.markRemoved({ at: now, purge });
  const graceMs = config.BLOB_GRACE_HOURS * 3_600_000;
  const purged = purge ? await purgeCourse(env, db, courseId, now, graceMs) : null;
  return { cancelledJobs: removal.cancelledJobs, runningJobStops: running, purged };
}

export type ResolveResult =
  | { ok: true; conflict: DuplicateView }
  | { ok: false; reason: "not_found" | "not_a_conflict" | "bad_canonical"; allowed?: string[] };

export async function resolveConflict(
  db: Database,
  conflictId: number,
  decision: { resolution: Resolution; canonicalItemId: string | null },
  now: number,
): Promise<ResolveResult> {
  const row = await getDuplicate(db, conflictId);
  if (row === null) return { ok: false, reason: "not_found" };
  if (row.kind !== "near_text") return { ok: false, reason: "not_a_conflict" };
  const canonical = decision.canonicalItemId;
  if (canonical !== null && canonical !== row.a.itemId && canonical !== row.b.itemId) {
    return { ok: false, reason: "bad_canonical", allowed: [row.a.itemId, row.b.itemId] };
  }
  const ok = await recordResolution(db, conflictId, decision, now);
  const updated = ok ? await getDuplicate(db, conflictId) : null;
  return updated === null ? { ok: false, reason: "not_found" } : { ok: true, conflict: updated };
}
