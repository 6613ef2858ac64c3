/**
 * The full-text index follows the items table through the real write path (src/storage/d1/item-writes.ts inside
 * `db.batch()`): inserted, updated, tombstoned, restored and rolled-back rows; module items that only point
 * elsewhere stay out; texts kept in R2 are indexed by the queue path with a status, retried after a failed read,
 * and capped at SEARCH_BODY_CHARS (the same number the migration's triggers use).
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { type ItemRow, tombstoneStatements, upsertItemStatements } from "../../src/storage/d1/item-writes";
import { indexR2Texts } from "../../src/search/index-r2-texts";
import { R2_FILL_MAX_ATTEMPTS, SEARCH_BODY_CHARS } from "../../src/search/limits";
import { runSearch, type SearchHit } from "../../src/search/search-service";
import { openDatabase } from "../../src/storage/d1/client";
import { resetStorage } from "../support/harness";

const COURSE = 4242;
const BASE = "https://canvas.test";

function row(canvasId: number, fields: Partial<ItemRow> = {}): ItemRow {
  return {
    id: `${COURSE}:page:${canvasId}`,
    courseId: COURSE,
    type: "page",
    canvasId: String(canvasId),
    parentId: null,
    title: `Page ${canvasId}`,
    contentHash: `hash-${canvasId}-${fields.text ?? ""}-${fields.title ?? ""}`,
    canvasUpdatedAt: null,
    canvasModifiedAt: null,
    size: null,
    data: JSON.stringify({ url: `page-${canvasId}`, title: fields.title ?? `Page ${canvasId}` }),
    blobSha256: null,
    textHash: null,
    text: null,
    textKey: null,
    textStatus: "ok",
    replacesId: null,
    dataKey: null,
    writeText: true,
    observedAt: null,
    jobId: "seed-job",
    changeKind: "added",
    now: 1_000 + canvasId,
    ...fields,
  };
}

async function write(rows: ItemRow[]): Promise<void> {
  await env.DB.batch(upsertItemStatements(env.DB, rows));
}

async function search(
  q: string,
  extra: { syntax?: "simple" | "fts5"; limit?: number } = {},
): Promise<SearchHit[]> {
  const outcome = await runSearch(
    openDatabase(env.DB),
    BASE,
    { q, syntax: extra.syntax ?? "simple", limit: extra.limit ?? 50 },
    "html",
  );
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.items;
}

const ids = (hits: SearchHit[]) => hits.map((hit) => hit.itemId).sort();

describe("the full-text index follows the items table", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("indexes inserted items by title and text, stemmed, with a highlighted snippet and a Canvas URL", async () => {
    await write([
      row(1, { title: "Photosynthesis", text: "Plants convert light energy into chemical energy." }),
      row(2, { title: "Cell biology", text: "The mitochondria is the powerhouse of the cell." }),
    ]);
    const hits = await search("converting");
    expect(hits.map((hit) => hit.itemId)).toEqual([`${COURSE}:page:1`]);
    const [hit] = hits;
    expect(hit?.snippet).toContain("<mark>convert</mark>");
    expect(hit?.canvasUrl).toBe(`${BASE}/courses/${COURSE}/pages/page-1`);
    expect(hit?.textIndexed).toBe("full");
    expect(hit?.score).toBeGreaterThan(0);
    expect(ids(await search("cell"))).toEqual([`${COURSE}:page:2`]);
  });

  it("re-indexes an updated text: old words leave, new words arrive", async () => {
    await write([row(1, { text: "The original draft about volcanoes." })]);
    expect(ids(await search("volcanoes"))).toHaveLength(1);
    await write([row(1, { text: "A rewrite about glaciers." })]);
    expect(await search("volcanoes")).toEqual([]);
    expect(ids(await search("glaciers"))).toEqual([`${COURSE}:page:1`]);
  });

  it("drops tombstoned items in the tombstoning batch and brings restored ones back", async () => {
    await write([row(1, { text: "Tectonic plates drift." }), row(2, { text: "Tectonic faults slip." })]);
    await env.DB.batch(
      tombstoneStatements(env.DB, [{ id: `${COURSE}:page:1`, replacedBy: null }], 5_000, "seed-job"),
    );
    expect(ids(await search("tectonic"))).toEqual([`${COURSE}:page:2`]);
    await write([row(1, { text: "Tectonic plates drift." })]);
    expect(ids(await search("tectonic"))).toEqual([`${COURSE}:page:1`, `${COURSE}:page:2`]);
  });

  it("rolls index changes back with a failed batch", async () => {
    await write([row(1, { text: "Stable text about rivers." })]);
    const failing = env.DB.prepare("INSERT INTO items (id) VALUES (NULL)");
    await expect(
      env.DB.batch([
        ...upsertItemStatements(env.DB, [row(1, { text: "Changed text about deserts." })]),
        failing,
      ]),
    ).rejects.toThrow(/NOT NULL/);
    expect(ids(await search("rivers"))).toEqual([`${COURSE}:page:1`]);
    expect(await search("deserts")).toEqual([]);
  });

  it("keeps module items that point at other objects out, but indexes external links", async () => {
    const moduleItem = (canvasId: number, type: string, title: string): ItemRow =>
      row(canvasId, {
        id: `${COURSE}:module_item:${canvasId}`,
        type: "module_item",
        title,
        data: JSON.stringify({
          type,
          title,
          external_url: type === "ExternalUrl" ? "https://example.org" : null,
        }),
      });
    await write([
      moduleItem(10, "Page", "Orbital mechanics reading"),
      moduleItem(11, "ExternalUrl", "Orbital mechanics video"),
    ]);
    expect(ids(await search("orbital"))).toEqual([`${COURSE}:module_item:11`]);
  });

  it("indexes a text kept in R2 from the queue path: pending by title first, then its body", async () => {
    const text = `Introduction. ${"Filler words about chemistry. ".repeat(2_000)} Closing words on thermodynamics.`;
    await env.BLOBS.put("text/big-one.txt", text);
    await write([row(1, { title: "Long lecture notes", text: null, textKey: "text/big-one.txt" })]);
    expect(await search("thermodynamics")).toEqual([]);
    const [pending] = await search("lecture");
    expect(pending?.textIndexed).toBe("pending");

    const fill = await indexR2Texts(openDatabase(env.DB), env.BLOBS, COURSE, Date.now());
    expect(fill).toEqual({ indexed: 1, missing: 0, failed: 0, remaining: 0 });
    const [hit] = await search("thermodynamics");
    expect(hit?.itemId).toBe(`${COURSE}:page:1`);
    expect(hit?.textIndexed).toBe("full");

    // A title-only change keeps the body already read from R2 (same key, same text).
    await write([row(1, { title: "Long lecture notes (v2)", text: null, textKey: "text/big-one.txt" })]);
    expect((await search("thermodynamics"))[0]?.textIndexed).toBe("full");
  });

  it("retries a failed R2 read, then says the text is unavailable; a missing object is reported at once", async () => {
    await env.BLOBS.put("text/flaky.txt", "Text about magnetism.");
    await write([
      row(1, { title: "Flaky", text: null, textKey: "text/flaky.txt" }),
      row(2, { title: "Gone", text: null, textKey: "text/never-written.txt" }),
    ]);
    // R2 failing for every read: each pass counts an attempt and keeps the document pending.
    const failing = new Proxy(env.BLOBS, {
      get(target, property, receiver) {
        if (property === "get") return () => Promise.reject(new Error("R2 is unavailable"));
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const first = await indexR2Texts(openDatabase(env.DB), failing, COURSE, Date.now());
    expect(first).toEqual({ indexed: 0, missing: 0, failed: 2, remaining: 2 });
    for (let attempt = 2; attempt < R2_FILL_MAX_ATTEMPTS; attempt++) {
      await indexR2Texts(openDatabase(env.DB), failing, COURSE, Date.now());
    }
    // R2 is back before the last attempt: the flaky text is indexed, the missing one is reported as such.
    const recovered = await indexR2Texts(openDatabase(env.DB), env.BLOBS, COURSE, Date.now());
    expect(recovered).toEqual({ indexed: 1, missing: 1, failed: 0, remaining: 0 });
    expect((await search("magnetism"))[0]?.textIndexed).toBe("full");
    expect((await search("gone"))[0]?.textIndexed).toBe("unavailable");

    // Another text that never becomes readable gives up after the last attempt (no endless retries).
    await write([row(3, { title: "Doomed", text: null, textKey: "text/doomed.txt" })]);
    for (let attempt = 0; attempt < R2_FILL_MAX_ATTEMPTS; attempt++) {
      await indexR2Texts(openDatabase(env.DB), failing, COURSE, Date.now());
    }
    const status = await env.DB.prepare("SELECT body_status, attempts FROM search_docs WHERE item_id = ?1")
      .bind(`${COURSE}:page:3`)
      .first<{ body_status: string; attempts: number }>();
    expect(status).toEqual({ body_status: "r2_failed", attempts: R2_FILL_MAX_ATTEMPTS });
    expect((await search("doomed"))[0]?.textIndexed).toBe("unavailable");
  });

  it("caps the indexed text at SEARCH_BODY_CHARS, in the triggers and in the R2 path alike", async () => {
    const head = "alpha ".repeat(Math.ceil(SEARCH_BODY_CHARS / 6));
    const long = `${head} zebrafish`;
    expect(long.length).toBeGreaterThan(SEARCH_BODY_CHARS);
    await env.BLOBS.put("text/long.txt", long);
    await write([
      row(1, { title: "Inline long", text: long }),
      row(2, { title: "R2 long", text: null, textKey: "text/long.txt" }),
    ]);
    await indexR2Texts(openDatabase(env.DB), env.BLOBS, COURSE, Date.now());
    expect(await search("zebrafish")).toEqual([]);
    const hits = await search("alpha");
    expect(hits.map((hit) => hit.textIndexed)).toEqual(["truncated", "truncated"]);
    const lengths = await env.DB.prepare("SELECT length(body) AS n FROM search_docs ORDER BY item_id").all<{
      n: number;
    }>();
    expect(lengths.results.map((r) => r.n)).toEqual([SEARCH_BODY_CHARS, SEARCH_BODY_CHARS]);
  });
});
