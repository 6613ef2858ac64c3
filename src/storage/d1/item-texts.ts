/**
 * An item's extracted text for the dashboard's side-by-side conflict view: inline in D1 when small, else in R2
 * under its text key. Read-only; cut to a length a page can show. Raw SQL: one row's four columns by primary key.
 */
import type { Database } from "./client";

export interface ItemText {
  itemId: string;
  title: string | null;
  type: string | null;
  text: string | null;
  /** the text was longer than the page shows */
  truncated: boolean;
}

export async function readItemText(
  db: Database,
  bucket: R2Bucket,
  itemId: string,
  maxChars: number,
): Promise<ItemText> {
  const row = await db.$client
    .prepare("SELECT title, type, text, text_key FROM items WHERE id = ?1")
    .bind(itemId)
    .first<{ title: string | null; type: string | null; text: string | null; text_key: string | null }>();
  let text = row?.text ?? null;
  if (text === null && row?.text_key) {
    const object = await bucket.get(row.text_key);
    text = object === null ? null : await object.text();
  }
  return {
    itemId,
    title: row?.title ?? null,
    type: row?.type ?? null,
    text: text === null ? null : text.slice(0, maxChars),
    truncated: text !== null && text.length > maxChars,
  };
}
