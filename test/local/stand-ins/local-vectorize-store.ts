/**
 * @module dev/local-vectorize-store
 * D1 storage behind the local Vectorize stand-in (local-vectorize.ts): the vectors of one named
 * index, and the ordered mutation log that makes writes visible only once applied, as Vectorize's
 * write-ahead log does. Several stand-in indexes (e.g. a lexical and a semantic one) can share one
 * database; every row carries its index name. Tables are created on first use.
 */
import { z } from "zod";
import type { VectorMetadata } from "../../../src/ports/vector-index";
import { parseMetadata } from "./vector-schemas";
import type { StoredVector } from "./vector-search";

const DDL = [
  `CREATE TABLE IF NOT EXISTS standin_vectors (
     index_name TEXT NOT NULL, id TEXT NOT NULL, namespace TEXT, vals BLOB NOT NULL, metadata TEXT,
     PRIMARY KEY (index_name, id))`,
  `CREATE INDEX IF NOT EXISTS standin_vectors_namespace ON standin_vectors (index_name, namespace)`,
  `CREATE TABLE IF NOT EXISTS standin_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, index_name TEXT NOT NULL, mutation_id TEXT NOT NULL,
     op TEXT NOT NULL, payload TEXT NOT NULL, visible_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS standin_state (
     index_name TEXT PRIMARY KEY, mutation_id TEXT NOT NULL, processed_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS standin_settings (index_name TEXT PRIMARY KEY, lag_ms INTEGER NOT NULL)`,
  // The index (local-vectorize-index.ts): one row of centroids per stand-in index.
  `CREATE TABLE IF NOT EXISTS standin_ivf (
     index_name TEXT PRIMARY KEY, version INTEGER NOT NULL, trained_on INTEGER NOT NULL, cells INTEGER NOT NULL,
     centroids BLOB NOT NULL)`,
];

/**
 * Each vector's cell under the index's centroids, and the centroids' version it was computed with. Added after the
 * first release of the stand-in, so an existing local database gets them on first use.
 */
const CELL_COLUMNS = ["cell INTEGER", "ivf_version INTEGER"];
const CELL_INDEXES = [
  `CREATE INDEX IF NOT EXISTS standin_vectors_cell ON standin_vectors (index_name, ivf_version, cell)`,
  `CREATE INDEX IF NOT EXISTS standin_vectors_ns_cell ON standin_vectors (index_name, namespace, ivf_version, cell)`,
];

/**
 * The columns `rowToVector` reads. The float32 blob is read as hex: D1 hands a BLOB over as an array of numbers, one
 * per byte, which costs far more to move and decode than one string.
 */
export const VECTOR_COLUMNS = "id, namespace, hex(vals) AS vals, metadata";

/** Vectors per log row: keeps each JSON payload far below D1's 2 MB value limit. */
const LOG_CHUNK = 100;
/** Bound parameters per `IN (...)` list, under D1's per-statement limit. */
const ID_CHUNK = 90;

export type WriteOp = "insert" | "upsert" | "delete";

/** The cell a vector falls in under the current centroids (none before the index is trained). */
export type CellAssigner = (values: number[]) => { cell: number; version: number } | null;

/** A vector as written to the log (values as a plain array, metadata as JSON). */
export interface LoggedVector {
  id: string;
  values: number[];
  namespace: string | null;
  metadata: string | null;
}

const LogRowSchema = z.object({
  seq: z.number(),
  mutation_id: z.string(),
  op: z.enum(["insert", "upsert", "delete"]),
  payload: z.string(),
});
const LoggedVectorSchema = z.object({
  id: z.string(),
  values: z.array(z.number()),
  namespace: z.string().nullable(),
  metadata: z.string().nullable(),
});
const VectorRowSchema = z.object({
  id: z.string(),
  namespace: z.string().nullable(),
  vals: z.string().regex(/^(?:[0-9A-F]{8})*$/),
  metadata: z.string().nullable(),
});

const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_DIGIT["0123456789ABCDEF".charCodeAt(i)] = i;

