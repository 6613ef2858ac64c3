/**
 * The dead-letter consumer. A message lands here after exhausting its retries (or when it was invalid); it records
 * the failure on the job and the course, and keeps the message in `dead_letters`, so nothing disappears silently.
 */
import { z } from "zod";
import { log } from "../observability/log";
import { recordCourseFailure } from "./course-outcome";
import { SyncMessageSchema } from "./message";

const ForwardedSchema = z.object({ reason: z.string(), original: z.unknown() });

export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const forwarded = ForwardedSchema.safeParse(message.body);
    const original = forwarded.success ? forwarded.data.original : message.body;
    const reason = forwarded.success ? forwarded.data.reason : `gave up after ${message.attempts} deliveries`;
    const sync = SyncMessageSchema.safeParse(original);
    await env.DB.prepare(
      "INSERT INTO dead_letters (job_id, course_id, reason, body, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
      .bind(
        sync.success ? sync.data.jobId : null,
        sync.success ? sync.data.courseId : null,
        reason,
        JSON.stringify(original ?? null).slice(0, 10_000),
        Date.now(),
      )
      .run();
    if (sync.success) {
      await recordCourseFailure(env, {
        courseId: sync.data.courseId,
        jobId: sync.data.jobId,
        reason: `dead-lettered: ${reason}`,
        category: "dead_letter",
      });
    }
    log("error", "message dead-lettered", { reason, jobId: sync.success ? sync.data.jobId : null });
    message.ack();
  }
}
