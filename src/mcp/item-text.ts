/**
 * The full extracted text of a mirrored item for the MCP tools: inline in D1 when small, otherwise read from R2
 * under its text key (the search index holds only the first SEARCH_BODY_CHARS; a model paging through an item gets
 * all of it). Also says, in words a model can relay, why there is no text.
 */
import type { ItemRecord } from "../storage/d1/queries";

export type ItemText = { ok: true; text: string } | { ok: false; reason: string };

export async function readItemText(blobs: R2Bucket, item: ItemRecord): Promise<ItemText> {
  if (item.text !== null) return { ok: true, text: item.text };
  if (item.textKey !== null) {
    const object = await blobs.get(item.textKey);
    if (object === null) return { ok: false, reason: "the stored text is missing from R2" };
    return { ok: true, text: await object.text() };
  }
  return { ok: false, reason: describeStatus(item.textStatus) };
}

function describeStatus(status: string | null): string {
  if (status === null) return "this kind of item has no text";
  if (status === "pending") return "text extraction has not finished yet; try again shortly";
  if (status === "empty") return "the item's text is empty";
  if (status.startsWith("failed:")) return `text extraction failed: ${status.slice("failed:".length)}`;
  return `no text (status ${status})`;
}
