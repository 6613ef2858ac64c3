/**
 * @module dev/local-vectorize-store
 * D1 storage behind the local Vectorize stand-in (local-vectorize.ts): the vectors of one named
 * index, and the ordered mutation log that makes writes visible only once applied, as Vectorize's
 * write-ahead log does. Several stand-in indexes (e.g. a lexical and a semantic one) can share one
 * database; every row carries its index name. Tables are created on first use.
 */
import { z } from "zod";
import type { VectorMetadata } from "../dedup/vector-port";
import { parseMetadata } from "../dedup/vector-schemas";
import type { StoredVector } from "../dedup/vector-search";

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
];

/** Vectors per log row: keeps each JSON payload far below D1's 2 MB value limit. */
const LOG_CHUNK = 100;
/** Bound parameters per `IN (...)` list, under D1's per-statement limit. */
const ID_CHUNK = 90;

export type WriteOp = "insert" | "upsert" | "delete";

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
  vals: z.union([z.instanceof(ArrayBuffer), z.instanceof(Uint8Array), z.array(z.number())]),
  metadata: z.string().nullable(),
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function rowToVector(row: unknown): StoredVector {
  const r = VectorRowSchema.parse(row);
  const bytes = r.vals instanceof ArrayBuffer ? new Uint8Array(r.vals) : Uint8Array.from(r.vals);
  const v: StoredVector = { id: r.id, values: new Float32Array(bytes.slice().buffer) };
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

  private async ensureSchema(): Promise<void> {
    if (this.ready) return;
    await this.db.batch(DDL.map((sql) => this.db.prepare(sql)));
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

  /** Applies due log entries in write order, each atomically with its removal from the log. */
  async catchUp(now: number): Promise<void> {
    await this.ensureSchema();
    const due = await this.db
      .prepare(
        "SELECT seq, mutation_id, op, payload FROM standin_log WHERE index_name = ? AND visible_at <= ? ORDER BY seq",
      )
      .bind(this.index, now)
      .all();
    for (const raw of due.results) await this.apply(LogRowSchema.parse(raw), now);
  }

  private async apply(entry: z.infer<typeof LogRowSchema>, now: number): Promise<void> {
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
      const head = `INTO standin_vectors (index_name, id, namespace, vals, metadata) SELECT ?, ?, ?, ?, ? WHERE ${pending}`;
      const sql =
        entry.op === "insert"
          ? `INSERT OR IGNORE ${head}`
          : `INSERT ${head} ON CONFLICT (index_name, id) DO UPDATE SET namespace = excluded.namespace,
             vals = excluded.vals, metadata = excluded.metadata`;
      for (const v of z.array(LoggedVectorSchema).parse(JSON.parse(entry.payload))) {
        const blob = new Uint8Array(Float32Array.from(v.values).buffer);
        stmts.push(this.db.prepare(sql).bind(this.index, v.id, v.namespace, blob, v.metadata, entry.seq));
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
    const base = "SELECT id, namespace, vals, metadata FROM standin_vectors WHERE index_name = ?";
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
          `SELECT id, namespace, vals, metadata FROM standin_vectors
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
