/**
 * The dead-letter consumer. A message lands here when its retries are used up (forwarded by the consumer with the
 * reason, or moved by Queues itself after a consumer kept crashing), when it could never succeed, or when it was
 * invalid. It keeps the message in `dead_letters` and records the failure on the job and the course, so nothing
 * disappears silently. Idempotent: a job that already ended keeps its outcome and its course is not counted twice.
 */
import { z } from "zod";
import { loadConfig, type Config } from "../env";
import { log } from "../observability/log";
import { recordCourseFailure } from "./course-outcome";
import { ExtractMessageSchema, SyncMessageSchema } from "./message";

const ForwardedSchema = z.object({ reason: z.string(), original: z.unknown() });

export async function consumeDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
  const config = configOrUndefined(env);
  for (const message of batch.messages) {
    const forwarded = ForwardedSchema.safeParse(message.body);
    const original = forwarded.success ? forwarded.data.original : message.body;
    const reason = forwarded.success
      ? forwarded.data.reason
      : `gave up after ${message.attempts} deliveries without an answer (the consumer kept crashing)`;
    const sync = SyncMessageSchema.safeParse(original);
    await env.DB.prepare(
      "INSERT INTO dead_letters (job_id, course_id, reason, body, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
      .bind(
        sync.success ? sync.data.jobId : null,
        sync.success ? sync.data.courseId : null,
        reason.slice(0, 2_000),
        JSON.stringify(original ?? null).slice(0, 10_000),
        Date.now(),
      )
      .run();
    if (sync.success) {
      const job = await env.DB.prepare("SELECT status, error_category FROM sync_jobs WHERE id = ?1")
        .bind(sync.data.jobId)
        .first<{ status: string; error_category: string | null }>();
      // The job is over: a lease its crashed consumer left behind must not hold the course for 16 minutes.
      const course = env.COURSE_SYNC.getByName(String(sync.data.courseId));
      await course.releaseLease(sync.data.jobId);
      await course.forgetJob(sync.data.jobId);
      if (job && job.status !== "succeeded" && job.status !== "partial" && job.status !== "failed") {
        await recordCourseFailure(
          env,
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
    if (extract.success) await markExtractionFailed(env.DB, extract.data.itemId, extract.data.sha256);
    log("error", "message dead-lettered", { reason, jobId: sync.success ? sync.data.jobId : null });
    message.ack();
  }
}

/**
 * A document whose extraction kept crashing (an isolate killed by a hostile or broken file) is marked failed, so it
 * is not sent again after every sync; new bytes (a new SHA-256) make it pending again.
 */
async function markExtractionFailed(db: D1Database, itemId: string, sha256: string): Promise<void> {
  await db
    .prepare(
      "UPDATE items SET text_status = 'failed:dead_lettered' WHERE id = ?1 AND blob_sha256 = ?2 AND text_status = 'pending'",
    )
    .bind(itemId, sha256)
    .run();
}

/** The scheduler settings come from the config; a broken config must not stop failures being recorded. */
function configOrUndefined(env: Env): Config | undefined {
  try {
    return loadConfig(env);
  } catch {
    return undefined;
  }
}
