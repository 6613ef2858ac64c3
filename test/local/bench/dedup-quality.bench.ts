/**
 * `npm run bench` (dedup part), in workerd. Two `BENCH_JSON` lines:
 * - `dedup-quality`: `runDedupQualityBenchmark` on the generated course corpus (in-memory index): precision and
 *   recall at pg_trgm 0.8 against the exact all-pairs ground truth, vector queries per changed text;
 * - `dedup-quality-service`: the same corpus written as mirrored items of one course and run through the
 *   service's own dedup passes (src/dedup/dedup-pass.ts: exact links, twin copying, D1 rows, compare-and-set
 *   writes), then 15% of the texts edited and passed again; the `duplicates` table is scored against the truth.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { Rng, editWords, generateCorpus } from "../corpus/corpus";
import { type DedupDeps, runDedupPass } from "../../../src/dedup/dedup-pass";
import { MemoryVectorIndex } from "../stand-ins/memory-vector-index";
import { exactNearDuplicatePairs, runDedupQualityBenchmark } from "../corpus/quality-benchmark";
import { openDatabase } from "../../../src/storage/d1/client";
import { log } from "../../../src/observability/log";
import { resetStorage } from "../../support/harness";

const BASES = 60;
const COURSE = 777;

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

it("dedup quality: the algorithm on the generated corpus", { timeout: 3_600_000 }, async () => {
  const started = Date.now();
  const r = await runDedupQualityBenchmark({ seed: 1, bases: BASES });
  const line = { benchmark: "dedup-quality", threshold: 0.8, wallMs: Date.now() - started, ...r };
  console.log(`BENCH_JSON ${JSON.stringify(line)}`);
  expect(r.precision).toBe(1);
});

it("dedup quality: the service's passes on the same corpus", { timeout: 3_600_000 }, async () => {
  await resetStorage();
  const corpus = generateCorpus({ seed: 1, bases: BASES });
  const texts = new Map<string, string>();
  const write = async (id: string, canvasId: number, text: string): Promise<void> => {
    texts.set(id, text);
    await env.DB.prepare(
      `INSERT INTO items (id, course_id, type, canvas_id, content_hash, data, text_hash, text, text_status,
         first_seen_at, changed_at) VALUES (?1, ?2, 'page', ?3, 'c', '{}', ?4, ?5, 'ok', 0, 0)
       ON CONFLICT (id) DO UPDATE SET text = excluded.text, text_hash = excluded.text_hash`,
    )
      .bind(id, COURSE, String(canvasId), await sha256(text), text)
      .run();
  };
  const ids = corpus.map((_, i) => `${COURSE}:page:${i + 1}`);
  for (const [i, item] of corpus.entries()) await write(ids[i] ?? "", i + 1, item.text);

  const index = new MemoryVectorIndex();
  const deps: DedupDeps = {
    db: openDatabase(env.DB),
    blobs: env.BLOBS,
    vectors: index,
    settings: { threshold: 0.8, scope: "course", dimensions: 384, batchSize: 100, blobPairsPerPass: 500 },
    now: Date.now,
    alert: async () => {},
    log,
  };
  const totals = { checked: 0, exactText: 0, near: 0, passes: 0, provisional: 0 };
  const passAll = async (): Promise<void> => {
    let after = "";
    for (;;) {
      const r = await runDedupPass(deps, COURSE, {
        mode: "changes",
        after,
        includeProvisional: true,
        linkBlobs: true,
      });
      totals.passes++;
      totals.checked += r.checked;
      totals.exactText += r.links.exactText;
      totals.near += r.raised.length;
      totals.provisional += r.provisional.length;
      if (!r.more) return;
      after = r.lastId ?? "";
    }
  };
  const started = Date.now();
  await passAll();
  const rng = new Rng(0x5eed);
  const changed = rng.shuffle([...ids.keys()]).slice(0, Math.round(ids.length * 0.15));
  for (const i of changed) {
    const id = ids[i] ?? "";
    await write(id, i + 1, editWords(texts.get(id) ?? "", 0.01 + rng.next() * 0.1, rng));
  }
  await passAll();
  const wallMs = Date.now() - started;

  const truth = exactNearDuplicatePairs(texts, 0.8);
  const { results } = await env.DB.prepare(
    "SELECT item_a, item_b FROM duplicates WHERE kind IN ('exact_text', 'near_text') AND status IN ('linked', 'open')",
  ).all<{ item_a: string; item_b: string }>();
  const predicted = new Set(results.map((row) => `${row.item_a}|${row.item_b}`));
  const truePositives = [...predicted].filter((p) => truth.has(p)).length;
  const line = {
    benchmark: "dedup-quality-service",
    threshold: 0.8,
    items: ids.length,
    changedTexts: totals.checked,
    edited: changed.length,
    passes: totals.passes,
    vectorQueries: index.queryCount,
    queriesPerChangedText: index.queryCount / totals.checked,
    exactTextLinks: totals.exactText,
    nearDuplicatesRaised: totals.near,
    provisional: totals.provisional,
    truePairs: truth.size,
    predictedPairs: predicted.size,
    truePositives,
    precision: predicted.size === 0 ? 1 : truePositives / predicted.size,
    recall: truth.size === 0 ? 1 : truePositives / truth.size,
    wallMs,
  };
  console.log(`BENCH_JSON ${JSON.stringify(line)}`);
  expect(line.precision).toBe(1);
});
