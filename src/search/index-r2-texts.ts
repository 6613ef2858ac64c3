/**
 * Indexes the texts kept in R2 (too large to sit inline in `items`). The triggers index such an item by its title and
 * mark it `r2_pending`; this reads the text from R2, caps it at SEARCH_BODY_CHARS and fills in the body. Runs in the
 * queue path after each sync's dedup message and as its own follow-up (src/queue/handle-dedup.ts); the extraction
 * handler indexes the texts it writes itself, in the same batch. A failed read leaves the document pending with one
 * more attempt counted, so the next pass retries it; after R2_FILL_MAX_ATTEMPTS it is marked `r2_failed`.
 */
import { log } from "../observability/log";
import type { Database } from "../storage/d1/client";
import {
  countPendingR2Docs,
  recordR2Fills,
  selectPendingR2Docs,
  type R2FillWrite,
} from "../storage/d1/search-docs";
import { R2_FILL_BATCH, R2_FILL_MAX_ATTEMPTS, SEARCH_BODY_CHARS } from "./limits";

export interface R2FillResult {
  indexed: number;
  missing: number;
  failed: number;
  /** documents of the course still pending after this pass */
  remaining: number;
}

/** The first SEARCH_BODY_CHARS characters of a text (never splitting a surrogate pair) and whether it was cut. */
export function capBody(text: string): { body: string; truncated: boolean } {
  if (text.length <= SEARCH_BODY_CHARS) return { body: text, truncated: false };
  let end = SEARCH_BODY_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { body: text.slice(0, end), truncated: true };
}

export async function indexR2Texts(
  db: Database,
  blobs: R2Bucket,
  courseId: number,
  now: number,
  batch = R2_FILL_BATCH,
): Promise<R2FillResult> {
  const pending = await selectPendingR2Docs(db, courseId, batch);
  const writes: R2FillWrite[] = [];
  const result: R2FillResult = { indexed: 0, missing: 0, failed: 0, remaining: 0 };
  for (const doc of pending) {
    try {
      const object = await blobs.get(doc.textKey);
      if (object === null) {
        writes.push({ kind: "missing", itemId: doc.itemId, textKey: doc.textKey });
        result.missing++;
        continue;
      }
      const { body, truncated } = capBody(await object.text());
      writes.push({ kind: "fill", itemId: doc.itemId, textKey: doc.textKey, body, truncated, now });
      result.indexed++;
    } catch (error) {
      log("warn", "search: reading a text from R2 failed; it stays pending", {
        itemId: doc.itemId,
        attempt: doc.attempts + 1,
        error: String(error),
      });
      writes.push({
        kind: "failure",
        itemId: doc.itemId,
        textKey: doc.textKey,
        maxAttempts: R2_FILL_MAX_ATTEMPTS,
      });
      result.failed++;
    }
  }
  await recordR2Fills(db, writes);
  result.remaining = await countPendingR2Docs(db, courseId);
  return result;
}
