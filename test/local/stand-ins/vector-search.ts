/**
 * @module stand-ins/vector-search
 * Exact (brute-force) nearest-neighbour search with Vectorize's query semantics, over vectors held
 * by whoever calls it: namespace scoping, metadata filters, topK limits, metric-specific scores and
 * ordering, and the `returnValues` / `returnMetadata` shapes. Pure; shared by the local D1 stand-in
 * and the in-memory index so both answer queries the same way.
 *
 * Filter semantics where Vectorize's documentation is silent (choices, not measurements): a field
 * that is missing (or not metadata-indexed, or holds a value of another type) fails `$eq`, `$in` and
 * the range operators and passes `$ne` and `$nin`; `{ $eq: null }` matches a missing field.
 */
import {
  DEFAULT_TOP_K,
  type DistanceMetric,
  type FilterScalar,
  INDEXED_STRING_BYTES,
  MAX_TOP_K,
  MAX_TOP_K_WITH_DATA,
  type MetadataLevel,
  type VectorFilter,
  type VectorMatch,
  type VectorMatches,
  type VectorMetadata,
  type VectorQueryOptions,
  type VectorValues,
} from "../../../src/ports/vector-index";

/** A vector as an index holds it. */
export interface StoredVector {
  id: string;
  values: VectorValues;
  namespace?: string;
  metadata?: VectorMetadata;
}

export type MetadataIndexType = "string" | "number" | "boolean";

export interface SearchConfig {
  metric: DistanceMetric;
  /**
   * Metadata indexes (property -> type), as created with `wrangler vectorize create-metadata-index`.
   * Undefined means "every property is indexed", the convenient default for local work.
   */
  metadataIndexes?: ReadonlyMap<string, MetadataIndexType> | undefined;
}

export interface ResolvedQuery {
  topK: number;
  namespace: string | undefined;
  returnValues: boolean;
  metadata: MetadataLevel;
  filter: VectorFilter | undefined;
}

/** Applies defaults and the service's topK limits; throws a RangeError as the service would. */
export function resolveQuery(options: VectorQueryOptions | undefined): ResolvedQuery {
  const o = options ?? {};
  const metadata: MetadataLevel =
    o.returnMetadata === true ? "all" : o.returnMetadata === false ? "none" : (o.returnMetadata ?? "none");
  const returnValues = o.returnValues ?? false;
  const topK = o.topK ?? DEFAULT_TOP_K;
  const max = returnValues || metadata === "all" ? MAX_TOP_K_WITH_DATA : MAX_TOP_K;
  if (!Number.isInteger(topK) || topK < 1 || topK > max) {
    throw new RangeError(
      `topK must be an integer from 1 to ${max}` +
        (max === MAX_TOP_K_WITH_DATA ? ' when returnValues is true or returnMetadata is "all"' : ""),
    );
  }
  return { topK, namespace: o.namespace, returnValues, metadata, filter: o.filter };
}

function truncateUtf8(s: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.byteLength <= maxBytes) return s;
  // A non-fatal decoder turns a code point cut at the boundary into U+FFFD, dropped here.
  return new TextDecoder().decode(bytes.slice(0, maxBytes)).replace(/\uFFFD$/u, "");
}

function readPath(metadata: VectorMetadata | undefined, path: string): unknown {
  if (metadata === undefined) return undefined;
  if (Object.hasOwn(metadata, path)) return metadata[path];
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  const head = metadata[path.slice(0, dot)];
  if (typeof head !== "object" || head === null || Array.isArray(head)) return undefined;
  const rest = path.slice(dot + 1);
  return Object.hasOwn(head, rest) ? head[rest] : undefined;
}

/** The value a filter sees for `path`: undefined unless it is an indexed scalar of the right type. */
function indexedValue(
  metadata: VectorMetadata | undefined,
  path: string,
  indexes: SearchConfig["metadataIndexes"],
): FilterScalar | undefined {
  const raw = readPath(metadata, path);
  if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") return undefined;
  if (indexes !== undefined) {
    const type = indexes.get(path);
    if (type === undefined || typeof raw !== type) return undefined;
  }
  return typeof raw === "string" ? truncateUtf8(raw, INDEXED_STRING_BYTES) : raw;
}

function same(a: FilterScalar | undefined, b: FilterScalar): boolean {
  if (a === undefined || typeof a !== typeof b) return false;
  return typeof b === "string" ? a === truncateUtf8(b, INDEXED_STRING_BYTES) : a === b;
}

