/**
 * Text extraction for one stored file, in its own queue message so a large document never shares an isolate's
 * memory with a sync. Reads the blob from R2, extracts with bounded pages and characters, stores the text (inline or
 * in R2) and its hash. A file that cannot be extracted is marked with the reason; the message is still acknowledged.
 * Search: an inline text is indexed by the items triggers; a text stored in R2 is indexed (capped) in the same
 * batch that records it, so the full-text index never lags the item. While a sync is active the message waits its
 * turn (src/queue/yield-to-syncs.ts).
 */
import { z } from "zod";
import type { Config } from "../env";
import { sha256Hex } from "../shared/sha256";
import { extractText, normalizeTextForHash } from "../extract";
import { capBody } from "../search/index-r2-texts";
import { openDatabase } from "../storage/d1/client";
import { readExtractionSource, saveExtractedText, setExtractionStatus } from "../storage/d1/extraction-queue";
import { textKey } from "../storage/r2/keys";
import { enqueueDedup } from "./handle-dedup";
import type { ExtractMessage } from "./message";
import type { Settlement } from "./settle";
import { yieldToSyncs } from "./yield-to-syncs";

const INLINE_TEXT_CHARS = 32_000;

/** The fields of a stored file projection (see projectFile) that extraction reads; Canvas may leave either null. */
const StoredFileDataSchema = z.object({
  display_name: z.string().nullish(),
  content_type: z.string().nullish(),
});

export async function handleExtractMessage(
  env: Env,
  config: Config,
  message: ExtractMessage,
): Promise<Settlement> {
  const db = openDatabase(env.DB);
  if (await yieldToSyncs(env, db, config, message)) return { action: "ack" };
  const source = await readExtractionSource(db, message.itemId, message.sha256);
  const object = source ? await env.BLOBS.get(source.r2Key) : null;
  if (!source || !object) return { action: "ack" };
  const parsed = StoredFileDataSchema.safeParse(JSON.parse(source.data));
  const data = parsed.success ? parsed.data : { display_name: null, content_type: null };
  const result = await extractText(
    {
      bytes: object.body,
      contentType: data.content_type ?? source.contentType ?? "",
      filename: data.display_name ?? "",
    },
    {},
  );
  if (!result.ok) {
    await setExtractionStatus(db, message.itemId, message.sha256, `failed:${result.reason}`);
    return { action: "ack" };
  }
  const hash = await sha256Hex(normalizeTextForHash(result.text));
  let inline: string | null = result.text;
  let key: string | null = null;
  if (result.text.length > INLINE_TEXT_CHARS) {
    key = textKey(hash);
    await env.BLOBS.put(key, result.text, { httpMetadata: { contentType: "text/plain; charset=utf-8" } });
    inline = null;
  }
  // The items trigger has just marked the document r2_pending; the fill in the same batch completes it.
  await saveExtractedText(
    db,
    {
      itemId: message.itemId,
      sha256: message.sha256,
      text: inline,
      textKey: key,
      textHash: hash,
      status: result.truncated ? "ok:truncated" : "ok",
    },
    key === null ? null : { ...capBody(result.text), now: Date.now() },
  );
  await enqueueDedup(env.EXTRACT_QUEUE, { courseId: message.courseId, trigger: "extract" });
  return { action: "ack" };
}
