/**
 * @module dedup/vectors/vector-record
 * What one extracted text looks like in the vector index: a deterministic vector id, the lexical
 * vector, and the metadata the near-duplicate query relies on. Keeping this in one place means the
 * writer (sync pipeline) and the reader (`findNearDuplicates`) cannot disagree on field names.
 *
 * Metadata (create these metadata indexes BEFORE the first write; vectors written earlier are not
 * filterable on them):
 *   ntrgm  number  distinct trigram count; the exact size-range pre-filter queries it
 *   th     string  text hash of the indexed version; lets a check recognise its own current vector
 *   course string  optional; course scoping by metadata instead of by namespace
 */
import { DEFAULT_DIMENSIONS, vectorFromTrigrams } from "../embedding";
import { type TrigramLocale, trigramSet } from "../trigram";
import type { VectorMetadata, VectorRecord } from "../../ports/vector-index";
import { MAX_ID_BYTES } from "../../ports/vector-index";

export const META_TRIGRAM_COUNT = "ntrgm";
export const META_TEXT_HASH = "th";
export const META_COURSE = "course";

const HASHED_ID_PREFIX = "~";

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/u, "");
}

/**
 * Deterministic Vectorize id for an item key (e.g. "canvas.example.edu:file:123"). Keys up to 64
 * UTF-8 bytes are used as they are, so ids stay readable; longer keys (and keys that start with
 * "~", to keep the mapping one-to-one) become "~" + base64url(SHA-256(key)), 44 bytes.
 */
export async function vectorIdFor(itemKey: string): Promise<string> {
  if (itemKey.length === 0) throw new RangeError("item key must not be empty");
  const bytes = new TextEncoder().encode(itemKey);
  if (bytes.byteLength <= MAX_ID_BYTES && !itemKey.startsWith(HASHED_ID_PREFIX)) return itemKey;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return HASHED_ID_PREFIX + base64url(digest);
}

export interface LexicalVectorInput {
  /** Vector id, from `vectorIdFor`. */
  id: string;
  text: string;
  /** Hash of `text` (e.g. its SHA-256 hex); stored as `th` so a later query can recognise it. */
  textHash?: string;
  namespace?: string;
  /** Course id, stored as `course` for metadata-filter scoping. */
  course?: string;
  dimensions?: number;
  locale?: TrigramLocale;
}

export interface LexicalVector {
  record: VectorRecord;
  /** The trigram set, returned so callers that go on to query do not recompute it. */
  trigrams: Set<string>;
}

/** Builds the record to upsert for one text (ids are item ids, so an upsert replaces the old one). */
export function lexicalVectorRecord(input: LexicalVectorInput): LexicalVector {
  const trigrams = trigramSet(input.text, input.locale === undefined ? undefined : { locale: input.locale });
  const metadata: VectorMetadata = { [META_TRIGRAM_COUNT]: trigrams.size };
  if (input.textHash !== undefined) metadata[META_TEXT_HASH] = input.textHash;
  if (input.course !== undefined) metadata[META_COURSE] = input.course;
  const record: VectorRecord = {
    id: input.id,
    values: vectorFromTrigrams(trigrams, input.dimensions ?? DEFAULT_DIMENSIONS),
    metadata,
  };
  if (input.namespace !== undefined) record.namespace = input.namespace;
  return { record, trigrams };
}
