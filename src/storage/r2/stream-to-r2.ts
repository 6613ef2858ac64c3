/**
 * Streams a body into R2 without ever holding the whole file, computing its SHA-256 and byte count on the way.
 *
 * The body goes through one metering TransformStream that feeds each chunk to a `crypto.DigestStream` before
 * passing it on; unlike `tee()`, this keeps backpressure end to end, so a fast hash can never race ahead of a slow
 * upload and pile chunks up in memory. R2 needs a known length:
 * - length known (Canvas `size`, else the Content-Length) and at most `multipartThreshold`: one `put()` of a
 *   `FixedLengthStream(length)`;
 * - larger, or no length at all: a multipart upload in uniform parts of `partSize` (>= 5 MiB), read and sent
 *   one part at a time, so memory stays at about one part.
 * Canvas's `size` wins over a disagreeing Content-Length (a compressed transfer reports the compressed length).
 * Any difference between the bytes received and the expected size throws `SizeMismatchError` after the upload
 * is aborted or the key deleted: a truncated or padded object is never left behind. Keys must be fresh (a
 * failure deletes the key).
 */
import { SyncError } from "../../resilience/errors";

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_MULTIPART_THRESHOLD = 100 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface StoreStreamOptions {
  /** Size Canvas reported for the file; the authority for the size check. */
  expectedSize: number | null;
  /** The response's Content-Length, used when Canvas gave no size. */
  contentLength: number | null;
  contentType: string;
  multipartThreshold?: number;
  partSize?: number;
  customMetadata?: Record<string, string>;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  multipart: boolean;
}

/** The body had more or fewer bytes than announced. `actual` is a lower bound when `tooLong` (reading stopped). */
export class SizeMismatchError extends SyncError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    readonly tooLong: boolean,
  ) {
    super(
      "content",
      tooLong
        ? `file is longer than the expected ${expected} bytes (stopped at ${actual})`
        : `file has ${actual} bytes, expected ${expected}`,
    );
    this.name = "SizeMismatchError";
  }
}

function toHex(buffer: ArrayBuffer): string {
  let hex = "";
  for (const byte of new Uint8Array(buffer)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

interface Meter {
  readable: ReadableStream<Uint8Array>;
  size(): number;
  sha256(): Promise<string>;
  /** Set when the meter itself stopped the stream for a size mismatch. */
  mismatch(): SizeMismatchError | undefined;
}

/** Counts and hashes every chunk; enforces `expected` (errors on the first byte too many, or short at the end). */
function meter(body: ReadableStream<Uint8Array>, expected: number | null): Meter {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  let size = 0;
  let mismatch: SizeMismatchError | undefined;
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      size += chunk.byteLength;
      if (expected !== null && size > expected) {
        mismatch = new SizeMismatchError(expected, size, true);
        throw mismatch;
      }
      await writer.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      if (expected !== null && size < expected) {
        mismatch = new SizeMismatchError(expected, size, false);
        throw mismatch;
      }
      await writer.close();
    },
  });
  return {
    readable: body.pipeThrough(transform),
    size: () => size,
    sha256: async () => toHex(await digest.digest),
    mismatch: () => mismatch,
  };
}

async function putWhole(
  bucket: R2Bucket,
  key: string,
  metered: Meter,
  length: number,
  options: R2PutOptions,
): Promise<void> {
  const fixed = new FixedLengthStream(length);
  const piping = metered.readable.pipeTo(fixed.writable);
  const putting = bucket.put(key, fixed.readable, options);
  const [piped, put] = await Promise.allSettled([piping, putting]);
  if (piped.status === "rejected") throw metered.mismatch() ?? piped.reason;
  if (put.status === "rejected") throw metered.mismatch() ?? put.reason;
}

async function putInParts(
  bucket: R2Bucket,
  key: string,
  metered: Meter,
  partSize: number,
  options: R2MultipartOptions,
): Promise<void> {
  const upload = await bucket.createMultipartUpload(key, options);
  const parts: R2UploadedPart[] = [];
  const reader = metered.readable.getReader();
  try {
    let part = new Uint8Array(partSize);
    let filled = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let offset = 0; offset < value.byteLength;) {
        const n = Math.min(partSize - filled, value.byteLength - offset);
        part.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === partSize) {
          parts.push(await upload.uploadPart(parts.length + 1, part));
          part = new Uint8Array(partSize); // a fresh buffer: the sent one may still be referenced
          filled = 0;
        }
      }
    }
    if (filled > 0 || parts.length === 0)
      parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
    await upload.complete(parts);
  } catch (error) {
    await reader.cancel(error).catch(() => undefined);
    await upload.abort().catch(() => undefined);
    throw metered.mismatch() ?? error;
  }
}

/**
 * Stores `body` under `key` and returns its SHA-256 (hex), size and whether a multipart upload was used.
 * Throws SizeMismatchError (nothing stored) when the byte count differs from `expectedSize`/`contentLength`.
 */
export async function storeStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  opts: StoreStreamOptions,
): Promise<StoredBlob> {
  const partSize = opts.partSize ?? DEFAULT_PART_SIZE;
  if (partSize < MIN_PART_SIZE) throw new RangeError(`partSize must be at least ${MIN_PART_SIZE} bytes`);
  const threshold = opts.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const length = opts.expectedSize ?? opts.contentLength;
  const httpMetadata = { contentType: opts.contentType };
  const common =
    opts.customMetadata === undefined
      ? { httpMetadata }
      : { httpMetadata, customMetadata: opts.customMetadata };
  const metered = meter(body, length);
  const multipart = length === null || length > threshold;
  try {
    if (multipart) {
      // Stay under R2's 10,000-part limit for very large known sizes.
      const size = length === null ? partSize : Math.max(partSize, Math.ceil(length / MAX_PARTS));
      await putInParts(bucket, key, metered, size, common);
    } else {
      await putWhole(bucket, key, metered, length, common);
    }
  } catch (error) {
    // A failed put or an aborted upload stores nothing; the delete is the second fence for a fresh key.
    await bucket.delete(key).catch(() => undefined);
    throw error;
  }
  return { sha256: await metered.sha256(), size: metered.size(), multipart };
}
