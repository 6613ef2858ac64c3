/**
 * The queue wire contract (version 1). Messages carry ids, never content: the consumer re-reads the job row, so a
 * message from an older deploy or a duplicate delivery can do no harm. Validated with zod on receipt; a message that
 * fails validation is dead-lettered with the reason.
 */
import { z } from "zod";

export const SyncMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal("sync"),
  jobId: z.string().min(1).max(64),
  courseId: z.number().int().positive(),
});

export const ExtractMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal("extract"),
  courseId: z.number().int().positive(),
  itemId: z.string().min(1).max(200),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const QueueMessageSchema = z.discriminatedUnion("kind", [SyncMessageSchema, ExtractMessageSchema]);

export type SyncMessage = z.infer<typeof SyncMessageSchema>;
export type ExtractMessage = z.infer<typeof ExtractMessageSchema>;
export type QueueMessage = z.infer<typeof QueueMessageSchema>;
