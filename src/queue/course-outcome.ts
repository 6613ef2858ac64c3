/**
 * Writes a job's outcome onto its job row and its course: success resets the failure count and schedules the next
 * sync from the adaptive scheduler (fed with the Canvas times of the changes this job saw, and with when the course
 * last had a Live Event: courses whose events flow are polled less); a retry puts the job back in the queue with
 * its error; failure counts towards back-off; a dead token stops every course that uses it; a course Canvas says
 * does not exist is marked `not_found` and looked up again a day later. A job whose course was removed while it ran
 * ends as cancelled, and changes no course row. A targeted job (one object, for an event) is not a poll and never
 * moves the next poll later, or events arriving more often than the poll interval would postpone it for ever.
 */
import { itemKey } from "../detect/item-types";
import type { Config } from "../env";
import {
  activityConfigOf,
  ActivityModelSchema,
  computeNextSync,
  emptyActivityModel,
  recordActivity,
  schedulerConfig as buildSchedulerConfig,
  type ActivityModel,
  type SchedulerConfig,
} from "../resilience/scheduler";
import { parseJsonOrNull } from "../shared/parse-json";
import type { Database } from "../storage/d1/client";
import { readCourseScheduling, stopCoursesOnToken } from "../storage/d1/course-state";
import { lastEventAt } from "../storage/d1/event-activity";
import type { DeliveryWrite } from "../storage/d1/job-deliveries";
import {
  jobChangeTimes,
  writeCourseNotFound,
  writeJobFailure,
  writeJobRetry,
  writeJobSuccess,
} from "../storage/d1/job-outcome";
import { cancelJob } from "../storage/d1/sync-jobs";
import { totals, type JobReport } from "../sync/report";
import { purgeCourse } from "./course-purge";
import { NOT_FOUND_RECHECK_MS } from "./course-missing";

/** The error of a job that ended because its course was removed (or was never registered). */
export const REMOVED_DURING_SYNC = "cancelled: the course was removed while this sync ran";

export function schedulerConfig(config: Config | undefined): SchedulerConfig {
  if (!config) return buildSchedulerConfig();
  return buildSchedulerConfig({
    baseIntervalMs: config.SYNC_BASE_INTERVAL_MINUTES * 60_000,
    minIntervalMs: config.SYNC_MIN_INTERVAL_MINUTES * 60_000,
    maxIntervalMs: config.SYNC_MAX_INTERVAL_MINUTES * 60_000,
    eventQuietIntervalMs: Math.round(config.SYNC_EVENT_QUIET_INTERVAL_MINUTES * 60_000),
    reconcileIntervalMs: Math.round(config.RECONCILE_INTERVAL_HOURS * 3_600_000),
  });
}

/**
 * A job that finished: `succeeded` when the mirror is exact for its scope, `partial` when it left objects behind,
 * held some or could not complete a listing (the report and sync_issues say what; the next sync retries them).
 * Either way the course is healthy: partial is not a failure, so the failure count and breaker are reset.
 */
export async function recordCourseSuccess(
  db: Database,
  env: Env,
  config: Config,
  outcome: {
    courseId: number;
    jobId: string;
    report: JobReport;
    full: boolean;
    partial: boolean;
    /** the delivery record, committed together with the outcome */
    delivery?: DeliveryWrite;
  },
): Promise<void> {
  const now = Date.now();
  const course = await readCourseScheduling(db, outcome.courseId);
  const { changed, processed } = totals(outcome.report);
  if (!course) {
    // Removed while the job ran: nothing to schedule, and the course must not come back.
    await recordRemovedDuringSync(db, env, config, outcome.courseId, outcome.jobId, processed);
    return;
  }
  const rate = processed === 0 ? 0 : changed / processed;
  // Exponentially smoothed so one busy sync does not halve the interval forever.
  const smoothed = 0.5 * rate + 0.5 * ((course?.change_rate_ppm ?? 0) / 1_000_000);
  const scheduling = schedulerConfig(config);
  const activity = recordActivity(
    parseActivity(course?.activity ?? null) ?? emptyActivityModel(now),
    changed > 0 ? await changeTimes(db, outcome.courseId, outcome.jobId, now) : [],
    now,
    activityConfigOf(scheduling),
  );
  const next = computeNextSync(
    {
      now,
      consecutiveFailures: 0,
      recentChangeRate: smoothed,
      activity,
      lastEventAt: await lastEventAt(db, outcome.courseId),
    },
    scheduling,
  );
  await writeJobSuccess(db, {
    courseId: outcome.courseId,
    jobId: outcome.jobId,
    now,
    report: JSON.stringify(outcome.report),
    processed,
    partialSummary: outcome.partial ? partialSummary(outcome.report) : null,
    full: outcome.full,
    nextSyncAt: next.nextSyncAt,
    changeRatePpm: Math.round(smoothed * 1_000_000),
    activity: JSON.stringify(activity),
    courseItemId: itemKey(outcome.courseId, "course", outcome.courseId),
    delivery: outcome.delivery ?? null,
  });
}

