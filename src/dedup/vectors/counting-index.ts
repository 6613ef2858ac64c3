/**
 * @module dedup/vectors/counting-index
 * Wraps a vector index so every call a dedup pass makes is counted where it happens: queries (what Vectorize
 * bills per dimension queried), vectors written and vectors deleted. The pass only ever sees the wrapped index,
 * so the counts cannot miss a call; they feed the job report, metric counters and tests.
 */
import type { VectorIndexPort, VectorQueryPort, VectorRecord } from "../../ports/vector-index";

/** The calls a dedup pass makes. */
export type DedupIndexPort = VectorQueryPort & Pick<VectorIndexPort, "upsert" | "deleteByIds">;

export interface IndexCounts {
  queries: number;
  upserted: number;
  deleted: number;
}

export function countingIndex(inner: DedupIndexPort): { index: DedupIndexPort; counts: IndexCounts } {
  const counts: IndexCounts = { queries: 0, upserted: 0, deleted: 0 };
  const index: DedupIndexPort = {
    query: (vector, options) => {
      counts.queries++;
      return inner.query(vector, options);
    },
    upsert: (vectors: VectorRecord[]) => {
      counts.upserted += vectors.length;
      return inner.upsert(vectors);
    },
    deleteByIds: (ids: string[]) => {
      counts.deleted += ids.length;
      return inner.deleteByIds(ids);
    },
  };
  return { index, counts };
}
