/**
 * Creating sync jobs: a job row (status queued) and its queue message. Used by the API, the cron fan-out and the
 * Live Events intake. The row is written first so a job is visible the moment it is accepted; if the send fails the
 * row is marked failed rather than left queued forever.
 */
import type { SyncMessage } from "./message";

export type SyncMode = "incremental" | "full" | "targeted";
export type SyncTrigger = "api" | "cron" | "event" | "reconcile";

export interface JobRequest {
  courseId: number;
  mode: SyncMode;
  trigger: SyncTrigger;
  scope?: unknown;
}

/** Creates jobs and enqueues them with sendBatch in chunks of at most 100 messages. Returns their ids in order. */
export async function enqueueSyncJobs(
  db: D1Database,
  queue: Queue,
  requests: readonly JobRequest[],
  now: number,
): Promise<string[]> {
  const jobs = requests.map((request) => ({ ...request, jobId: crypto.randomUUID() }));
  for (let start = 0; start < jobs.length; start += 100) {
    const chunk = jobs.slice(start, start + 100);
    await db.batch([
      db
        .prepare(
          `INSERT INTO sync_jobs (id, course_id, mode, trigger, scope, status, created_at)
           SELECT j.value ->> 'jobId', j.value ->> 'courseId', j.value ->> 'mode', j.value ->> 'trigger',
             j.value ->> 'scope', 'queued', ?2 FROM json_each(?1) AS j`,
        )
        .bind(
          JSON.stringify(
            chunk.map((job) => ({
              jobId: job.jobId,
              courseId: job.courseId,
              mode: job.mode,
              trigger: job.trigger,
              scope: job.scope === undefined ? null : JSON.stringify(job.scope),
            })),
          ),
          now,
        ),
      db
        .prepare(
          `UPDATE courses SET state = CASE WHEN state IN ('idle', 'failing') THEN 'queued' ELSE state END,
             last_job_id = (SELECT j.value ->> 'jobId' FROM json_each(?1) AS j
               WHERE (j.value ->> 'courseId') = courses.canvas_course_id)
           WHERE canvas_course_id IN (SELECT j.value ->> 'courseId' FROM json_each(?1) AS j)`,
        )
        .bind(JSON.stringify(chunk.map((job) => ({ jobId: job.jobId, courseId: job.courseId })))),
    ]);
    const messages: MessageSendRequest<SyncMessage>[] = chunk.map((job) => ({
      body: { v: 1, kind: "sync", jobId: job.jobId, courseId: job.courseId },
      contentType: "json",
    }));
    try {
      await queue.sendBatch(messages);
    } catch (error) {
      await db
        .prepare(
          `UPDATE sync_jobs SET status = 'failed', error = 'could not enqueue', error_category = 'unknown', finished_at = ?2
           WHERE id IN (SELECT value FROM json_each(?1))`,
        )
        .bind(JSON.stringify(chunk.map((job) => job.jobId)), now)
        .run();
      throw error;
    }
  }
  return jobs.map((job) => job.jobId);
}
