/**
 * FileStore over R2 and the D1 `blobs` table: downloads a Canvas file (the Canvas token goes only to Canvas; the
 * storage host it redirects to gets no token and must be on the allow-list) and keeps its bytes once per distinct
 * SHA-256, across files and courses.
 *
 * Memory is bounded by construction: a file of at most SMALL_FILE_BYTES is read into memory with a byte cap (never
 * on the strength of a declared size: a body that runs past its size is cut off and refused), hashed, and put under
 * its own hash only if absent, so a duplicate is never written and no D1 call is needed (the blob row is written by
 * the sync's batched commit). Larger files, and files whose size nobody states, stream straight into R2 under a
 * fresh key while being hashed (one part of 8 MiB in memory at most); D1 then arbitrates: the first row for a hash
 * wins and a losing upload is deleted, so concurrent jobs storing the same deck still end with one object.
 */
import { hex } from "../shared/sha256";
import type { FileStore, StoredBlobInfo } from "../ports/file-store";
import type { Database } from "./d1/client";
import { claimBlobRow, findBlobKey } from "./d1/blobs";
import { downloadCanvasFile } from "./r2/download";
import { blobKey, dataKey, textKey } from "./r2/keys";
import { SizeMismatchError, storeStream } from "./r2/stream-to-r2";

/** Files up to this size are buffered (times the sync's concurrency, see MEMORY_BUDGET_BYTES). */
export const SMALL_FILE_BYTES = 8 * 1024 * 1024;

export interface FileStoreDeps {
  db: Database;
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
      const body = response.body;
      if (!body) throw new SizeMismatchError(expected ?? 0, 0, false);
      if (expected !== null && expected <= SMALL_FILE_BYTES) {
        return storeSmall(deps, await readCapped(body, expected), contentType);
      }
      const key = blobKey(crypto.randomUUID());
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
    async storeData(contentHash, json) {
      const key = dataKey(contentHash);
      await deps.bucket.put(key, json, { httpMetadata: { contentType: "application/json" } });
      return key;
    },
    async loadData(key) {
      const object = await deps.bucket.get(key);
      return object === null ? null : object.text();
    },
  };
}

/**
 * Reads exactly `expected` bytes, refusing a body that is shorter or runs past it (the read stops at the first
 * byte too many, so memory never exceeds `expected`).
 */
async function readCapped(body: ReadableStream<Uint8Array>, expected: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(expected);
  const reader = body.getReader();
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (filled + value.byteLength > expected) {
      await reader.cancel();
      throw new SizeMismatchError(expected, filled + value.byteLength, true);
    }
    bytes.set(value, filled);
    filled += value.byteLength;
  }
  if (filled !== expected) throw new SizeMismatchError(expected, filled, false);
  return bytes;
}

async function storeSmall(
  deps: FileStoreDeps,
  bytes: Uint8Array,
  contentType: string | null,
): Promise<StoredBlobInfo> {
  deps.onBytes(bytes.byteLength);
  const sha256 = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  const key = blobKey(sha256);
  // Put only if absent: R2 answers null when the object exists, which is exactly a dedup hit.
  const written = await deps.bucket.put(key, bytes, {
    httpMetadata: contentType ? { contentType } : {},
    sha256,
    onlyIf: new Headers({ "if-none-match": "*" }),
  });
  return { sha256, size: bytes.byteLength, r2Key: key, isNew: written !== null, contentType };
}

/** Inserts the blob row unless one exists; returns the key that holds these bytes. */
async function claimBlob(
  deps: FileStoreDeps,
  blob: { sha256: string; key: string; size: number; contentType: string | null },
): Promise<string> {
  await claimBlobRow(deps.db, { ...blob, now: deps.now() });
  return (await findBlobKey(deps.db, blob.sha256)) ?? blob.key;
}
