/**
 * The Cron Trigger: finds due courses with one indexed query and fans them out to the queue. It does no Canvas work
 * itself. It also lifts `auth_failed` once the configured token differs from the one found dead, and re-enqueues
 * jobs whose consumer died without a trace (queued or running past the stuck limit with no checkpoint since).
 */
import { enqueueSyncJobs } from "../queue/enqueue";
import type { Database } from "../storage/d1/client";
import { liftTokenStops, listDueCourses } from "../storage/d1/course-state";
import { releaseStuckJobs } from "../storage/d1/sync-jobs";
import { planDueCourses } from "./plan-due";

export interface ScheduledDeps {
  db: Database;
  queue: Queue;
  now: number;
  tokenFingerprint: string;
  stuckJobMs: number;
  /** cap per run so a huge backlog is spread over several runs */
  maxPerRun?: number;
}

export interface ScheduledResult {
  enqueued: number;
  jobIds: string[];
}

export async function runScheduled(deps: ScheduledDeps): Promise<ScheduledResult> {
  const { db, now } = deps;
  await liftTokenStops(db, deps.tokenFingerprint, now);
  // A course whose last job has been queued or running for longer than the stuck limit without a checkpoint is
  // released back to idle (its job marked failed as stuck) so the next cron run can enqueue it again.
  await releaseStuckJobs(db, now, now - deps.stuckJobMs);
  const results = await listDueCourses(db, now, deps.maxPerRun ?? 1000);
  const due = planDueCourses(results, now);
  if (due.length === 0) return { enqueued: 0, jobIds: [] };
  const jobIds = await enqueueSyncJobs(
    db,
    deps.queue,
    due.map((courseId) => ({ courseId, mode: "incremental" as const, trigger: "cron" as const })),
    now,
  );
  return { enqueued: jobIds.length, jobIds };
}
