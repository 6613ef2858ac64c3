/**
 * The Live Event intake aggregate: the `event_marks` row of an object (one per object key, compare-and-set on its
 * event time), read together with what intake decides on (is the course registered, does an unstarted full sync
 * cover it) and the mirror's page/file-to-course map. Raw SQL: the compare-and-set needs `meta.changes`, the state
 * read is one D1 batch over three tables, and the covering-job query filters on a JSON path (`scope ->> 'kind'`).
 */
import { z } from "zod";
import type { Database } from "./client";
import { incrementCounterStatement } from "./metric-counters";

/** An object's persisted mark, joined with its job's state. */
export interface EventMark {
  eventTime: string;
  eventName: string;
  jobId: string | null;
  /** The mark's job exists, is queued and has never started. */
  jobPending: boolean;
}

export interface IntakeState {
  registered: boolean;
  mark: EventMark | null;
  coveringJobId: string | null;
}

/** What one mark write records. */
export interface MarkWrite {
  objectKey: string;
  courseId: number;
  eventTime: string;
  eventName: string;
  jobId: string | null;
  at: number;
}

/** The course whose mirror holds the page or file with this Canvas id, if any. */
export async function mirroredCourseOf(
  db: Database,
  type: "page" | "file",
  canvasId: number,
): Promise<number | null> {
  const row = await db.$client
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

/** In one batch: whether the course is registered, the object's mark, and an unstarted full sync of the course. */
export async function readIntakeState(
  db: Database,
  courseId: number,
  objectKey: string,
): Promise<IntakeState> {
  const d1 = db.$client;
  const [course, mark, covering] = await d1.batch([
    d1.prepare("SELECT 1 AS registered FROM courses WHERE canvas_course_id = ?1").bind(courseId),
    d1
      .prepare(
        `SELECT m.event_time, m.event_name, m.job_id,
           CASE WHEN j.status = 'queued' AND j.started_at IS NULL THEN 1 ELSE 0 END AS pending
         FROM event_marks m LEFT JOIN sync_jobs j ON j.id = m.job_id WHERE m.object_key = ?1`,
      )
      .bind(objectKey),
    d1
      .prepare(
        `SELECT id FROM sync_jobs WHERE course_id = ?1 AND status = 'queued' AND started_at IS NULL
           AND (mode = 'full' OR (mode = 'targeted' AND scope ->> 'kind' = 'full_reconcile'))
         ORDER BY created_at LIMIT 1`,
      )
      .bind(courseId),
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

/**
 * Compare-and-set of the object's mark: inserted when `previousEventTime` is null (no mark was read), else moved
 * only if it still carries that event time. False when another delivery got there first.
 */
export async function writeEventMark(
  db: Database,
  write: MarkWrite,
  previousEventTime: string | null,
): Promise<boolean> {
  const statement =
    previousEventTime === null
      ? db.$client
          .prepare(
            `INSERT INTO event_marks (object_key, course_id, event_time, event_name, job_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(object_key) DO NOTHING`,
          )
          .bind(write.objectKey, write.courseId, write.eventTime, write.eventName, write.jobId, write.at)
      : db.$client
          .prepare(
            `UPDATE event_marks SET event_time = ?3, event_name = ?4, job_id = ?5, at = ?6
             WHERE object_key = ?1 AND event_time = ?2`,
          )
          .bind(write.objectKey, previousEventTime, write.eventTime, write.eventName, write.jobId, write.at);
  const result = await statement.run();
  return result.meta.changes > 0;
}

/** Undoes a claim that got no job: back to the previous mark (or none), unless a newer delivery moved it since. */
export async function rollbackEventMark(
  db: Database,
  objectKey: string,
  claimedTime: string,
  previous: EventMark | null,
): Promise<void> {
  const statement =
    previous === null
      ? db.$client
          .prepare("DELETE FROM event_marks WHERE object_key = ?1 AND event_time = ?2 AND job_id IS NULL")
          .bind(objectKey, claimedTime)
      : db.$client
          .prepare(
            `UPDATE event_marks SET event_time = ?3, event_name = ?4, job_id = ?5
             WHERE object_key = ?1 AND event_time = ?2 AND job_id IS NULL`,
          )
          .bind(objectKey, claimedTime, previous.eventTime, previous.eventName, previous.jobId);
  await statement.run();
}

/** Points a claimed mark at its new job and counts the outcome, in one batch. */
export async function attachJobToMark(
  db: Database,
  mark: { objectKey: string; eventTime: string; jobId: string },
  counter: { name: string; labels: string; now: number },
): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare("UPDATE event_marks SET job_id = ?3 WHERE object_key = ?1 AND event_time = ?2")
      .bind(mark.objectKey, mark.eventTime, mark.jobId),
    incrementCounterStatement(db, counter.name, counter.labels, counter.now),
  ]);
}
