/**
 * The dead-letter consumer. A message lands here when its retries are used up (forwarded by the consumer with the
 * reason, or moved by Queues itself after a consumer kept crashing), when it could never succeed, or when it was
 * invalid. It keeps the message in `dead_letters` and records the failure on the job and the course, so nothing
 * disappears silently. Idempotent: a job that already ended keeps its outcome and its course is not counted twice.
 */
import { z } from "zod";
import type { Config } from "../env";
import { log } from "../observability/log";
import { openDatabase } from "../storage/d1/client";
import { insertDeadLetter } from "../storage/d1/dead-letters";
import { markExtractionDeadLettered } from "../storage/d1/extraction-queue";
import { readJobStatus } from "../storage/d1/sync-jobs";
import { recordCourseFailure } from "./course-outcome";
import { ExtractMessageSchema, SyncMessageSchema } from "./message";

const ForwardedSchema = z.object({ reason: z.string(), original: z.unknown() });

/** `config` is undefined when the worker's configuration is broken: failures are still recorded. */
export async function consumeDeadLetters(
  batch: MessageBatch,
  env: Env,
  config: Config | undefined,
): Promise<void> {
  const db = openDatabase(env.DB);
  for (const message of batch.messages) {
    const forwarded = ForwardedSchema.safeParse(message.body);
    const original = forwarded.success ? forwarded.data.original : message.body;
    const reason = forwarded.success
      ? forwarded.data.reason
      : `gave up after ${message.attempts} deliveries without an answer (the consumer kept crashing)`;
    const sync = SyncMessageSchema.safeParse(original);
    await insertDeadLetter(db, {
      jobId: sync.success ? sync.data.jobId : null,
      courseId: sync.success ? sync.data.courseId : null,
      reason: reason.slice(0, 2_000),
      body: JSON.stringify(original ?? null).slice(0, 10_000),
      at: Date.now(),
    });
    if (sync.success) {
      const job = await readJobStatus(db, sync.data.jobId);
      // The job is over: a lease its crashed consumer left behind must not hold the course for 16 minutes.
      const course = env.COURSE_SYNC.getByName(String(sync.data.courseId));
      await course.releaseLease(sync.data.jobId);
      await course.forgetJob(sync.data.jobId);
      if (job && job.status !== "succeeded" && job.status !== "partial" && job.status !== "failed") {
        await recordCourseFailure(
          db,
          {
            courseId: sync.data.courseId,
            jobId: sync.data.jobId,
            reason: `dead-lettered: ${reason}`,
            category: job.error_category ?? "dead_letter",
          },
          config,
        );
      }
    }
    const extract = ExtractMessageSchema.safeParse(original);
    if (extract.success) await markExtractionDeadLettered(db, extract.data.itemId, extract.data.sha256);
    log("error", "message dead-lettered", { reason, jobId: sync.success ? sync.data.jobId : null });
    message.ack();
  }
}
