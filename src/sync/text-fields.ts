/**
 * The extracted text of a changed object and its hash. Rich-text fields (page bodies, descriptions, messages, the
 * syllabus) are converted here, cheaply, during the sync. File documents are extracted later in their own queue
 * message so a large PDF never shares an isolate's 128 MB with a sync; until then their text is "pending", and
 * unchanged bytes keep the text already extracted.
 */
import { sha256Hex } from "../shared/sha256";
import type { ItemType } from "../detect/item-types";
import { TEXT_FIELD, type Projection } from "../detect/projections";
import { htmlToText, normalizeTextForHash } from "../extract";
import type { SyncContext } from "./context";
import type { StoredItem } from "./stored-items";

export interface TextFields {
  /** false: keep the text columns as stored (a file whose bytes did not change keeps its extracted text) */
  writeText: boolean;
  textHash: string | null;
  text: string | null;
  textKey: string | null;
  textStatus: string | null;
}

const NONE: TextFields = { writeText: true, textHash: null, text: null, textKey: null, textStatus: null };

export async function textFields(
  ctx: SyncContext,
  type: ItemType,
  projection: Projection,
  stored: StoredItem | undefined,
): Promise<TextFields> {
  if (type === "file") {
    const sameBytes = stored && stored.data["sha256"] === projection["sha256"] && stored.textStatus !== null;
    if (sameBytes) {
      return {
        writeText: false,
        textHash: stored.textHash,
        text: null,
        textKey: stored.textKey,
        textStatus: stored.textStatus,
      };
    }
    return { ...NONE, textStatus: projection["sha256"] ? "pending" : null };
  }
  const field = TEXT_FIELD[type];
  if (!field) return NONE;
  const html = projection[field];
  if (typeof html !== "string" || html.trim() === "") return { ...NONE, textStatus: "empty" };
  const text = htmlToText(html);
  if (text.trim() === "") return { ...NONE, textStatus: "empty" };
  const textHash = await sha256Hex(normalizeTextForHash(text));
  if (text.length <= ctx.config.inlineTextChars) return { ...NONE, textHash, text, textStatus: "ok" };
  const textKey = await ctx.files.storeText(textHash, text);
  return { ...NONE, textHash, textKey, textStatus: "ok" };
}
