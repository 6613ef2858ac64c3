/**
 * Indexes the texts kept in R2 (too large to sit inline in `items`). The triggers index such an item by its title and
 * mark it `r2_pending`; this reads the text from R2, caps it at SEARCH_BODY_CHARS and fills in the body. Runs in the
 * queue path after each sync's dedup message and as its own follow-up (src/queue/handle-dedup.ts); the extraction
 * handler indexes the texts it writes itself, in the same batch. A failed read leaves the document pending with one
 * more attempt counted, so the next pass retries it; after R2_FILL_MAX_ATTEMPTS it is marked `r2_failed`.
 */
import { log } from "../observability/log";
import { openDatabase } from "../storage/d1/client";
import {
  countPendingR2Docs,
  fillBodyStatement,
  markFailureStatement,
  markMissingStatement,
  selectPendingR2Docs,
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
  db: D1Database,
  blobs: R2Bucket,
  courseId: number,
  now: number,
  batch = R2_FILL_BATCH,
): Promise<R2FillResult> {
  const orm = openDatabase(db);
  const pending = await selectPendingR2Docs(orm, courseId, batch);
  const statements: D1PreparedStatement[] = [];
  const result: R2FillResult = { indexed: 0, missing: 0, failed: 0, remaining: 0 };
  for (const doc of pending) {
    try {
      const object = await blobs.get(doc.textKey);
      if (object === null) {
        statements.push(markMissingStatement(db, doc.itemId, doc.textKey));
        result.missing++;
        continue;
      }
      const { body, truncated } = capBody(await object.text());
      statements.push(
        fillBodyStatement(db, { itemId: doc.itemId, textKey: doc.textKey, body, truncated, now }),
      );
      result.indexed++;
    } catch (error) {
      log("warn", "search: reading a text from R2 failed; it stays pending", {
        itemId: doc.itemId,
        attempt: doc.attempts + 1,
        error: String(error),
      });
      statements.push(markFailureStatement(db, doc.itemId, doc.textKey, R2_FILL_MAX_ATTEMPTS));
      result.failed++;
    }
  }
  // One write per document: a body may be up to ~800 KB, so a batch of twenty could exceed what one request carries.
  for (const statement of statements) await statement.run();
  result.remaining = await countPendingR2Docs(orm, courseId);
  return result;
}
