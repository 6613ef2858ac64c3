/**
 * Test helper: deterministic pseudo-random byte streams of any length, produced chunk by chunk so that even
 * hundreds of MB never exist in memory at once, plus an independent way to hash the same bytes.
 */

/** Fills `out` with xorshift32 output seeded by `seed` (same seed, same bytes). */
function fill(out: Uint8Array, seed: number): void {
  let x = (seed * 2654435761) >>> 0 || 1;
  const words = new Uint32Array(out.buffer, out.byteOffset, Math.floor(out.byteLength / 4));
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  for (let i = words.length * 4; i < out.byteLength; i++) out[i] = i & 0xff;
}

/** A stream of `total` bytes in chunks of `chunkSize` (the last one shorter); a new buffer per chunk. */
export function generatedStream(total: number, chunkSize = 64 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) {
          controller.close();
          return;
        }
        const size = Math.min(chunkSize, total - sent);
        const chunk = new Uint8Array(size);
        fill(chunk, index++);
        sent += size;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The same bytes as one array (only for sizes that fit comfortably in memory). */
export async function generatedBytes(total: number, chunkSize = 64 * 1024): Promise<Uint8Array> {
  return new Uint8Array(await new Response(generatedStream(total, chunkSize)).arrayBuffer());
}

export function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of a stream through crypto.DigestStream (checked against crypto.subtle.digest in the tests). */
export async function digestOfStream(stream: ReadableStream<Uint8Array>): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  await stream.pipeTo(digest);
  return hex(await digest.digest);
}
