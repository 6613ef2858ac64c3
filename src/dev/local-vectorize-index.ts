/**
 * @module dev/local-vectorize-index
 * The local Vectorize stand-in's index over its D1 tables: k-means centroids (local-vectorize-ivf.ts) stored per
 * index in `standin_ivf`, each vector's cell in its row, and the query plan. A query on a scope (namespace, or the
 * whole index) of up to `minVectors` vectors, or on an index not trained yet, scans the scope exactly. Otherwise
 * it reads the cells closest to the query (at least MIN_PROBED_CELLS, and on until topK vectors pass its filters),
 * plus any vector not yet filed under the current centroids, and scores those exactly (src/dedup/vector-search.ts).
 * So, like Vectorize, the answer is approximate: a neighbour filed in a cell the query did not visit is missed.
 *
 * Training happens on the write path (`maintain`), never in a query: the first time the index reaches
 * `minVectors`, then whenever it has grown RETRAIN_GROWTH times; vectors written in between are filed under the
 * nearest existing centroid as they are applied.
 */
import { z } from "zod";
import type { VectorMatches, VectorMetadata, VectorValues } from "../dedup/vector-port";
import { parseMetadata } from "../dedup/vector-schemas";
import { type SearchConfig, resolveQuery, matchesFilter, searchVectors } from "../dedup/vector-search";
import type { VectorQueryOptions } from "../dedup/vector-port";
import {
  type Centroids,
  MIN_PROBED_CELLS,
  cellCountFor,
  cellsByCloseness,
  isPartitioned,
  nearestCell,
  needsTraining,
  samplePositions,
  trainCentroids,
} from "./local-vectorize-ivf";
import {
  type CellAssigner,
  VECTOR_COLUMNS,
  chunks,
  floatsFromHex,
  rowToVector,
} from "./local-vectorize-store";
import type { StoredVector } from "../dedup/vector-search";

/** Vectors filed per statement when (re)assigning cells (one JSON parameter). */
const ASSIGN_CHUNK = 2000;
/** Cells per probing statement, written inline (integers we computed), so D1's parameter limit does not apply. */
const CELLS_PER_READ = 64;

interface IvfState {
  version: number;
  trainedOn: number;
  centroids: Centroids;
}

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

const IvfRowSchema = z.object({
  version: z.number(),
  trained_on: z.number(),
  cells: z.number(),
  centroids: z.string().regex(/^(?:[0-9A-F]{8})*$/),
});
const CountSchema = z.object({ n: z.number() });
const IvfMetaSchema = z.object({ version: z.number(), trained_on: z.number() });
const MetadataRowSchema = z.object({ id: z.string(), metadata: z.string().nullable() });
const IdValsSchema = z.object({ id: z.string(), vals: z.string().regex(/^(?:[0-9A-F]{8})*$/) });

export class StandinIndex {
  constructor(
    private readonly db: D1Database,
    private readonly index: string,
    private readonly search: SearchConfig,
    private readonly dims: number,
    /** below this many vectors in scope, queries scan exactly and nothing is trained */
    private readonly minVectors: number,
  ) {}

  async state(): Promise<IvfState | null> {
    if (!isPartitioned(this.search.metric)) return null;
    const row = await this.db
      .prepare(
        "SELECT version, trained_on, cells, hex(centroids) AS centroids FROM standin_ivf WHERE index_name = ?",
      )
      .bind(this.index)
      .first();
    if (row === null) return null;
    const r = IvfRowSchema.parse(row);
    const values = floatsFromHex(r.centroids);
    if (values.length !== r.cells * this.dims) return null; // trained for other dimensions: retrain
    return {
      version: r.version,
      trainedOn: r.trained_on,
      centroids: { dims: this.dims, cells: r.cells, values },
    };
  }

  /** Files vectors under the current centroids as the log is applied. */
  async assigner(): Promise<CellAssigner> {
    const state = await this.state();
    if (state === null) return () => null;
    return (values) => ({
      cell: nearestCell(this.search.metric, state.centroids, values),
      version: state.version,
    });
  }

  /** After a write: trains when due, then files vectors the current centroids have not seen. */
  async maintain(): Promise<void> {
    if (!isPartitioned(this.search.metric)) return;
    const meta = await this.db
      .prepare("SELECT version, trained_on FROM standin_ivf WHERE index_name = ?")
      .bind(this.index)
      .first();
    const trained = meta === null ? null : IvfMetaSchema.parse(meta);
    const count = await this.count(undefined);
    let state: IvfState | null = null;
    if (needsTraining(count, trained?.trained_on ?? null, this.minVectors)) {
      state = await this.train(trained?.version ?? 0, count);
    } else if (trained !== null && (await this.hasUnfiled(trained.version))) {
      state = await this.state();
    }
    if (state === null) return;
    for (;;) {
      const stale = await this.db
        .prepare(
          `SELECT id, hex(vals) AS vals FROM standin_vectors
           WHERE index_name = ? AND (ivf_version IS NULL OR ivf_version < ?)
           LIMIT ${ASSIGN_CHUNK}`,
        )
        .bind(this.index, state.version)
        .all();
      if (stale.results.length === 0) return;
      const pairs = stale.results.map((raw) => {
        const row = IdValsSchema.parse(raw);
        return [row.id, nearestCell(this.search.metric, state.centroids, floatsFromHex(row.vals))] as const;
      });
      await this.fileCells(state.version, pairs);
      if (stale.results.length < ASSIGN_CHUNK) return;
    }
  }

  private async hasUnfiled(version: number): Promise<boolean> {
    const row = await this.db
      .prepare(
        `SELECT 1 AS x FROM standin_vectors WHERE index_name = ? AND (ivf_version IS NULL OR ivf_version < ?) LIMIT 1`,
      )
      .bind(this.index, version)
      .first();
    return row !== null;
  }

