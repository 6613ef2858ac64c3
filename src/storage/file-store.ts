/**
 * FileStore over R2 and the D1 `blobs` table: downloads a Canvas file (the Canvas token goes only to Canvas; the
 * storage host it redirects to gets no token and must be on the allow-list) and keeps its bytes once per distinct
 * SHA-256, across files and courses.
 *
 * Small files (up to SMALL_FILE_BYTES) are hashed in memory first, so a duplicate is never written at all. Larger
 * files stream straight into R2 under a fresh key while being hashed; D1 then arbitrates: the first row for a hash
 * wins and a losing upload is deleted, so concurrent jobs storing the same deck still end with one object.
 */
import { hex } from "../detect/canonical";
import type { FileStore } from "../sync/context";
import { downloadCanvasFile } from "./r2/download";
import { blobKey, textKey } from "./r2/keys";
import { storeStream } from "./r2/stream-to-r2";

const SMALL_FILE_BYTES = 8 * 1024 * 1024;

export interface FileStoreDeps {
  db: D1Database;
  bucket: R2Bucket;
  canvasOrigin: string;
  token: string;
  allowedHosts: string[];
  fetch: typeof fetch;
  timeoutMs: number;
  multipartThresholdBytes: number;
  now: () => number;
  /** counts content bytes downloaded, for the job report */
  onBytes: (bytes: number) => void;
}

export class SizeMismatch extends Error {
  readonly kind = "content" as const;
  constructor(expected: number, actual: number) {
    super(`file size mismatch: Canvas said ${expected} bytes, received ${actual}`);
    this.name = "SizeMismatch";
  }
}

export function createFileStore(deps: FileStoreDeps): FileStore {
  return {
    async storeFile(input) {
      const response = await downloadCanvasFile(input.url, {
        canvasOrigin: deps.canvasOrigin,
        token: deps.token,
        allowedHosts: deps.allowedHosts,
        fetch: deps.fetch,
        timeoutMs: deps.timeoutMs,
      });
      const contentType = input.contentType ?? response.headers.get("content-type");
      const lengthHeader = response.headers.get("content-length");
      const contentLength = lengthHeader === null ? null : Number(lengthHeader);
      const expected = input.size ?? contentLength;
      if (expected !== null && expected <= SMALL_FILE_BYTES) {
        const bytes = new Uint8Array(await response.arrayBuffer());
        deps.onBytes(bytes.byteLength);
        if (input.size !== null && bytes.byteLength !== input.size)
          throw new SizeMismatch(input.size, bytes.byteLength);
        const sha256 = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
        const existing = await findBlob(deps.db, sha256);
        if (existing) return { sha256, size: bytes.byteLength, r2Key: existing, isNew: false, contentType };
        const key = blobKey(sha256);
        await deps.bucket.put(key, bytes, {
          httpMetadata: contentType ? { contentType } : {},
          sha256,
          onlyIf: new Headers({ "if-none-match": "*" }),
        });
        const winner = await claimBlob(deps, { sha256, key, size: bytes.byteLength, contentType });
        return { sha256, size: bytes.byteLength, r2Key: winner, isNew: winner === key, contentType };
      }
      const key = blobKey(crypto.randomUUID());
      const body = response.body;
      if (!body) throw new SizeMismatch(expected ?? 0, 0);
      const stored = await storeStream(deps.bucket, key, body, {
        expectedSize: input.size,
        contentLength,
        contentType: contentType ?? "application/octet-stream",
        multipartThreshold: deps.multipartThresholdBytes,
      });
      deps.onBytes(stored.size);
      const winner = await claimBlob(deps, { sha256: stored.sha256, key, size: stored.size, contentType });
      if (winner !== key) await deps.bucket.delete(key);
      return { sha256: stored.sha256, size: stored.size, r2Key: winner, isNew: winner === key, contentType };
    },
    async storeText(hash, text) {
      const key = textKey(hash);
      await deps.bucket.put(key, text, { httpMetadata: { contentType: "text/plain; charset=utf-8" } });
      return key;
    },
  };
}

async function findBlob(db: D1Database, sha256: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT r2_key FROM blobs WHERE sha256 = ?1")
    .bind(sha256)
    .first<{ r2_key: string }>();
  return row?.r2_key ?? null;
}

/** Inserts the blob row unless one exists; returns the key that holds these bytes. */
async function claimBlob(
  deps: FileStoreDeps,
  blob: { sha256: string; key: string; size: number; contentType: string | null },
): Promise<string> {
  await deps.db
    .prepare(
      `INSERT INTO blobs (sha256, r2_key, size, content_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT(sha256) DO UPDATE SET orphaned_at = NULL`,
    )
    .bind(blob.sha256, blob.key, blob.size, blob.contentType, deps.now())
    .run();
  return (await findBlob(deps.db, blob.sha256)) ?? blob.key;
}
