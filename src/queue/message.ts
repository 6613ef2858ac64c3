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
  /** set when the message was put back to let syncs run first (src/queue/background-yield.ts): since when */
  deferredSince: z.number().int().positive().optional(),
});

/**
 * A near-duplicate pass over one course (src/queue/handle-dedup.ts). Sent on the extraction queue after a sync and
 * after a file's text is extracted; the pass re-sends it to continue a large backlog (`after`) or to re-check the
 * items whose check ran before the vector index had caught up (`trigger: "recheck"`). `jobId` credits the pass's hits to that job's report.
 */
export const DedupMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal("dedup"),
  courseId: z.number().int().positive(),
  jobId: z.string().min(1).max(64).optional(),
  /** sync: changed texts, provisional re-checks and identical files; extract: changed texts; recheck: itemIds */
  trigger: z.enum(["sync", "extract", "recheck"]).default("sync"),
  /** re-check round (2 for the first scheduled re-check: round 1 is the original check) */
  attempt: z.number().int().min(0).max(100).default(0),
  /** continuation: the pass resumes after this item id */
  after: z.string().min(1).max(200).optional(),
  /** recheck: the items whose check was provisional */
  itemIds: z.array(z.string().min(1).max(200)).max(500).optional(),
  /** set when the message was put back to let syncs run first (src/queue/background-yield.ts): since when */
  deferredSince: z.number().int().positive().optional(),
});

export const QueueMessageSchema = z.discriminatedUnion("kind", [
  SyncMessageSchema,
  ExtractMessageSchema,
  DedupMessageSchema,
]);

export type SyncMessage = z.infer<typeof SyncMessageSchema>;
export type ExtractMessage = z.infer<typeof ExtractMessageSchema>;
export type DedupMessage = z.infer<typeof DedupMessageSchema>;
/** What a sender writes (defaults filled in on receipt). */
export type DedupMessageBody = z.input<typeof DedupMessageSchema>;
export type QueueMessage = z.infer<typeof QueueMessageSchema>;