  private async train(previousVersion: number, count: number): Promise<IvfState> {
    const rows = await this.db
      .prepare("SELECT id, hex(vals) AS vals FROM standin_vectors WHERE index_name = ? ORDER BY id")
      .bind(this.index)
      .all();
    const vectors = rows.results.map((raw) => IdValsSchema.parse(raw));
    const sample = samplePositions(vectors.length).map((i) => floatsFromHex(vectors[i]?.vals ?? ""));
    const centroids = trainCentroids(this.search.metric, sample, this.dims, cellCountFor(count));
    const state: IvfState = { version: previousVersion + 1, trainedOn: count, centroids };
    const pairs = vectors.map(
      (row) => [row.id, nearestCell(this.search.metric, centroids, floatsFromHex(row.vals))] as const,
    );
    await this.db
      .prepare(
        `INSERT INTO standin_ivf (index_name, version, trained_on, cells, centroids) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (index_name) DO UPDATE SET version = excluded.version, trained_on = excluded.trained_on,
         cells = excluded.cells, centroids = excluded.centroids`,
      )
      .bind(this.index, state.version, count, centroids.cells, new Uint8Array(centroids.values.buffer))
      .run();
    await this.fileCells(state.version, pairs);
    return state;
  }

  private async fileCells(version: number, pairs: readonly (readonly [string, number])[]): Promise<void> {
    // UPDATE ... FROM json_each: one statement per chunk instead of one per vector.
    await this.db.batch(
      chunks(pairs, ASSIGN_CHUNK).map((part) =>
        this.db
          .prepare(
            `UPDATE standin_vectors SET cell = j.value ->> 1, ivf_version = ?
             FROM json_each(?) AS j WHERE standin_vectors.index_name = ? AND standin_vectors.id = j.value ->> 0`,
          )
          .bind(version, JSON.stringify(part), this.index),
      ),
    );
  }

  async count(namespace: string | undefined): Promise<number> {
    const stmt =
      namespace === undefined
        ? this.db.prepare("SELECT COUNT(*) AS n FROM standin_vectors WHERE index_name = ?").bind(this.index)
        : this.db
            .prepare("SELECT COUNT(*) AS n FROM standin_vectors WHERE index_name = ? AND namespace = ?")
            .bind(this.index, namespace);
    return CountSchema.parse(await stmt.first()).n;
  }

  /** Answers a query (the caller has applied due writes and validated the vector), with the plan it used. */
  async query(
    values: VectorValues,
    options: VectorQueryOptions | undefined,
  ): Promise<{ result: VectorMatches; plan: QueryPlan }> {
    const q = resolveQuery(options);
    const scope = await this.count(q.namespace);
    const state = scope <= this.minVectors ? null : await this.state();
    if (state === null) {
      const all = (await this.select(VECTOR_COLUMNS, q.namespace, "")).map(rowToVector);
      const result = searchVectors(all, values, options, this.search);
      const plan: QueryPlan = {
        strategy: "exact",
        scope,
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
      matchesFilter(metadata, q.filter, this.search.metadataIndexes);
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
    const stale = await this.select(
      columns,
      q.namespace,
      "AND (ivf_version IS NULL OR ivf_version < ?)",
      state.version,
    );
    let seen = stale.length;
    const kept = keep(stale);
    const order = cellsByCloseness(this.search.metric, state.centroids, values);
    let probed = 0;
    while (probed < order.length && (probed < MIN_PROBED_CELLS || kept.length < q.topK)) {
      const step = probed < MIN_PROBED_CELLS ? MIN_PROBED_CELLS : Math.min(CELLS_PER_READ, probed);
      const cells = order.slice(probed, probed + step).filter((cell) => Number.isInteger(cell));
      probed += cells.length;
      const rows = await this.select(
        columns,
        q.namespace,
        `AND ivf_version = ? AND cell IN (${cells.join(",")})`,
        state.version,
      );
      seen += rows.length;
      kept.push(...keep(rows));
    }
    const candidates = filtered
      ? await this.readIds(kept.map((k) => k.id))
      : kept.map((k) => rowToVector(k.row));
    const result = searchVectors(candidates, values, options, this.search);
    const plan: QueryPlan = {
      strategy: "ivf",
      scope,
      rowsRead: candidates.length,
      metadataRead: filtered ? seen : 0,
      cellsProbed: probed,
    };
    return { result, plan };
  }

  private async readIds(ids: readonly string[]): Promise<StoredVector[]> {
    const out: StoredVector[] = [];
    for (const part of chunks(ids, ASSIGN_CHUNK)) {
      const rows = await this.db
        .prepare(
          `SELECT ${VECTOR_COLUMNS} FROM standin_vectors WHERE index_name = ? AND id IN (SELECT value FROM json_each(?))`,
        )
        .bind(this.index, JSON.stringify(part))
        .all();
      out.push(...rows.results.map(rowToVector));
    }
    return out;
  }

  private async select(
    columns: string,
    namespace: string | undefined,
    condition: string,
    version?: number,
  ): Promise<Record<string, unknown>[]> {
    const params: (string | number)[] = [this.index];
    let sql = `SELECT ${columns} FROM standin_vectors WHERE index_name = ?`;
    if (namespace !== undefined) {
      sql += " AND namespace = ?";
      params.push(namespace);
    }
    if (condition !== "") {
      sql += ` ${condition}`;
      if (version !== undefined) params.push(version);
    }
    const rows = await this.db
      .prepare(sql)
      .bind(...params)
      .all();
    return rows.results;
  }
}