/** The float32 values of a blob read as upper-case hex (SQLite's `hex()`); the caller checked the digits. */
export function floatsFromHex(hex: string): Float32Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = ((HEX_DIGIT[hex.charCodeAt(2 * i)] ?? 0) << 4) | (HEX_DIGIT[hex.charCodeAt(2 * i + 1)] ?? 0);
  }
  return new Float32Array(bytes.buffer);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function rowToVector(row: unknown): StoredVector {
  const r = VectorRowSchema.parse(row);
  const v: StoredVector = { id: r.id, values: floatsFromHex(r.vals) };
  if (r.namespace !== null) v.namespace = r.namespace;
  if (r.metadata !== null) v.metadata = parseMetadata(JSON.parse(r.metadata)) satisfies VectorMetadata;
  return v;
}

export class StandinStore {
  private ready = false;

  constructor(
    private readonly db: D1Database,
    private readonly index: string,
  ) {}

  async ensureSchema(): Promise<void> {
    if (this.ready) return;
    await this.db.batch(DDL.map((sql) => this.db.prepare(sql)));
    const columns = await this.db.prepare("PRAGMA table_info(standin_vectors)").all();
    const names = new Set(columns.results.map((row) => z.object({ name: z.string() }).parse(row).name));
    for (const column of CELL_COLUMNS) {
      if (names.has(column.split(" ")[0] ?? "")) continue;
      try {
        await this.db.prepare(`ALTER TABLE standin_vectors ADD COLUMN ${column}`).run();
      } catch (error) {
        // Another request added it first.
        if (!String(error).includes("duplicate column")) throw error;
      }
    }
    await this.db.batch(CELL_INDEXES.map((sql) => this.db.prepare(sql)));
    this.ready = true;
  }

  /**
   * Test-only lag override: while set, writes through any stand-in bound to this index (e.g. `env.VECTORS` in
   * tests, whose configuration is fixed per run) become visible `lagMs` after they are made. `null` removes it.
   */
  async setLagOverride(lagMs: number | null): Promise<void> {
    await this.ensureSchema();
    await (
      lagMs === null
        ? this.db.prepare("DELETE FROM standin_settings WHERE index_name = ?").bind(this.index)
        : this.db
            .prepare(
              "INSERT INTO standin_settings (index_name, lag_ms) VALUES (?, ?) ON CONFLICT (index_name) DO UPDATE SET lag_ms = excluded.lag_ms",
            )
            .bind(this.index, lagMs)
    ).run();
  }

  /** The lag override, if a test set one. */
  async lagOverride(): Promise<number | undefined> {
    await this.ensureSchema();
    const row = await this.db
      .prepare("SELECT lag_ms FROM standin_settings WHERE index_name = ?")
      .bind(this.index)
      .first();
    return row === null ? undefined : z.object({ lag_ms: z.number() }).parse(row).lag_ms;
  }

  /** Logs a write; it becomes visible at `visibleAt` (epoch ms). Returns its mutation id. */
  async append(op: "insert" | "upsert", vectors: LoggedVector[], visibleAt: number): Promise<string>;
  async append(op: "delete", ids: string[], visibleAt: number): Promise<string>;
  async append(op: WriteOp, items: LoggedVector[] | string[], visibleAt: number): Promise<string> {
    await this.ensureSchema();
    const mutationId = crypto.randomUUID();
    const parts = op === "delete" ? [items] : chunks<LoggedVector | string>(items, LOG_CHUNK);
    const insert = this.db.prepare(
      "INSERT INTO standin_log (index_name, mutation_id, op, payload, visible_at) VALUES (?, ?, ?, ?, ?)",
    );
    await this.db.batch(
      parts.map((p) => insert.bind(this.index, mutationId, op, JSON.stringify(p), visibleAt)),
    );
    return mutationId;
  }

  /**
   * Applies due log entries in write order, each atomically with its removal from the log. `assigner` (asked only
   * when something is due) files each written vector under its cell.
   */
  async catchUp(now: number, assigner?: () => Promise<CellAssigner>): Promise<void> {
    await this.ensureSchema();
    const due = await this.db
      .prepare(
        "SELECT seq, mutation_id, op, payload FROM standin_log WHERE index_name = ? AND visible_at <= ? ORDER BY seq",
      )
      .bind(this.index, now)
      .all();
    if (due.results.length === 0) return;
    const assign = assigner === undefined ? () => null : await assigner();
    for (const raw of due.results) await this.apply(LogRowSchema.parse(raw), now, assign);
  }

