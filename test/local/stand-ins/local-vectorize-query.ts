/**
 * @module dev/local-vectorize-query
 * How the local Vectorize stand-in answers a query over its index (local-vectorize-index.ts). A scope (namespace,
 * or the whole index) of up to `minVectors` vectors, or an index not trained yet, is scanned exactly. Otherwise the
 * query reads the cells closest to it (at least MIN_PROBED_CELLS, and on until topK vectors pass its filters), plus
 * any vector not yet filed under the current centroids, and scores those exactly (vector-search.ts). So,
 * like Vectorize, the answer is approximate: a neighbour filed in a cell the query did not visit is missed. With a
 * filter, cells are probed on metadata alone (as Vectorize's metadata indexes filter first) and only the vectors
 * that pass are read.
 */
import { z } from "zod";
import type {
  VectorMatches,
  VectorMetadata,
  VectorQueryOptions,
  VectorValues,
} from "../../../src/ports/vector-index";
import { parseMetadata } from "./vector-schemas";
import {
  type SearchConfig,
  type StoredVector,
  matchesFilter,
  resolveQuery,
  searchVectors,
} from "./vector-search";
import type { StandinIndex } from "./local-vectorize-index";
import { MIN_PROBED_CELLS, cellsByCloseness } from "./local-vectorize-ivf";
import { VECTOR_COLUMNS, chunks, rowToVector } from "./local-vectorize-store";

/** Cells per probing statement, written inline (integers we computed), so D1's parameter limit does not apply. */
const CELLS_PER_READ = 64;
/** Ids per statement when reading the vectors that passed a filter (one JSON parameter). */
const IDS_PER_READ = 2000;

const MetadataRowSchema = z.object({ id: z.string(), metadata: z.string().nullable() });

/** How a query was answered, for tests and the benchmark. */
export interface QueryPlan {
  strategy: "exact" | "ivf";
  /** vectors in the query's scope (its namespace, or the whole index) */
  scope: number;
  /** vectors read and scored */
  rowsRead: number;
  /** rows whose metadata alone was read to apply the filter before reading vectors */
  metadataRead: number;
  cellsProbed: number;
}

export interface QueryScope {
  db: D1Database;
  /** the stand-in index name */
  name: string;
  index: StandinIndex;
  search: SearchConfig;
  /** scopes up to this size are scanned exactly */
  minVectors: number;
}

/** Answers a query (the caller has applied due writes and validated the vector), with the plan it used. */
export async function queryStandin(
  scope: QueryScope,
  values: VectorValues,
  options: VectorQueryOptions | undefined,
): Promise<{ result: VectorMatches; plan: QueryPlan }> {
  const q = resolveQuery(options);
  const size = await scope.index.count(q.namespace);
  const state = size <= scope.minVectors ? null : await scope.index.state();
  if (state === null) {
    const all = (await select(scope, VECTOR_COLUMNS, q.namespace, "")).map(rowToVector);
    const result = searchVectors(all, values, options, scope.search);
    const plan: QueryPlan = {
      strategy: "exact",
      scope: size,
      rowsRead: all.length,
      metadataRead: 0,
      cellsProbed: 0,
    };
    return { result, plan };
  }
  // With a filter, cells are probed on metadata alone (as Vectorize's metadata indexes filter first) and only the
  // vectors that pass are read; without one, every vector in a probed cell is a candidate.
  const filtered = q.filter !== undefined;
  const columns = filtered ? "id, metadata" : VECTOR_COLUMNS;
  const passes = (metadata: VectorMetadata | undefined): boolean =>
    matchesFilter(metadata, q.filter, scope.search.metadataIndexes);
  const keep = (rows: Record<string, unknown>[]): { id: string; row: Record<string, unknown> }[] =>
    rows.flatMap((row) => {
      const probe = filtered ? MetadataRowSchema.parse(row) : null;
      if (
        probe !== null &&
        !passes(probe.metadata === null ? undefined : parseMetadata(JSON.parse(probe.metadata)))
      )
        return [];
      return [{ id: String(row["id"]), row }];
    });
  // Vectors not filed under these centroids yet are always candidates.
  const stale = await select(
    scope,
    columns,
    q.namespace,
    "AND (ivf_version IS NULL OR ivf_version < ?)",
    state.version,
  );
  let seen = stale.length;
  const kept = keep(stale);
  const order = cellsByCloseness(scope.search.metric, state.centroids, values);
  let probed = 0;
  while (probed < order.length && (probed < MIN_PROBED_CELLS || kept.length < q.topK)) {
    const step = probed < MIN_PROBED_CELLS ? MIN_PROBED_CELLS : Math.min(CELLS_PER_READ, probed);
    const cells = order.slice(probed, probed + step).filter((cell) => Number.isInteger(cell));
    probed += cells.length;
    const rows = await select(
      scope,
      columns,
      q.namespace,
      `AND ivf_version = ? AND cell IN (${cells.join(",")})`,
      state.version,
    );
    seen += rows.length;
    kept.push(...keep(rows));
  }
  const candidates = filtered
    ? await readIds(
        scope,
        kept.map((k) => k.id),
      )
    : kept.map((k) => rowToVector(k.row));
  const result = searchVectors(candidates, values, options, scope.search);
  const plan: QueryPlan = {
    strategy: "ivf",
    scope: size,
    rowsRead: candidates.length,
    metadataRead: filtered ? seen : 0,
    cellsProbed: probed,
  };
  return { result, plan };
}

async function readIds(scope: QueryScope, ids: readonly string[]): Promise<StoredVector[]> {
  const out: StoredVector[] = [];
  for (const part of chunks(ids, IDS_PER_READ)) {
    const rows = await scope.db
      .prepare(
        `SELECT ${VECTOR_COLUMNS} FROM standin_vectors WHERE index_name = ? AND id IN (SELECT value FROM json_each(?))`,
      )
      .bind(scope.name, JSON.stringify(part))
      .all();
    out.push(...rows.results.map(rowToVector));
  }
  return out;
}

async function select(
  scope: QueryScope,
  columns: string,
  namespace: string | undefined,
  condition: string,
  version?: number,
): Promise<Record<string, unknown>[]> {
  const params: (string | number)[] = [scope.name];
  let sql = `SELECT ${columns} FROM standin_vectors WHERE index_name = ?`;
  if (namespace !== undefined) {
    sql += " AND namespace = ?";
    params.push(namespace);
  }
  if (condition !== "") {
    sql += ` ${condition}`;
    if (version !== undefined) params.push(version);
  }
  const rows = await scope.db
    .prepare(sql)
    .bind(...params)
    .all();
  return rows.results;
}
