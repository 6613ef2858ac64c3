/**
 * @module dev/local-vectorize-index
 * The local Vectorize stand-in's index over its D1 tables: k-means centroids (local-vectorize-ivf.ts) stored per
 * index in `standin_ivf`, and each vector's cell (with the centroids' version) in its row. Queries read it through
 * local-vectorize-query.ts.
 *
 * Training happens on the write path (`maintain`), never in a query: the first time the index reaches
 * `minVectors`, then whenever it has grown RETRAIN_GROWTH times; vectors written in between are filed under the
 * nearest existing centroid as they are applied, and any vector the current centroids have not filed (written
 * before training, or during a retraining) is filed by the next `maintain`.
 */
import { z } from "zod";
import type { SearchConfig } from "./vector-search";
import {
  type Centroids,
  cellCountFor,
  isPartitioned,
  nearestCell,
  needsTraining,
  samplePositions,
  trainCentroids,
} from "./local-vectorize-ivf";
import { type CellAssigner, chunks, floatsFromHex } from "./local-vectorize-store";

/** Vectors filed per statement when (re)assigning cells (one JSON parameter). */
const ASSIGN_CHUNK = 2000;

export interface IvfState {
  version: number;
  trainedOn: number;
  centroids: Centroids;
}

const IvfRowSchema = z.object({
  version: z.number(),
  trained_on: z.number(),
  cells: z.number(),
  centroids: z.string().regex(/^(?:[0-9A-F]{8})*$/),
});
const CountSchema = z.object({ n: z.number() });
const IvfMetaSchema = z.object({ version: z.number(), trained_on: z.number() });
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
}
