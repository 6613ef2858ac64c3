/**
 * Creating sync jobs: a job row (status queued) and its queue message. Used by the API, the cron fan-out and the
 * Live Events intake. The row is written first so a job is visible the moment it is accepted; if the send fails the
 * row is marked failed rather than left queued forever.
 */
import type { Database } from "../storage/d1/client";
import { failUnsentJobs, insertQueuedJobs } from "../storage/d1/sync-jobs";
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
  db: Database,
  queue: Queue,
  requests: readonly JobRequest[],
  now: number,
): Promise<string[]> {
  const jobs = requests.map((request) => ({ ...request, jobId: crypto.randomUUID() }));
  for (let start = 0; start < jobs.length; start += 100) {
    const chunk = jobs.slice(start, start + 100);
    await insertQueuedJobs(
      db,
      chunk.map((job) => ({
        jobId: job.jobId,
        courseId: job.courseId,
        mode: job.mode,
        trigger: job.trigger,
        scope: job.scope === undefined ? null : JSON.stringify(job.scope),
      })),
      now,
    );
    const messages: MessageSendRequest<SyncMessage>[] = chunk.map((job) => ({
      body: { v: 1, kind: "sync", jobId: job.jobId, courseId: job.courseId },
      contentType: "json",
    }));
    try {
      await queue.sendBatch(messages);
    } catch (error) {
      await failUnsentJobs(
        db,
        chunk.map((job) => job.jobId),
        now,
      );
      throw error;
    }
  }
  return jobs.map((job) => job.jobId);
}