function ordered(a: FilterScalar | undefined, b: FilterScalar | null | undefined): number | undefined {
  if (a === undefined || b === null || b === undefined || typeof a !== typeof b || typeof a === "boolean") {
    return undefined;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const isScalar = (x: unknown): x is FilterScalar =>
  typeof x === "string" || typeof x === "number" || typeof x === "boolean";

function matchesCondition(value: FilterScalar | undefined, cond: VectorFilter[string]): boolean {
  if (cond === null) return value === undefined;
  if (typeof cond !== "object") return same(value, cond);
  for (const [op, arg] of Object.entries(cond)) {
    if (arg === undefined) continue;
    let ok: boolean;
    if (op === "$in" || op === "$nin") {
      const hit = Array.isArray(arg) && arg.some((x) => same(value, x));
      ok = op === "$in" ? hit : !hit;
    } else if (op === "$eq" || op === "$ne") {
      const hit = arg === null ? value === undefined : isScalar(arg) && same(value, arg);
      ok = op === "$eq" ? hit : !hit;
    } else {
      const c = isScalar(arg) ? ordered(value, arg) : undefined;
      if (op !== "$lt" && op !== "$lte" && op !== "$gt" && op !== "$gte") {
        throw new RangeError(`unsupported filter operator ${op}`);
      }
      ok = c !== undefined && (op === "$lt" ? c < 0 : op === "$lte" ? c <= 0 : op === "$gt" ? c > 0 : c >= 0);
    }
    if (!ok) return false;
  }
  return true;
}

/** True when `metadata` satisfies every condition of `filter` (implicit AND). */
export function matchesFilter(
  metadata: VectorMetadata | undefined,
  filter: VectorFilter | undefined,
  indexes?: SearchConfig["metadataIndexes"],
): boolean {
  if (filter === undefined) return true;
  for (const [path, cond] of Object.entries(filter)) {
    if (!matchesCondition(indexedValue(metadata, path, indexes), cond)) return false;
  }
  return true;
}

/** The metric's score: cosine and dot-product (higher is closer), euclidean distance (lower is). */
export function scoreVectors(metric: DistanceMetric, q: VectorValues, v: VectorValues): number {
  let dot = 0;
  let nq = 0;
  let nv = 0;
  let dist = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i] ?? 0;
    const b = v[i] ?? 0;
    dot += a * b;
    nq += a * a;
    nv += b * b;
    dist += (a - b) * (a - b);
  }
  if (metric === "euclidean") return Math.sqrt(dist);
  if (metric === "dot-product") return dot;
  return nq === 0 || nv === 0 ? 0 : dot / Math.sqrt(nq * nv);
}

function indexedMetadata(metadata: VectorMetadata, indexes: SearchConfig["metadataIndexes"]): VectorMetadata {
  const out: VectorMetadata = {};
  const paths = indexes === undefined ? Object.keys(metadata) : [...indexes.keys()];
  for (const path of paths) {
    const v = indexedValue(metadata, path, indexes);
    if (v !== undefined) out[path] = v;
  }
  return out;
}

/** Shapes one hit as the service returns it for the requested value / metadata levels. */
export function shapeMatch(
  v: StoredVector,
  score: number,
  q: ResolvedQuery,
  indexes: SearchConfig["metadataIndexes"],
): VectorMatch {
  const m: VectorMatch = { id: v.id, score };
  if (v.namespace !== undefined) m.namespace = v.namespace;
  if (q.returnValues) m.values = Array.from(v.values);
  if (q.metadata !== "none" && v.metadata !== undefined) {
    m.metadata = q.metadata === "all" ? structuredClone(v.metadata) : indexedMetadata(v.metadata, indexes);
  }
  return m;
}

/**
 * Exact search: keeps the vectors in the query's namespace (all of them when none is given) that
 * pass the filter, ranks them by the metric (ties by id, for stable results) and returns topK.
 */
export function searchVectors(
  vectors: Iterable<StoredVector>,
  query: VectorValues,
  options: VectorQueryOptions | undefined,
  config: SearchConfig,
): VectorMatches {
  const q = resolveQuery(options);
  const scored: { v: StoredVector; score: number }[] = [];
  for (const v of vectors) {
    if (v.values.length !== query.length) {
      throw new RangeError(`query has ${query.length} dimensions; the index has ${v.values.length}`);
    }
    if (q.namespace !== undefined && v.namespace !== q.namespace) continue;
    if (!matchesFilter(v.metadata, q.filter, config.metadataIndexes)) continue;
    scored.push({ v, score: scoreVectors(config.metric, query, v.values) });
  }
  const ascending = config.metric === "euclidean";
  scored.sort((a, b) =>
    a.score === b.score
      ? a.v.id < b.v.id
        ? -1
        : a.v.id > b.v.id
          ? 1
          : 0
      : ascending
        ? a.score - b.score
        : b.score - a.score,
  );
  const matches = scored.slice(0, q.topK).map((s) => shapeMatch(s.v, s.score, q, config.metadataIndexes));
  return { matches, count: matches.length };
}

/** Parses `VECTOR_METADATA_INDEXES`-style config: "ntrgm:number,course:string". */
export function parseMetadataIndexes(spec: string | undefined): Map<string, MetadataIndexType> | undefined {
  if (spec === undefined || spec.trim() === "") return undefined;
  const out = new Map<string, MetadataIndexType>();
  for (const part of spec.split(",")) {
    const [name, type] = part.split(":").map((s) => s.trim());
    if (!name || (type !== "string" && type !== "number" && type !== "boolean")) {
      throw new RangeError(`bad metadata index "${part}": expected name:string|number|boolean`);
    }
    out.set(name, type);
  }
  return out;
}
