/** Reads of the content-addressed `blobs` table (one row per stored copy of some bytes). */
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { blobs } from "./schema";

export type BlobRecord = Pick<typeof blobs.$inferSelect, "r2Key" | "contentType" | "size">;

/** The blob row for a SHA-256, or undefined when the bytes are not (or no longer) stored. */
export async function getBlob(orm: Database, sha256: string): Promise<BlobRecord | undefined> {
  return orm
    .select({ r2Key: blobs.r2Key, contentType: blobs.contentType, size: blobs.size })
    .from(blobs)
    .where(eq(blobs.sha256, sha256))
    .get();
}
