/**
 * After a sync commits, every live file whose bytes changed has text_status 'pending'; this sends one extraction
 * message per such file to the extraction queue (batches of at most 100). Redelivery-safe: the extraction handler
 * ignores a message whose item no longer has that blob.
 */
import type { Database } from "../storage/d1/client";
import { listPendingExtractions } from "../storage/d1/extraction-queue";
import type { ExtractMessage } from "./message";

export async function enqueueExtractions(db: Database, queue: Queue, courseId: number): Promise<number> {
  const results = await listPendingExtractions(db, courseId);
  for (let start = 0; start < results.length; start += 100) {
    const messages: MessageSendRequest<ExtractMessage>[] = results.slice(start, start + 100).map((row) => ({
      body: { v: 1, kind: "extract", courseId, itemId: row.id, sha256: row.blob_sha256 },
      contentType: "json",
    }));
    await queue.sendBatch(messages);
  }
  return results.length;
}