  private async apply(entry: z.infer<typeof LogRowSchema>, now: number, assign: CellAssigner): Promise<void> {
    // Every statement re-checks that the entry is still logged: a concurrent call may already have
    // applied it, and re-applying an older entry after a newer one would undo the newer.
    const pending = "EXISTS (SELECT 1 FROM standin_log WHERE seq = ?)";
    const stmts: D1PreparedStatement[] = [];
    if (entry.op === "delete") {
      const ids = z.array(z.string()).parse(JSON.parse(entry.payload));
      for (const part of chunks(ids, ID_CHUNK)) {
        const list = part.map(() => "?").join(",");
        stmts.push(
          this.db
            .prepare(`DELETE FROM standin_vectors WHERE index_name = ? AND id IN (${list}) AND ${pending}`)
            .bind(this.index, ...part, entry.seq),
        );
      }
    } else {
      const head = `INTO standin_vectors (index_name, id, namespace, vals, metadata, cell, ivf_version)
        SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${pending}`;
      const sql =
        entry.op === "insert"
          ? `INSERT OR IGNORE ${head}`
          : `INSERT ${head} ON CONFLICT (index_name, id) DO UPDATE SET namespace = excluded.namespace,
             vals = excluded.vals, metadata = excluded.metadata, cell = excluded.cell,
             ivf_version = excluded.ivf_version`;
      for (const v of z.array(LoggedVectorSchema).parse(JSON.parse(entry.payload))) {
        const blob = new Uint8Array(Float32Array.from(v.values).buffer);
        const filed = assign(v.values);
        stmts.push(
          this.db
            .prepare(sql)
            .bind(
              this.index,
              v.id,
              v.namespace,
              blob,
              v.metadata,
              filed?.cell ?? null,
              filed?.version ?? null,
              entry.seq,
            ),
        );
      }
    }
    stmts.push(
      this.db
        .prepare(
          `INSERT INTO standin_state (index_name, mutation_id, processed_at) SELECT ?, ?, ? WHERE ${pending}
           ON CONFLICT (index_name) DO UPDATE SET mutation_id = excluded.mutation_id,
           processed_at = excluded.processed_at`,
        )
        .bind(this.index, entry.mutation_id, now, entry.seq),
    );
    stmts.push(this.db.prepare("DELETE FROM standin_log WHERE seq = ?").bind(entry.seq));
    await this.db.batch(stmts);
  }

  /** Every applied vector, or those of one namespace. */
  async readAll(namespace: string | undefined): Promise<StoredVector[]> {
    const base = `SELECT ${VECTOR_COLUMNS} FROM standin_vectors WHERE index_name = ?`;
    const rows =
      namespace === undefined
        ? await this.db.prepare(base).bind(this.index).all()
        : await this.db.prepare(`${base} AND namespace = ?`).bind(this.index, namespace).all();
    return rows.results.map(rowToVector);
  }

  async readByIds(ids: string[]): Promise<StoredVector[]> {
    const out: StoredVector[] = [];
    for (const part of chunks(ids, ID_CHUNK)) {
      const rows = await this.db
        .prepare(
          `SELECT ${VECTOR_COLUMNS} FROM standin_vectors
           WHERE index_name = ? AND id IN (${part.map(() => "?").join(",")})`,
        )
        .bind(this.index, ...part)
        .all();
      out.push(...rows.results.map(rowToVector));
    }
    return out;
  }

  async count(): Promise<number> {
    const row = await this.db
      .prepare("SELECT COUNT(*) AS n FROM standin_vectors WHERE index_name = ?")
      .bind(this.index)
      .first();
    return z.object({ n: z.number() }).parse(row).n;
  }

  /** The last applied mutation, if any. */
  async processed(): Promise<{ mutationId: string; at: number } | undefined> {
    const row = await this.db
      .prepare("SELECT mutation_id, processed_at FROM standin_state WHERE index_name = ?")
      .bind(this.index)
      .first();
    if (row === null) return undefined;
    const r = z.object({ mutation_id: z.string(), processed_at: z.number() }).parse(row);
    return { mutationId: r.mutation_id, at: r.processed_at };
  }
}