/** One line on what a partial job left: the counts by kind and the listings it could not complete. */
export function partialSummary(report: JobReport): string {
  let leftBehind = 0;
  let held = 0;
  for (const counts of Object.values(report.types)) {
    leftBehind += counts.leftBehind;
    held += counts.held;
  }
  const parts: string[] = [];
  if (leftBehind > 0) parts.push(`${leftBehind} object(s) left behind (retried first by the next sync)`);
  if (held > 0) parts.push(`${held} missing object(s) held, not deleted until Canvas confirms`);
  for (const entry of report.incomplete)
    parts.push(`${entry.collection} listing incomplete: ${entry.reason}`);
  return (parts.length > 0 ? parts.join("; ") : "objects were left behind").slice(0, 500);
}

export async function recordCourseFailure(
  db: Database,
  failure: { courseId: number; jobId: string; reason: string; category: string },
  config?: Config,
): Promise<void> {
  const now = Date.now();
  const course = await readCourseScheduling(db, failure.courseId);
  if (!course) {
    // Not registered (any more): the job ends, but it is no failure of the service or of a course.
    await cancelJob(db, failure.jobId, `cancelled: ${failure.reason}`, now, null);
    return;
  }
  const failures = (course?.consecutive_failures ?? 0) + 1;
  const next = computeNextSync(
    {
      now,
      consecutiveFailures: failures,
      recentChangeRate: (course?.change_rate_ppm ?? 0) / 1_000_000,
      activity: parseActivity(course?.activity ?? null),
    },
    schedulerConfig(config),
  );
  await writeJobFailure(db, {
    courseId: failure.courseId,
    jobId: failure.jobId,
    now,
    reason: failure.reason.slice(0, 500),
    category: failure.category,
    consecutiveFailures: failures,
    nextSyncAt: next.nextSyncAt,
  });
}

/**
 * A job whose course was removed while it ran: it ends as cancelled, and when the removal purged the course, what
 * the job wrote after the purge is purged too.
 */
export async function recordRemovedDuringSync(
  db: Database,
  env: Env,
  config: Config,
  courseId: number,
  jobId: string,
  processed: number | null = null,
): Promise<void> {
  const now = Date.now();
  await cancelJob(db, jobId, REMOVED_DURING_SYNC, now, processed);
  const removal = await env.COURSE_SYNC.getByName(String(courseId)).removal();
  if (removal?.purge) await purgeCourse(env, db, courseId, now, config.BLOB_GRACE_HOURS * 3_600_000);
}

/**
 * Canvas answered 404 for the course itself: the job fails as `not_found` and the course is marked so with the
 * reason, is left out of the service's health, and waits a day before it is looked up again (a sync requested
 * through the API runs at once). The breaker is not blamed: Canvas is fine, the course id is not.
 */
export async function recordCourseNotFound(
  db: Database,
  outcome: { courseId: number; jobId: string; reason: string },
): Promise<void> {
  const now = Date.now();
  await writeCourseNotFound(db, {
    courseId: outcome.courseId,
    jobId: outcome.jobId,
    now,
    reason: outcome.reason.slice(0, 500),
    recheckAt: now + NOT_FOUND_RECHECK_MS,
  });
}

/**
 * Stops every course that syncs with this token until the configured token changes. Returns true for the caller
 * that found the token alive, so concurrent jobs hitting the same dead token raise one alert, not one each.
 */
export async function markTokenDead(db: Database, fingerprint: string, tokenState: string): Promise<boolean> {
  return stopCoursesOnToken(db, fingerprint, tokenState);
}

/** A failed delivery that the queue will retry: the job goes back to queued with its error, the course too. */
export async function recordJobRetry(
  db: Database,
  retry: { courseId: number; jobId: string; reason: string; category: string },
): Promise<void> {
  await writeJobRetry(db, {
    courseId: retry.courseId,
    jobId: retry.jobId,
    reason: retry.reason.slice(0, 500),
    category: retry.category,
  });
}

/** How many change times one job feeds the activity model at most (a first sync of a big course has thousands). */
const MAX_CHANGE_TIMES = 500;

/**
 * When the content this job saw changing was changed in Canvas (its updated_at), which is what the activity model
 * learns from; objects without a timestamp count as changed now. Deletions have no Canvas time and count as now.
 */
async function changeTimes(db: Database, courseId: number, jobId: string, now: number): Promise<number[]> {
  const times = (await jobChangeTimes(db, courseId, jobId, MAX_CHANGE_TIMES)).map((at) =>
    at === null ? now : Date.parse(at),
  );
  return times.length > 0 ? times.map((time) => (Number.isFinite(time) ? Math.min(time, now) : now)) : [now];
}

function parseActivity(text: string | null): ActivityModel | null {
  const parsed = ActivityModelSchema.safeParse(parseJsonOrNull(text));
  return parsed.success ? parsed.data : null;
}
