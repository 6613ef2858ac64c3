/** Streaming into R2 (env.BLOBS): hash and size on the way, every length path, and no object on a mismatch. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SizeMismatchError, storeStream } from "../../../src/storage/r2/stream-to-r2";
import { digestOfStream, generatedBytes, generatedStream, hex } from "../../support/generated-stream";

const MiB = 1024 * 1024;
let keyCounter = 0;
const freshKey = (): string => `test/stream-${Date.now()}-${keyCounter++}`;

async function subtleHex(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function storedHex(
  key: string,
): Promise<{ sha: string; size: number; contentType: string | undefined }> {
  const object = await env.BLOBS.get(key);
  if (object === null) throw new Error(`no object at ${key}`);
  return {
    sha: await digestOfStream(object.body),
    size: object.size,
    contentType: object.httpMetadata?.contentType,
  };
}

describe("storeStream", () => {
  it("single put when Content-Length equals the expected size; hash equals crypto.subtle.digest", async () => {
    const size = 3 * MiB + 17;
    const bytes = await generatedBytes(size);
    const key = freshKey();
    const result = await storeStream(env.BLOBS, key, generatedStream(size), {
      expectedSize: size,
      contentLength: size,
      contentType: "application/pdf",
      customMetadata: { source: "test" },
    });
    expect(result).toEqual({ sha256: await subtleHex(bytes), size, multipart: false });
    expect(await storedHex(key)).toEqual({ sha: result.sha256, size, contentType: "application/pdf" });
    expect((await env.BLOBS.head(key))?.customMetadata).toEqual({ source: "test" });
  });

  it("missing Content-Length: a FixedLengthStream of Canvas's size", async () => {
    const size = 1 * MiB + 3;
    const bytes = await generatedBytes(size, 4096);
    const key = freshKey();
    const result = await storeStream(env.BLOBS, key, generatedStream(size, 4096), {
      expectedSize: size,
      contentLength: null,
      contentType: "text/plain",
    });
    expect(result).toEqual({ sha256: await subtleHex(bytes), size, multipart: false });
    expect((await storedHex(key)).sha).toBe(result.sha256);
  });

  it("Canvas's size wins over a disagreeing Content-Length (e.g. a compressed transfer)", async () => {
    const size = 200_000;
    const key = freshKey();
    const result = await storeStream(env.BLOBS, key, generatedStream(size), {
      expectedSize: size,
      contentLength: 50_000,
      contentType: "text/plain",
    });
    expect(result.size).toBe(size);
    expect((await storedHex(key)).size).toBe(size);
  });

  it.each([
    ["fewer", 100_000, 99_999],
    ["more", 100_000, 100_001],
  ])(
    "single put: %s bytes than expected throws SizeMismatchError and stores nothing",
    async (_, expected, actual) => {
      const key = freshKey();
      const attempt = storeStream(env.BLOBS, key, generatedStream(actual, 1000), {
        expectedSize: expected,
        contentLength: null,
        contentType: "application/octet-stream",
      });
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SizeMismatchError);
      // When too long, reading stops at the first extra chunk, so `actual` is a lower bound there.
      expect(error).toMatchObject({ expected, tooLong: actual > expected, kind: "content" });
      expect(error instanceof SizeMismatchError && error.actual >= Math.min(actual, expected + 1)).toBe(true);
      expect(await env.BLOBS.head(key)).toBeNull();
    },
  );

  it("multipart above the threshold: uniform parts, correct hash and size", async () => {
    const size = 12 * MiB + 5;
    const key = freshKey();
    const expectedSha = await digestOfStream(generatedStream(size));
    const result = await storeStream(env.BLOBS, key, generatedStream(size), {
      expectedSize: size,
      contentLength: size,
      contentType: "application/zip",
      multipartThreshold: 4 * MiB,
      partSize: 5 * MiB,
    });
    expect(result).toEqual({ sha256: expectedSha, size, multipart: true });
    expect(await storedHex(key)).toEqual({ sha: expectedSha, size, contentType: "application/zip" });
  });

  it("no length known at all: multipart, and an exact multiple of the part size works", async () => {
    const size = 10 * MiB;
    const key = freshKey();
    const expectedSha = await digestOfStream(generatedStream(size, 3000));
    const result = await storeStream(env.BLOBS, key, generatedStream(size, 3000), {
      expectedSize: null,
      contentLength: null,
      contentType: "application/octet-stream",
      partSize: 5 * MiB,
    });
    expect(result).toEqual({ sha256: expectedSha, size, multipart: true });
    expect((await storedHex(key)).sha).toBe(expectedSha);
  });

  it("no length and an empty body stores an empty object", async () => {
    const key = freshKey();
    const result = await storeStream(env.BLOBS, key, generatedStream(0), {
      expectedSize: null,
      contentLength: null,
      contentType: "text/plain",
    });
    expect(result).toEqual({ sha256: await subtleHex(new Uint8Array(0)), size: 0, multipart: true });
    expect((await env.BLOBS.head(key))?.size).toBe(0);
  });

  it.each([
    ["fewer", 11 * MiB, 11 * MiB - 1],
    ["more", 11 * MiB, 11 * MiB + 1],
  ])(
    "multipart: %s bytes than expected aborts the upload and stores nothing",
    async (_, expected, actual) => {
      const key = freshKey();
      const error = await storeStream(env.BLOBS, key, generatedStream(actual), {
        expectedSize: expected,
        contentLength: null,
        contentType: "application/octet-stream",
        multipartThreshold: 5 * MiB,
        partSize: 5 * MiB,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SizeMismatchError);
      expect(await env.BLOBS.head(key)).toBeNull();
    },
  );

  it("a source that fails mid-way propagates its error and leaves no object", async () => {
    const key = freshKey();
    let pulls = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++pulls > 3) controller.error(new Error("connection reset"));
        else controller.enqueue(new Uint8Array(1000));
      },
    });
    await expect(
      storeStream(env.BLOBS, key, failing, { expectedSize: 10_000, contentLength: null, contentType: "x/y" }),
    ).rejects.toThrow("connection reset");
    expect(await env.BLOBS.head(key)).toBeNull();
  });

  it("refuses a part size below R2's 5 MiB minimum", async () => {
    await expect(
      storeStream(env.BLOBS, freshKey(), generatedStream(10), {
        expectedSize: null,
        contentLength: null,
        contentType: "x/y",
        partSize: MiB,
      }),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it("a 64 MiB generated stream goes through with the right hash and size (never buffered whole)", async () => {
    // Memory is not asserted (the test cannot see the isolate's heap); it was measured from outside, as
    // workerd's peak RSS, while developing. What is asserted is correctness at volume.
    const size = 64 * MiB + 1;
    const key = freshKey();
    const expectedSha = await digestOfStream(generatedStream(size, 256 * 1024));
    const result = await storeStream(env.BLOBS, key, generatedStream(size, 256 * 1024), {
      expectedSize: size,
      contentLength: null,
      contentType: "application/octet-stream",
    });
    expect(result).toEqual({ sha256: expectedSha, size, multipart: false });
    expect((await env.BLOBS.head(key))?.size).toBe(size);
    await env.BLOBS.delete(key);
  }, 240_000);
});
