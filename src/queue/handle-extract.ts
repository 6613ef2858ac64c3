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
import { sha256Hex } from "../detect/canonical";
import { extractText, normalizeTextForHash } from "../extract";
import { capBody } from "../search/index-r2-texts";
import { fillBodyStatement } from "../storage/d1/search-docs";
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
  if (await yieldToSyncs(env, config, message)) return { action: "ack" };
  const item = await env.DB.prepare(
    "SELECT blob_sha256, data FROM items WHERE id = ?1 AND deleted_at IS NULL",
  )
    .bind(message.itemId)
    .first<{ blob_sha256: string | null; data: string }>();
  if (!item || item.blob_sha256 !== message.sha256) return { action: "ack" };
  const blob = await env.DB.prepare("SELECT r2_key, content_type FROM blobs WHERE sha256 = ?1")
    .bind(message.sha256)
    .first<{ r2_key: string; content_type: string | null }>();
  const object = blob ? await env.BLOBS.get(blob.r2_key) : null;
  if (!blob || !object) return { action: "ack" };
  const parsed = StoredFileDataSchema.safeParse(JSON.parse(item.data));
  const data = parsed.success ? parsed.data : { display_name: null, content_type: null };
  const result = await extractText(
    {
      bytes: object.body,
      contentType: data.content_type ?? blob.content_type ?? "",
      filename: data.display_name ?? "",
    },
    {},
  );
  if (!result.ok) {
    await env.DB.prepare("UPDATE items SET text_status = ?2 WHERE id = ?1 AND blob_sha256 = ?3")
      .bind(message.itemId, `failed:${result.reason}`, message.sha256)
      .run();
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
  const update = env.DB.prepare(
    "UPDATE items SET text = ?2, text_key = ?3, text_hash = ?4, text_status = ?5 WHERE id = ?1 AND blob_sha256 = ?6",
  ).bind(message.itemId, inline, key, hash, result.truncated ? "ok:truncated" : "ok", message.sha256);
  // The items trigger has just marked the document r2_pending; the fill in the same batch completes it.
  const index =
    key === null
      ? []
      : [
          fillBodyStatement(env.DB, {
            itemId: message.itemId,
            textKey: key,
            ...capBody(result.text),
            now: Date.now(),
          }),
        ];
  await env.DB.batch([update, ...index]);
  await enqueueDedup(env.EXTRACT_QUEUE, { courseId: message.courseId, trigger: "extract" });
  return { action: "ack" };
}
