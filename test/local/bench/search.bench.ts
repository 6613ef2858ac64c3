/**
 * `npm run bench` (search part), in workerd against local D1: 10,000 mirrored objects of realistic course text (the
 * dedup corpus generator) written through the sync's own write path, once without the full-text triggers and once
 * with them (the write overhead of keeping the index in step), then the index's size and the latency of 50 queries
 * of five kinds (rare, medium and frequent words, two words, phrases, prefixes), each next to the baseline a mirror
 * without an index would have: an unranked `LIKE '%word%'` scan of titles and texts (no stemming, no snippets).
 * One `BENCH_JSON` line (`benchmark: "search"`) for test/local/cli/bench.ts.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { generateCorpus } from "../corpus/corpus";
import { runSearch } from "../../../src/search/search-service";
import { type ItemRow, upsertItemStatements } from "../../../src/storage/d1/item-writes";
import { openDatabase } from "../../../src/storage/d1/client";
import { searchIndexSize } from "../../../src/storage/d1/search";
import { resetStorage } from "../../support/harness";

const COURSE = 9900;
const TYPES = ["page", "assignment", "announcement", "discussion_topic", "quiz", "syllabus"] as const;
const REPEATS = 3;

const sizes = (env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const OBJECTS = Math.max(...sizes.filter((size) => Number.isFinite(size) && size > 0), 1000);

function corpusRows(): ItemRow[] {
  const corpus = generateCorpus({ seed: 3, bases: Math.ceil(OBJECTS / 5.5) + 50 }).slice(0, OBJECTS);
  expect(corpus.length).toBe(OBJECTS);
  return corpus.map((doc, i) => {
    const type = TYPES[i % TYPES.length] ?? "page";
    return {
      id: `${COURSE}:${type}:${i + 1}`,
      courseId: COURSE,
      type,
      canvasId: String(i + 1),
      parentId: null,
      title: `${doc.subject} ${doc.docType} ${i + 1}`,
      contentHash: `h${i}`,
      canvasUpdatedAt: null,
      canvasModifiedAt: null,
      size: null,
      data: JSON.stringify({ url: `p-${i + 1}` }),
      blobSha256: null,
      textHash: null,
      text: doc.text,
      textKey: null,
      textStatus: "ok",
      replacesId: null,
      dataKey: null,
      writeText: true,
      observedAt: null,
      jobId: "seed-job",
      changeKind: "added",
      now: 1_700_000_000_000 + i,
    };
  });
}

/**
 * Writes the rows as a sync does (chunked json_each upserts), one batch per chunk; returns wall ms, the database's
 * size after, and the rows D1 reports written (what it bills: table rows, index entries and trigger writes).
 */
async function writeAll(rows: ItemRow[]): Promise<{ wallMs: number; dbBytes: number; rowsWritten: number }> {
  const started = Date.now();
  let dbBytes = 0;
  let rowsWritten = 0;
  for (const statement of upsertItemStatements(env.DB, rows)) {
    const [result] = await env.DB.batch([statement]);
    dbBytes = result?.meta.size_after ?? dbBytes;
    rowsWritten += result?.meta.rows_written ?? 0;
  }
  return { wallMs: Date.now() - started, dbBytes, rowsWritten };
}

interface Query {
  kind: string;
  q: string;
  /** LIKE patterns ANDed by the baseline */
  like: string[];
}

/** `count` words spread evenly over a sorted list. */
function spread(words: string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => words[Math.floor((i * words.length) / count)] ?? "");
}

