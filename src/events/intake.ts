/**
 * Live Event intake (the adapter around the pure mapping and dedup): turns one verified event into at most one
 * targeted sync job, inside the webhook request, with a few D1 round trips and one queue send.
 *
 * 1. Resolve the course: page and file events may need the mirror's map (`items`, by type and canvas id).
 * 2. Read, in one batch: is the course registered, the object's `event_marks` row (joined with its job's state),
 *    and any unstarted full sync of the course.
 * 3. Decide (intake-decision.ts) and write. Marks are written compare-and-set on the event time read in step 2,
 *    so two concurrent deliveries for one object cannot both enqueue from the same state: the loser re-reads and
 *    decides again (it then sees the winner's mark and attaches or drops).
 *
 * A new job is enqueued only after its mark is claimed; if the enqueue fails the claim is rolled back, so
 * Canvas's retry of the delivery (we answer 5xx) is not mistaken for a duplicate.
 */
import { z } from "zod";
import { enqueueSyncJobs } from "../queue/enqueue";
import { openDatabase } from "../storage/d1/client";
import { TargetScopeSchema } from "../sync/targeted";
import { toLocalId } from "./canvas-ids";
import type { CanvasEvent } from "./envelope";
import { countOutcome, type EventOutcome } from "./event-counters";
import { decideIntake, type MarkState } from "./intake-decision";
import { isIgnored, mapEventToWork, type EventLookups, type TargetedWork } from "./map-event";

export type IntakeDeps = { db: D1Database; queue: Queue; now: () => number };

export type IntakeResult = {
  outcome: EventOutcome;
  /** The course the event was resolved to, when it was. */
  courseId: number | null;
  /** The job that will refresh the object (new or attached to), when there is one. */
  jobId: string | null;
};

/** Thrown when concurrent deliveries for one object kept winning the mark; the route answers 503 (Canvas retries). */
export class IntakeContentionError extends Error {
  constructor(readonly objectKey: string) {
    super(`event mark for ${objectKey} kept changing under concurrent deliveries`);
    this.name = "IntakeContentionError";
  }
}

const MAX_CAS_ATTEMPTS = 4;

type MarkRow = MarkState & { eventName: string };
type IntakeState = { registered: boolean; mark: MarkRow | null; coveringJobId: string | null };

/** Processes one verified event. Throws only for storage or queue failures (and contention). */
export async function ingestEvent(deps: IntakeDeps, event: CanvasEvent): Promise<IntakeResult> {
  const maps = await loadMirrorMaps(deps.db, event);
  // First pass without the registration check: it yields the course to check (or why there is none).
  const probe = mapEventToWork(event, { ...maps, isRegisteredCourse: () => true });
  if (isIgnored(probe)) return finish(deps, { outcome: "ignored", reason: probe.ignored }, null, null);
  const scope = TargetScopeSchema.safeParse(probe.scope);
  if (!scope.success) {
    return finish(deps, { outcome: "ignored", reason: "invalid_object_id" }, probe.courseId, null);
  }

  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const state = await readState(deps.db, probe);
    const mapped = mapEventToWork(event, {
      ...maps,
      isRegisteredCourse: (courseId) => courseId === probe.courseId && state.registered,
    });
    if (isIgnored(mapped)) {
      return finish(deps, { outcome: "ignored", reason: mapped.ignored }, mapped.courseId ?? null, null);
    }
    const decision = decideIntake({ work: mapped, mark: state.mark, coveringJobId: state.coveringJobId });
    switch (decision.action) {
      case "drop":
        return finish(deps, { outcome: "dropped", reason: decision.reason }, mapped.courseId, null);
      case "attach": {
        const written = await writeMark(deps, mapped, state.mark, decision.eventTime, decision.jobId);
        if (!written) continue;
        return finish(
          deps,
          { outcome: "coalesced", scope: mapped.scope.kind },
          mapped.courseId,
          decision.jobId,
        );
      }
      case "enqueue": {
        if (!(await writeMark(deps, mapped, state.mark, decision.eventTime, null))) continue;
        let jobId: string;
        try {
          const [id] = await enqueueSyncJobs(
            openDatabase(deps.db),
            deps.queue,
            [{ courseId: mapped.courseId, mode: "targeted", trigger: "event", scope: scope.data }],
            deps.now(),
          );
          if (id === undefined) throw new Error("enqueueSyncJobs returned no job id");
          jobId = id;
        } catch (error) {
          // The enqueue error is the one to report; a failed rollback leaves a mark without a job, which the
          // next newer event (or the polling reconciliation) gets past.
          await rollbackMark(deps.db, mapped.objectKey, decision.eventTime, state.mark).catch(
            () => undefined,
          );
          throw error;
        }
        await deps.db.batch([
          deps.db
            .prepare("UPDATE event_marks SET job_id = ?3 WHERE object_key = ?1 AND event_time = ?2")
            .bind(mapped.objectKey, decision.eventTime, jobId),
          countOutcome(deps.db, { outcome: "enqueued", scope: mapped.scope.kind }),
        ]);
        return {
          outcome: { outcome: "enqueued", scope: mapped.scope.kind },
          courseId: mapped.courseId,
          jobId,
        };
      }
    }
  }
  throw new IntakeContentionError(probe.objectKey);
}

