/**
 * @module ports/vector-index
 * The vector-index port: the part of Cloudflare's `Vectorize` binding that dedup and the course purge use, written
 * structurally so that the production binding, the local D1 stand-in (test/local/stand-ins/local-vectorize.ts) and
 * the in-memory index (test/local/stand-ins/memory-vector-index.ts) all satisfy it. These types mirror the
 * `Vectorize` runtime types but are declared here so the module also compiles for Node (the benchmark CLI), where
 * the ambient Workers types are not loaded. The service's documented limits sit next to the port: production
 * relies on some of them (topK, id length, indexed string length) and the stand-ins enforce all of them.
 */

/** Vector ids and namespaces are at most 64 bytes (UTF-8). */
export const MAX_ID_BYTES = 64;
export const MAX_NAMESPACE_BYTES = 64;
/** Metadata per vector is at most 10 KiB (as JSON). */
export const MAX_METADATA_BYTES = 10 * 1024;
/** A Worker writes at most 1,000 vectors per insert/upsert (and deletes or gets at most 1,000 ids). */
export const MAX_VECTORS_PER_WRITE = 1000;
/** A metadata filter's JSON must be under 2,048 bytes. */
export const MAX_FILTER_BYTES = 2048;
/** topK: default 5, at most 100, or 20 with `returnValues` or `returnMetadata: "all"`. */
export const DEFAULT_TOP_K = 5;
export const MAX_TOP_K = 100;
export const MAX_TOP_K_WITH_DATA = 20;
/** Indexed string metadata is kept (and compared) on its first 64 bytes. */
export const INDEXED_STRING_BYTES = 64;

/** A metadata value Vectorize can store. */
export type VectorMetadataValue = string | number | boolean | string[];
export type VectorMetadata = Record<string, VectorMetadataValue | Record<string, VectorMetadataValue>>;

/** Scalar a filter can compare with. */
export type FilterScalar = string | number | boolean;
export type FilterOperator = "$eq" | "$ne" | "$lt" | "$lte" | "$gt" | "$gte";
export type FilterCollectionOperator = "$in" | "$nin";

/**
 * Metadata filter: `{ field: value }` (implicit `$eq`), `{ field: { $op: value, ... } }`, dotted
 * paths for nested metadata. All conditions must hold (Vectorize has no OR).
 */
export type FilterOperators = { [Op in FilterOperator]?: FilterScalar | null | undefined } & {
  [Op in FilterCollectionOperator]?: FilterScalar[] | undefined;
};
export type VectorFilter = { [field: string]: FilterScalar | null | FilterOperators };

export type VectorValues = Float32Array | Float64Array | number[];

export interface VectorRecord {
  id: string;
  values: VectorValues;
  namespace?: string;
  metadata?: VectorMetadata;
}

export type MetadataLevel = "all" | "indexed" | "none";

export interface VectorQueryOptions {
  /** Default 5; max 100, or 20 with `returnValues` or `returnMetadata: "all"`. */
  topK?: number;
  namespace?: string;
  returnValues?: boolean;
  /** `true` means "all", `false` "none" (the older boolean form). */
  returnMetadata?: boolean | MetadataLevel;
  filter?: VectorFilter;
}

export interface VectorMatch {
  id: string;
  score: number;
  values?: VectorValues;
  namespace?: string;
  metadata?: VectorMetadata;
}

export interface VectorMatches {
  matches: VectorMatch[];
  count: number;
}

export interface VectorMutation {
  mutationId: string;
}

export interface VectorIndexInfo {
  vectorCount: number;
  dimensions: number;
  /** Last applied mutation: a mutation id string (the runtime types say number). */
  processedUpToMutation: string | number;
  processedUpToDatetime: string | number;
}

export type DistanceMetric = "cosine" | "euclidean" | "dot-product";

/**
 * The subset of `Vectorize` used here. Methods return `PromiseLike` so an RPC stub (whose results
 * are thenables) fits as well as the real binding.
 */
export interface VectorIndexPort {
  query(vector: VectorValues, options?: VectorQueryOptions): PromiseLike<VectorMatches>;
  queryById(id: string, options?: VectorQueryOptions): PromiseLike<VectorMatches>;
  insert(vectors: VectorRecord[]): PromiseLike<VectorMutation>;
  upsert(vectors: VectorRecord[]): PromiseLike<VectorMutation>;
  deleteByIds(ids: string[]): PromiseLike<VectorMutation>;
  getByIds(ids: string[]): PromiseLike<VectorRecord[]>;
  describe(): PromiseLike<VectorIndexInfo>;
}

const PORT_METHODS = [
  "query",
  "queryById",
  "insert",
  "upsert",
  "deleteByIds",
  "getByIds",
  "describe",
] as const;

/**
 * Narrows a binding (the Vectorize binding, or the stand-in's RPC stub, whose generated type is a
 * union) to the port by checking that it has the methods, so callers need no type assertion.
 */
export function isVectorIndexPort(binding: unknown): binding is VectorIndexPort {
  return (
    typeof binding === "object" &&
    binding !== null &&
    PORT_METHODS.every((m) => typeof Reflect.get(binding, m) === "function")
  );
}

/** What `findNearDuplicates` needs: one query. */
export type VectorQueryPort = Pick<VectorIndexPort, "query">;