/** Picks the benchmark's queries from the corpus's own document frequencies (deterministic). */
function pickQueries(rows: ItemRow[]): Query[] {
  const df = new Map<string, number>();
  const firstPair = new Map<string, string>();
  for (const row of rows) {
    const words = (row.text ?? "").toLowerCase().match(/[a-z]{5,}/g) ?? [];
    for (const word of new Set(words)) df.set(word, (df.get(word) ?? 0) + 1);
    for (let i = 0; i + 1 < words.length && firstPair.size < 2_000; i++) {
      const pair = `${words[i]} ${words[i + 1]}`;
      if (!firstPair.has(pair)) firstPair.set(pair, row.id);
    }
  }
  const byDf = [...df.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const band = (low: number, high: number) => byDf.filter(([, n]) => n >= low && n <= high).map(([w]) => w);
  const rare = spread(band(1, 5), 10);
  const medium = spread(band(50, 400), 10);
  const frequent = spread(band(Math.floor(rows.length / 5), rows.length), 10);
  const word =
    (kind: string) =>
    (w: string): Query => ({ kind, q: w, like: [`%${w}%`] });
  const pairs = spread([...firstPair.keys()], 10).slice(0, 10);
  return [
    ...rare.map(word("rare word")),
    ...medium.map(word("medium word")),
    ...frequent.map(word("frequent word")),
    ...medium.slice(0, 10).map((w, i) => {
      const other = frequent[i] ?? "";
      return { kind: "two words", q: `${w} ${other}`, like: [`%${w}%`, `%${other}%`] };
    }),
    ...pairs.slice(0, 5).map((pair) => ({ kind: "phrase", q: `"${pair}"`, like: [`%${pair}%`] })),
    ...medium
      .slice(0, 5)
      .map((w) => ({ kind: "prefix", q: `${w.slice(0, 4)}*`, like: [`%${w.slice(0, 4)}%`] })),
  ];
}

async function timeMedian(run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = Date.now();
    await run();
    samples.push(Date.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

it(
  "search: index size, write overhead and query latency at 10,000 objects",
  { timeout: 3_600_000 },
  async () => {
    const rows = corpusRows();

    // Baseline write: the same rows with the items triggers dropped (no index kept in step).
    await resetStorage();
    await env.DB.batch([
      env.DB.prepare("DROP TRIGGER items_search_ai"),
      env.DB.prepare("DROP TRIGGER items_search_au"),
    ]);
    const without = await writeAll(rows);
    const likeOnly = await env.DB.prepare("SELECT count(*) AS n FROM search_docs").first<{ n: number }>();
    expect(likeOnly?.n).toBe(0);

    await resetStorage();
    const withIndex = await writeAll(rows);
    const size = await searchIndexSize(openDatabase(env.DB));
    expect(size.documents).toBe(OBJECTS);

    const queries = pickQueries(rows);
    const results: {
      kind: string;
      q: string;
      ftsMs: number;
      likeMs: number;
      hits: number;
      likeHits: number;
    }[] = [];
    for (const query of queries) {
      let hits = 0;
      const ftsMs = await timeMedian(async () => {
        const outcome = await runSearch(
          openDatabase(env.DB),
          "https://canvas.test",
          { q: query.q, syntax: "simple", limit: 20 },
          "html",
        );
        if (!outcome.ok) throw new Error(`${query.q}: ${outcome.message}`);
        hits = outcome.items.length;
      });
      const where = query.like.map((_, i) => `(title LIKE ?${i + 1} OR text LIKE ?${i + 1})`).join(" AND ");
      let likeHits = 0;
      const likeMs = await timeMedian(async () => {
        const { results: found } = await env.DB.prepare(
          `SELECT id, title FROM items WHERE deleted_at IS NULL AND ${where} LIMIT 20`,
        )
          .bind(...query.like)
          .all();
        likeHits = found.length;
      });
      results.push({ kind: query.kind, q: query.q, ftsMs, likeMs, hits, likeHits });
    }
    expect(results.filter((r) => r.kind === "frequent word" && r.hits === 0)).toEqual([]);

    const kinds = [...new Set(results.map((r) => r.kind))];
    const line = {
      benchmark: "search",
      objects: OBJECTS,
      index: {
        ftsBytes: size.ftsBytes,
        contentBytes: size.contentBytes,
        dbBytesWithout: without.dbBytes,
        dbBytesWith: withIndex.dbBytes,
      },
      write: {
        withoutIndexMs: without.wallMs,
        withIndexMs: withIndex.wallMs,
        rowsWithoutIndex: without.rowsWritten,
        rowsWithIndex: withIndex.rowsWritten,
      },
      queries: results.length,
      latency: {
        fts: {
          p50: percentile(
            results.map((r) => r.ftsMs),
            50,
          ),
          p95: percentile(
            results.map((r) => r.ftsMs),
            95,
          ),
        },
        like: {
          p50: percentile(
            results.map((r) => r.likeMs),
            50,
          ),
          p95: percentile(
            results.map((r) => r.likeMs),
            95,
          ),
        },
      },
      byKind: kinds.map((kind) => {
        const of = results.filter((r) => r.kind === kind);
        return {
          kind,
          ftsP50: percentile(
            of.map((r) => r.ftsMs),
            50,
          ),
          ftsMax: Math.max(...of.map((r) => r.ftsMs)),
          likeP50: percentile(
            of.map((r) => r.likeMs),
            50,
          ),
          likeMax: Math.max(...of.map((r) => r.likeMs)),
        };
      }),
    };
    console.log(`BENCH_JSON ${JSON.stringify(line)}`);
  },
);
