/**
 * After a sync commits, every live file whose bytes changed has text_status 'pending'; this sends one extraction
 * message per such file to the extraction queue (batches of at most 100). Redelivery-safe: the extraction handler
 * ignores a message whose item no longer has that blob.
 */
import type { ExtractMessage } from "./message";

export async function enqueueExtractions(db: D1Database, queue: Queue, courseId: number): Promise<number> {
  const { results } = await db
    .prepare(
      `SELECT id, blob_sha256 FROM items WHERE course_id = ?1 AND type = 'file' AND text_status = 'pending'
         AND deleted_at IS NULL AND blob_sha256 IS NOT NULL`,
    )
    .bind(courseId)
    .all<{ id: string; blob_sha256: string }>();
  for (let start = 0; start < results.length; start += 100) {
    const messages: MessageSendRequest<ExtractMessage>[] = results.slice(start, start + 100).map((row) => ({
      body: { v: 1, kind: "extract", courseId, itemId: row.id, sha256: row.blob_sha256 },
      contentType: "json",
    }));
    await queue.sendBatch(messages);
  }
  return results.length;
}
