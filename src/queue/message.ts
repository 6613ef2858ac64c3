/**
 * The queue wire contract (version 1). Messages carry ids, never content: the consumer re-reads the job row, so a
 * message from an older deploy or a duplicate delivery can do no harm. Validated with zod on receipt, in order: its
 * size (real messages are a few hundred bytes), its version (a message from a newer deploy says so instead of
 * failing field by field), then its kind and fields; a message that fails is dead-lettered with the reason.
 */
import { z } from "zod";

export const SyncMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal("sync"),
  jobId: z.string().min(1).max(64),
  courseId: z.number().int().positive(),
  /** sent by a delivery that reached its budget: the same job carries on (not a new attempt) */
  continued: z.literal(true).optional(),
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
  /**
   * sync: changed texts, provisional re-checks and identical files; extract: changed texts; recheck: itemIds;
   * index: only the full-text index's R2 texts (src/search/index-r2-texts.ts), a follow-up of the other three
   */
  trigger: z.enum(["sync", "extract", "recheck", "index"]).default("sync"),
  /** re-check round (2 for the first scheduled re-check: round 1 is the original check) */
  attempt: z.number().int().min(0).max(100).default(0),
  /** continuation: the pass resumes after this item id */
  after: z.string().min(1).max(200).optional(),
  /** recheck: the items whose check was provisional */
  itemIds: z.array(z.string().min(1).max(200)).max(500).optional(),
  /** set when the message was put back to let syncs run first (src/queue/background-yield.ts): since when */
  deferredSince: z.number().int().positive().optional(),
});

/** Largest message body the consumer reads, as JSON; the biggest real one (a dedup re-check of 500 ids) is ~100 KB. */
export const MAX_MESSAGE_BYTES = 112 * 1024;

/** The body's size as JSON, or Infinity when it cannot be serialised (a v8 message holding a BigInt, a cycle). */
export function jsonBytes(body: unknown): number {
  try {
    const json = JSON.stringify(body);
    return json === undefined ? 0 : new TextEncoder().encode(json).byteLength;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export const QueueMessageSchema = z
  .unknown()
  .refine((body) => jsonBytes(body) <= MAX_MESSAGE_BYTES, {
    error: `larger than ${MAX_MESSAGE_BYTES} bytes as JSON, or not serialisable`,
    path: ["message"],
    abort: true,
  })
  .pipe(
    z.looseObject({
      v: z.literal(1, { error: "unsupported message version (this consumer reads v: 1)" }),
    }),
  )
  .pipe(z.discriminatedUnion("kind", [SyncMessageSchema, ExtractMessageSchema, DedupMessageSchema]));

/**
 * What the consumer should forward to the dead-letter queue as the original body: the body itself when small, else a
 * bounded excerpt, so forwarding an oversized message cannot itself fail on the queue's 128 KB message limit.
 */
export function boundedForDeadLetter(body: unknown, maxBytes = 16 * 1024): unknown {
  const size = jsonBytes(body);
  if (size <= maxBytes) return body;
  let excerpt = "";
  try {
    excerpt = (JSON.stringify(body) ?? "").slice(0, 1024);
  } catch {
    excerpt = "";
  }
  return { truncated: true, bytes: Number.isFinite(size) ? size : null, excerpt };
}

export type SyncMessage = z.infer<typeof SyncMessageSchema>;
export type ExtractMessage = z.infer<typeof ExtractMessageSchema>;
export type DedupMessage = z.infer<typeof DedupMessageSchema>;
/** What a sender writes (defaults filled in on receipt). */
export type DedupMessageBody = z.input<typeof DedupMessageSchema>;
export type QueueMessage = z.infer<typeof QueueMessageSchema>;
