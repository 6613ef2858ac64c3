/**
 * File bytes: sizes, streams and SHA-256 for the three content variants. Synthetic content is a pure function
 * of (seed, key, chunk index), so a 1 GB file can be streamed on the fly in 64 KiB chunks without ever existing
 * in memory, and hashed the same way (once, cached) for truth().
 */
import { Rng, mix } from "../rng";
import { Sha256 } from "./sha256";
import type { FileContent } from "./model";

export const CHUNK_SIZE = 64 * 1024;
/** Below this, synthetic content is assembled and hashed natively (crypto.subtle is much faster than JS). */
const NATIVE_HASH_LIMIT = 32 * 1024 * 1024;

const WORDS = [
  "data",
  "lecture",
  "notes",
  "sample",
  "record",
  "value",
  "index",
  "course",
  "week",
  "topic",
  "result",
  "figure",
  "table",
  "section",
  "summary",
  "review",
  "module",
  "reading",
  "answer",
  "question",
];

/** Narrows to an ArrayBuffer-backed view (what Response/crypto.subtle accept), copying only when necessary. */
export function arrayBacked(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Materialises small content (bytes and lazy documents); null for synthetic content. */
export function materialize(content: FileContent): Uint8Array | null {
  if (content.kind === "bytes") return content.bytes;
  if (content.kind === "lazy") {
    if (content.cache.bytes === null) content.cache.bytes = content.make();
    return content.cache.bytes;
  }
  return null;
}

/** The real number of bytes served. */
export function contentSize(content: FileContent): number {
  if (content.kind === "synthetic") return content.size;
  if (content.kind === "lazy" && content.size !== null) return content.size;
  return materialize(content)?.length ?? 0;
}

/** Chunk `index` of synthetic content: random bytes, or ASCII word lines for text-like files. */
export function syntheticChunk(
  seed: number,
  key: number,
  index: number,
  length: number,
  text: boolean,
): Uint8Array {
  const out = new Uint8Array(length);
  const chunkSeed = mix(seed, key, index);
  if (text) {
    const rng = new Rng(chunkSeed);
    let pos = 0;
    let lineLen = 0;
    while (pos < length) {
      const word = rng.pick(WORDS);
      for (let i = 0; i < word.length && pos < length; i++) out[pos++] = word.charCodeAt(i);
      lineLen += word.length + 1;
      if (pos < length) out[pos++] = lineLen > 72 ? 10 : 32;
      if (lineLen > 72) lineLen = 0;
    }
    return out;
  }
  // xorshift32 over whole words: ~1 GB/s, which keeps "1 GB on the fly" realistic.
  const words = length >>> 2;
  const view = new Uint32Array(out.buffer, 0, words);
  let x = chunkSeed | 1;
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view[i] = x;
  }
  for (let i = words * 4; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Calls `visit` with every chunk of the content in order (synchronously generated). */
function forEachChunk(content: FileContent, seed: number, visit: (chunk: Uint8Array) => void): void {
  if (content.kind !== "synthetic") {
    visit(materialize(content) ?? new Uint8Array(0));
    return;
  }
  for (let offset = 0, index = 0; offset < content.size; offset += CHUNK_SIZE, index++) {
    visit(
      syntheticChunk(seed, content.key, index, Math.min(CHUNK_SIZE, content.size - offset), content.text),
    );
  }
}

/**
 * A pull-driven stream of the content: one chunk is produced per read, so memory stays at one chunk no matter
 * how big the file is. `limit` cuts the stream short (truncation faults); `onBytes` feeds the counters.
 */
export function openContentStream(
  content: FileContent,
  seed: number,
  options: { limit?: number; onBytes?: (n: number) => void; failAtLimit?: boolean } = {},
): ReadableStream<Uint8Array> {
  const size = contentSize(content);
  const limit = Math.min(size, options.limit ?? size);
  const whole = content.kind === "synthetic" ? null : materialize(content);
  let offset = 0;
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= limit) {
          if (options.failAtLimit === true && limit < size)
            controller.error(new TypeError("connection reset"));
          else controller.close();
          return;
        }
        const length = Math.min(CHUNK_SIZE, limit - offset);
        let chunk: Uint8Array;
        if (whole !== null) chunk = whole.slice(offset, offset + length);
        else if (content.kind === "synthetic") {
          chunk = syntheticChunk(seed, content.key, index, Math.min(CHUNK_SIZE, size - offset), content.text);
          if (chunk.length > length) chunk = chunk.slice(0, length);
        } else chunk = new Uint8Array(0);
        offset += length;
        index++;
        options.onBytes?.(chunk.length);
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

const hashCache = new WeakMap<FileContent, Promise<string>>();

interface DigestStreamLike extends WritableStream<Uint8Array> {
  readonly digest: Promise<ArrayBuffer>;
}
type DigestStreamConstructor = new (algorithm: string) => DigestStreamLike;

function isConstructor(value: unknown): value is DigestStreamConstructor {
  return typeof value === "function";
}

/** workerd's non-standard streaming digest, when running there; null elsewhere (Node, browsers). */
function nativeDigestStream(): DigestStreamConstructor | null {
  const candidate: unknown = Reflect.get(crypto, "DigestStream");
  return isConstructor(candidate) ? candidate : null;
}

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 hex of exactly the bytes served; computed once per content and cached (1 GB takes seconds). */
export function contentSha256(
  content: FileContent,
  seed: number,
  hasher?: HasherFactory | null,
): Promise<string> {
  const cached = hashCache.get(content);
  if (cached !== undefined) return cached;
  const promise = computeSha256(content, seed, hasher ?? null);
  hashCache.set(content, promise);
  return promise;
}

/** An incremental SHA-256 the host may inject (the Node server passes node:crypto, ~10x the JS fallback). */
export interface IncrementalHash {
  update(bytes: Uint8Array): void;
  digestHex(): string;
}
export type HasherFactory = () => IncrementalHash;

async function computeSha256(
  content: FileContent,
  seed: number,
  injected: HasherFactory | null,
): Promise<string> {
  const size = contentSize(content);
  const small = materialize(content);
  if (small !== null) return hex(await crypto.subtle.digest("SHA-256", arrayBacked(small)));
  if (content.kind !== "synthetic" || size <= NATIVE_HASH_LIMIT) {
    const whole = new Uint8Array(size);
    let offset = 0;
    forEachChunk(content, seed, (chunk) => {
      whole.set(chunk, offset);
      offset += chunk.length;
    });
    return hex(await crypto.subtle.digest("SHA-256", whole));
  }
  const native = nativeDigestStream();
  if (native !== null) {
    // workerd's crypto.DigestStream hashes natively chunk by chunk (much faster than the JS fallback below).
    const stream = new native("SHA-256");
    const writer = stream.getWriter();
    for (let offset = 0, index = 0; offset < size; offset += CHUNK_SIZE, index++) {
      await writer.write(
        syntheticChunk(seed, content.key, index, Math.min(CHUNK_SIZE, size - offset), content.text),
      );
    }
    await writer.close();
    return hex(await stream.digest);
  }
  const hasher: IncrementalHash = injected === null ? new Sha256() : injected();
  for (let offset = 0, index = 0; offset < size; offset += CHUNK_SIZE, index++) {
    hasher.update(
      syntheticChunk(seed, content.key, index, Math.min(CHUNK_SIZE, size - offset), content.text),
    );
    // Yield now and then so a long hash does not starve the event loop (and in-flight requests).
    if (index % 256 === 255) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return hasher.digestHex();
}
