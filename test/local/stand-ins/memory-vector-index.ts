/**
 * @module dedup/memory-vector-index
 * An in-process vector index with the Vectorize binding's interface and exact search, for the
 * quality benchmark (run in Node or workerd without bindings) and unit tests. Like Vectorize, writes
 * go to an ordered mutation log and become visible to reads only after they are applied: by
 * default at once, or `lagMs` after the write, to exercise the eventual-consistency path.
 * The local D1-backed stand-in (test/local/stand-ins/local-vectorize.ts) shares its search code.
 */
import type {
  DistanceMetric,
  VectorIndexInfo,
  VectorIndexPort,
  VectorMatches,
  VectorMutation,
  VectorQueryOptions,
  VectorRecord,
  VectorValues,
} from "../../../src/ports/vector-index";
import { parseIdList, parseQueryOptions, parseVectorBatch } from "./vector-schemas";
import { type MetadataIndexType, type StoredVector, searchVectors } from "./vector-search";

export interface MemoryVectorIndexOptions {
  dimensions?: number;
  metric?: DistanceMetric;
  metadataIndexes?: ReadonlyMap<string, MetadataIndexType>;
  /** Milliseconds before a write becomes visible (default 0: visible at once). */
  lagMs?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

type Op = { kind: "insert" | "upsert"; vectors: StoredVector[] } | { kind: "delete"; ids: string[] };

interface Pending {
  mutationId: string;
  visibleAt: number;
  op: Op;
}

function copyVector(v: VectorRecord): StoredVector {
  const out: StoredVector = { id: v.id, values: Float32Array.from(v.values) };
  if (v.namespace !== undefined) out.namespace = v.namespace;
  if (v.metadata !== undefined) out.metadata = structuredClone(v.metadata);
  return out;
}

export class MemoryVectorIndex implements VectorIndexPort {
  readonly dimensions: number;
  readonly metric: DistanceMetric;
  private readonly metadataIndexes: ReadonlyMap<string, MetadataIndexType> | undefined;
  private readonly lagMs: number;
  private readonly now: () => number;
  private readonly vectors = new Map<string, StoredVector>();
  private readonly log: Pending[] = [];
  private seq = 0;
  private processed: { mutationId: string; at: number } = { mutationId: "", at: 0 };
  /** Queries answered so far (the benchmark reports queries per changed text). */
  queryCount = 0;

  constructor(options: MemoryVectorIndexOptions = {}) {
    this.dimensions = options.dimensions ?? 384;
    this.metric = options.metric ?? "cosine";
    this.metadataIndexes = options.metadataIndexes;
    this.lagMs = options.lagMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** Applies logged mutations whose time has come, in write order (all of them with `force`). */
  catchUp(force = false): void {
    const now = this.now();
    while (this.log.length > 0) {
      const next = this.log[0];
      if (next === undefined || (!force && next.visibleAt > now)) break;
      this.log.shift();
      const { op } = next;
      if (op.kind === "delete") for (const id of op.ids) this.vectors.delete(id);
      else
        for (const v of op.vectors) {
          if (op.kind === "insert" && this.vectors.has(v.id)) continue;
          this.vectors.set(v.id, v);
        }
      this.processed = { mutationId: next.mutationId, at: Math.max(now, next.visibleAt) };
    }
  }

  private enqueue(op: Op): VectorMutation {
    this.seq += 1;
    const mutationId = `mem-${String(this.seq).padStart(8, "0")}`;
    this.log.push({ mutationId, visibleAt: this.now() + this.lagMs, op });
    this.catchUp();
    return { mutationId };
  }

  async insert(vectors: VectorRecord[]): Promise<VectorMutation> {
    return this.enqueue({
      kind: "insert",
      vectors: parseVectorBatch(vectors, this.dimensions).map(copyVector),
    });
  }

  async upsert(vectors: VectorRecord[]): Promise<VectorMutation> {
    return this.enqueue({
      kind: "upsert",
      vectors: parseVectorBatch(vectors, this.dimensions).map(copyVector),
    });
  }

  async deleteByIds(ids: string[]): Promise<VectorMutation> {
    return this.enqueue({ kind: "delete", ids: parseIdList(ids) });
  }

  async getByIds(ids: string[]): Promise<VectorRecord[]> {
    this.catchUp();
    const out: VectorRecord[] = [];
    for (const id of parseIdList(ids)) {
      const v = this.vectors.get(id);
      if (v === undefined) continue;
      const rec: VectorRecord = { id: v.id, values: Array.from(v.values) };
      if (v.namespace !== undefined) rec.namespace = v.namespace;
      if (v.metadata !== undefined) rec.metadata = structuredClone(v.metadata);
      out.push(rec);
    }
    return out;
  }

  async query(vector: VectorValues, options?: VectorQueryOptions): Promise<VectorMatches> {
    this.catchUp();
    this.queryCount += 1;
    if (vector.length !== this.dimensions) {
      throw new RangeError(`query has ${vector.length} dimensions; the index has ${this.dimensions}`);
    }
    return searchVectors(this.vectors.values(), vector, parseQueryOptions(options), {
      metric: this.metric,
      metadataIndexes: this.metadataIndexes,
    });
  }

  async queryById(id: string, options?: VectorQueryOptions): Promise<VectorMatches> {
    this.catchUp();
    const v = this.vectors.get(id);
    if (v === undefined) return { matches: [], count: 0 };
    return this.query(v.values, options);
  }

  async describe(): Promise<VectorIndexInfo> {
    this.catchUp();
    return {
      vectorCount: this.vectors.size,
      dimensions: this.dimensions,
      processedUpToMutation: this.processed.mutationId,
      processedUpToDatetime: new Date(this.processed.at).toISOString(),
    };
  }
}
