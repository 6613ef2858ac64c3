/**
 * Reads everything the worker stores, for tests that must prove nothing changed or that a secret is nowhere: every
 * row of every D1 table (bar SQLite's and D1's own bookkeeping, and the full-text index, a virtual table whose
 * shadow tables are derived from `search_docs`, which is dumped) and every R2 object.
 */

export interface StoredState {
  tables: Record<string, Record<string, unknown>[]>;
  objects: { key: string; size: number; etag: string }[];
}

export async function tableNames(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT name FROM sqlite_master AS t WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'
       AND NOT EXISTS (SELECT 1 FROM sqlite_master AS v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'
         AND (t.name = v.name OR substr(t.name, 1, length(v.name) + 1) = v.name || '_'))
       ORDER BY name`,
    )
    .all<{ name: string }>();
  return results.map((row) => row.name);
}

export async function dumpState(env: { DB: D1Database; BLOBS: R2Bucket }): Promise<StoredState> {
  const tables: StoredState["tables"] = {};
  for (const name of await tableNames(env.DB)) {
    // rowid order keeps the dump stable between two reads of unchanged tables.
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
    tables[name] = results;
  }
  const objects: StoredState["objects"] = [];
  let cursor: string | undefined;
  do {
    const listing = await env.BLOBS.list(cursor === undefined ? {} : { cursor });
    for (const object of listing.objects)
      objects.push({ key: object.key, size: object.size, etag: object.etag });
    cursor = listing.truncated ? listing.cursor : undefined;
  } while (cursor !== undefined);
  return { tables, objects };
}