async function finish(
  deps: IntakeDeps,
  outcome: EventOutcome,
  courseId: number | null,
  jobId: string | null,
): Promise<IntakeResult> {
  await countOutcome(deps.db, outcome).run();
  return { outcome, courseId, jobId };
}

/**
 * The mirror's page/file-to-course maps, loaded only for the one id the event names. Page events never carry
 * their course in the body, and job-triggered ones (imports) carry none in the metadata either.
 */
async function loadMirrorMaps(
  db: D1Database,
  event: CanvasEvent,
): Promise<Pick<EventLookups, "courseForPage" | "courseForFile">> {
  const { payload } = event;
  if (payload.family === "wiki_page") {
    const pageId = toLocalId(payload.body.wiki_page_id);
    const courseId = await mirroredCourse(db, "page", pageId);
    return { courseForPage: (id) => (id === pageId ? courseId : null) };
  }
  if (payload.family === "attachment") {
    const { context_type: type, context_id: contextId } = payload.body;
    const fileId = toLocalId(payload.body.attachment_id);
    const needsMap = type === undefined || type === null || contextId === undefined || contextId === null;
    const courseId = needsMap ? await mirroredCourse(db, "file", fileId) : null;
    return { courseForPage: () => null, courseForFile: (id) => (id === fileId ? courseId : null) };
  }
  return { courseForPage: () => null };
}

async function mirroredCourse(
  db: D1Database,
  type: "page" | "file",
  canvasId: number,
): Promise<number | null> {
  const row = await db
    .prepare("SELECT course_id FROM items WHERE type = ?1 AND canvas_id = ?2 LIMIT 1")
    .bind(type, String(canvasId))
    .first<{ course_id: number }>();
  return row?.course_id ?? null;
}

const MarkRowSchema = z.object({
  event_time: z.string(),
  event_name: z.string(),
  job_id: z.string().nullable(),
  pending: z.number(),
});
const CoveringRowSchema = z.object({ id: z.string() });

async function readState(db: D1Database, work: TargetedWork): Promise<IntakeState> {
  const [course, mark, covering] = await db.batch([
    db.prepare("SELECT 1 AS registered FROM courses WHERE canvas_course_id = ?1").bind(work.courseId),
    db
      .prepare(
        `SELECT m.event_time, m.event_name, m.job_id,
           CASE WHEN j.status = 'queued' AND j.started_at IS NULL THEN 1 ELSE 0 END AS pending
         FROM event_marks m LEFT JOIN sync_jobs j ON j.id = m.job_id WHERE m.object_key = ?1`,
      )
      .bind(work.objectKey),
    db
      .prepare(
        `SELECT id FROM sync_jobs WHERE course_id = ?1 AND status = 'queued' AND started_at IS NULL
           AND (mode = 'full' OR (mode = 'targeted' AND scope ->> 'kind' = 'full_reconcile'))
         ORDER BY created_at LIMIT 1`,
      )
      .bind(work.courseId),
  ]);
  const markRow = MarkRowSchema.optional().parse(mark?.results[0]);
  const coveringRow = CoveringRowSchema.optional().parse(covering?.results[0]);
  return {
    registered: (course?.results.length ?? 0) > 0,
    mark:
      markRow === undefined
        ? null
        : {
            eventTime: markRow.event_time,
            eventName: markRow.event_name,
            jobId: markRow.job_id,
            jobPending: markRow.pending === 1,
          },
    coveringJobId: coveringRow?.id ?? null,
  };
}

/** Compare-and-set of the object's mark on the event time read before; false when another delivery got there first. */
async function writeMark(
  deps: IntakeDeps,
  work: TargetedWork,
  previous: MarkRow | null,
  eventTime: string,
  jobId: string | null,
): Promise<boolean> {
  const now = deps.now();
  const statement =
    previous === null
      ? deps.db
          .prepare(
            `INSERT INTO event_marks (object_key, course_id, event_time, event_name, job_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(object_key) DO NOTHING`,
          )
          .bind(work.objectKey, work.courseId, eventTime, work.eventName, jobId, now)
      : deps.db
          .prepare(
            `UPDATE event_marks SET event_time = ?3, event_name = ?4, job_id = ?5, at = ?6
             WHERE object_key = ?1 AND event_time = ?2`,
          )
          .bind(work.objectKey, previous.eventTime, eventTime, work.eventName, jobId, now);
  const result = await statement.run();
  return result.meta.changes > 0;
}

/** Undoes a claim whose job could not be enqueued, unless a newer delivery has moved the mark on since. */
async function rollbackMark(
  db: D1Database,
  objectKey: string,
  claimedTime: string,
  previous: MarkRow | null,
): Promise<void> {
  const statement =
    previous === null
      ? db
          .prepare("DELETE FROM event_marks WHERE object_key = ?1 AND event_time = ?2 AND job_id IS NULL")
          .bind(objectKey, claimedTime)
      : db
          .prepare(
            `UPDATE event_marks SET event_time = ?3, event_name = ?4, job_id = ?5
             WHERE object_key = ?1 AND event_time = ?2 AND job_id IS NULL`,
          )
          .bind(objectKey, claimedTime, previous.eventTime, previous.eventName, previous.jobId);
  await statement.run();
}
