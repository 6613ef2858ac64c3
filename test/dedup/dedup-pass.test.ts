/**
 * The dedup pass called directly, on items written straight into D1 (courses nobody syncs, so no queue message
 * interferes) and an in-process vector index: the alert it raises, course versus institution scope, the
 * configured threshold, texts kept in R2, paging, stale vectors, and two passes racing over the same course.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type DedupDeps, type DedupSettings, runDedupPass } from "../../src/dedup/dedup-pass";
import { MemoryVectorIndex } from "../local/stand-ins/memory-vector-index";
import { similarity } from "../../src/dedup/trigram";
import { loadConfig } from "../../src/env";
import type { Alert } from "../../src/observability/alerts";
import { log } from "../../src/observability/log";
import { handleDedupMessage } from "../../src/queue/handle-dedup";
import { DedupMessageSchema } from "../../src/queue/message";
import { openDatabase } from "../../src/storage/d1/client";
import { textKey } from "../../src/storage/r2/keys";
import { API_TOKEN, CANVAS_TOKEN, resetStorage } from "../support/harness";
import { baseText, byJson, counter, editEvery } from "../support/dedup-harness";

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Writes a live page with text as the sync would (inline, or in R2 with `inR2`). Returns its item id. */
async function seedPage(courseId: number, canvasId: number, text: string, inR2 = false): Promise<string> {
  const id = `${courseId}:page:${canvasId}`;
  const hash = await sha256(text);
  if (inR2) await env.BLOBS.put(textKey(hash), text);
  await env.DB.prepare(
    `INSERT INTO items (id, course_id, type, canvas_id, content_hash, data, text_hash, text, text_key, text_status,
       first_seen_at, changed_at)
     VALUES (?1, ?2, 'page', ?3, 'c', '{}', ?4, ?5, ?6, 'ok', 0, 0)`,
  )
    .bind(id, courseId, String(canvasId), hash, inR2 ? null : text, inR2 ? textKey(hash) : null)
    .run();
  return id;
}

/** Writes a live file with the given bytes hash (no text). */
async function seedFile(courseId: number, canvasId: number, blob: string): Promise<string> {
  const id = `${courseId}:file:${canvasId}`;
  await env.DB.prepare(
    `INSERT INTO items (id, course_id, type, canvas_id, content_hash, data, blob_sha256, first_seen_at, changed_at)
     VALUES (?1, ?2, 'file', ?3, 'c', '{}', ?4, 0, 0)`,
  )
    .bind(id, courseId, String(canvasId), blob)
    .run();
  return id;
}

/** The byte-identical links, sorted. */
const blobLinks = async (): Promise<string[][]> =>
  (
    await env.DB.prepare(
      "SELECT item_a, item_b FROM duplicates WHERE kind = 'exact_blob' ORDER BY item_a, item_b",
    ).all<{
      item_a: string;
      item_b: string;
    }>()
  ).results.map((r) => [r.item_a, r.item_b]);

const SETTINGS: DedupSettings = {
  threshold: 0.8,
  scope: "course",
  dimensions: 384,
  batchSize: 100,
  blobPairsPerPass: 500,
};

function deps(index: MemoryVectorIndex, over: Partial<DedupSettings> = {}, alerts: Alert[] = []): DedupDeps {
  return {
    db: openDatabase(env.DB),
    blobs: env.BLOBS,
    vectors: index,
    settings: { ...SETTINGS, ...over },
    now: Date.now,
    alert: async (alert) => {
      alerts.push(alert);
    },
    log,
  };
}

const changes = { mode: "changes", after: "", includeProvisional: true, linkBlobs: true } as const;

async function openPairs(): Promise<
  { item_a: string; item_b: string; course_a: number; course_b: number }[]
> {
  const { results } = await env.DB.prepare(
    "SELECT item_a, item_b, course_a, course_b FROM duplicates WHERE status = 'open' ORDER BY id",
  ).all<{ item_a: string; item_b: string; course_a: number; course_b: number }>();
  return results;
}

describe("runDedupPass", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("alerts once per pass with ids and scores, never the texts", async () => {
    const text = baseText(0);
    const a = await seedPage(900, 1, text);
    const b = await seedPage(900, 2, editEvery(text, 25), true);
    const alerts: Alert[] = [];
    const result = await runDedupPass(deps(new MemoryVectorIndex(), {}, alerts), 900, changes);
    expect(result.raised).toHaveLength(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.kind).toBe("near_duplicates");
    expect(alerts[0]?.details).toMatchObject({
      courseId: 900,
      count: 1,
      conflicts: [
        { id: result.raised[0]?.id, itemA: a, itemB: b, score: similarity(text, editEvery(text, 25)) },
      ],
    });
    const body = JSON.stringify(alerts);
    for (const word of ["deadline", "extension", "emergencies"]) expect(body).not.toContain(word);
  });

  it("keeps to the course by default and looks institution-wide when configured", async () => {
    const text = baseText(1);
    const a = await seedPage(901, 1, text);
    const b = await seedPage(902, 1, editEvery(text, 25));
    const c = await seedPage(903, 1, text);
    const index = new MemoryVectorIndex();
    for (const course of [901, 902, 903]) await runDedupPass(deps(index), course, changes);
    expect(await openPairs()).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM duplicates").first<{ n: number }>())?.n).toBe(0);

    // Institution scope: the changed texts are checked again and now see the other courses.
    await env.DB.prepare("UPDATE items SET dedup_hash = NULL").run();
    for (const course of [901, 902, 903])
      await runDedupPass(deps(index, { scope: "institution" }), course, changes);
    const open = await openPairs();
    expect(open.map((p) => [p.item_a, p.item_b])).toEqual([
      [a, b],
      [b, c],
    ]);
    expect(open[0]).toMatchObject({ course_a: 901, course_b: 902 });
    const link = await env.DB.prepare(
      "SELECT item_a, item_b, kind FROM duplicates WHERE status = 'linked'",
    ).first();
    expect(link).toEqual({ item_a: a, item_b: c, kind: "exact_text" });
  });

  it("links byte-identical files across courses only institution-wide, and unlinks them when one goes", async () => {
    const blob = "ab".repeat(32);
    const x = await seedFile(910, 1, blob);
    const y = await seedFile(911, 1, blob);
    const z = await seedFile(910, 2, blob);
    const index = new MemoryVectorIndex();
    const course = await runDedupPass(deps(index), 910, changes);
    expect(course.links.exactBlob).toBe(1);
    expect(await blobLinks()).toEqual([[x, z]]);
    const wide = await runDedupPass(deps(index, { scope: "institution" }), 910, changes);
    expect(wide.links.exactBlob).toBe(2);
    expect(await blobLinks()).toEqual(
      [
        [x, z],
        [y, x],
        [y, z],
      ]
        .map(([a = "", b = ""]) => (a < b ? [a, b] : [b, a]))
        .sort(byJson),
    );
    expect(index.queryCount).toBe(0);

    await env.DB.prepare("UPDATE items SET deleted_at = 1 WHERE id = ?1").bind(y).run();
    await runDedupPass(deps(index, { scope: "institution" }), 911, changes);
    expect(await blobLinks()).toEqual([[x, z]]);
  });

  it("uses the configured threshold", async () => {
    const text = baseText(2);
    await seedPage(904, 1, text);
    await seedPage(904, 2, editEvery(text, 12));
    const score = similarity(text, editEvery(text, 12));
    expect(score).toBeGreaterThan(0.8);
    expect(score).toBeLessThan(0.9);
    const strict = await runDedupPass(deps(new MemoryVectorIndex(), { threshold: 0.9 }), 904, changes);
    expect(strict.raised).toEqual([]);
    await env.DB.prepare("UPDATE items SET dedup_hash = NULL").run();
    const loose = await runDedupPass(deps(new MemoryVectorIndex(), { threshold: 0.8 }), 904, changes);
    expect(loose.raised.map((r) => r.score)).toEqual([score]);
  });

  it("pages through a course in id order, resuming after the last item", async () => {
    for (let i = 1; i <= 5; i++) await seedPage(905, i, baseText(i));
    const index = new MemoryVectorIndex();
    const seen: number[] = [];
    let after = "";
    for (;;) {
      const r = await runDedupPass(deps(index, { batchSize: 2 }), 905, { ...changes, after });
      seen.push(r.checked);
      if (!r.more) break;
      after = r.lastId ?? "";
    }
    expect(seen).toEqual([2, 2, 1]);
    expect(index.queryCount).toBe(5);
    expect((await index.describe()).vectorCount).toBe(5);
  });

  it("deletes a vector whose item is gone when a query turns it up", async () => {
    const text = baseText(3);
    const index = new MemoryVectorIndex();
    const ghost = (await runDedupPass(deps(index), 906, changes)).checked; // nothing yet
    expect(ghost).toBe(0);
    const a = await seedPage(906, 1, text);
    await runDedupPass(deps(index), 906, changes);
    // The item goes away without a pass noticing; its vector stays behind until a neighbour's query finds it.
    await env.DB.prepare("DELETE FROM items WHERE id = ?1").bind(a).run();
    await seedPage(906, 2, editEvery(text, 25));
    const r = await runDedupPass(deps(index), 906, changes);
    expect(r.raised).toEqual([]);
    expect(await index.getByIds([a])).toEqual([]);
  });

  it("extends a pair found late to an exact copy that was linked before it existed", async () => {
    // A clock the index's write lag runs on: writes become visible 200 ms after they are made.
    let clock = 0;
    const index = new MemoryVectorIndex({ lagMs: 200, now: () => clock });
    const run = (selection: Parameters<typeof runDedupPass>[2]) =>
      runDedupPass({ ...deps(index), now: () => clock }, 909, selection);
    const text = baseText(5);
    const t = await seedPage(909, 1, text);
    expect((await run(changes)).provisional).toEqual([t]);
    clock = 1_000;
    expect((await run({ mode: "recheck", itemIds: [t] })).provisional).toEqual([]);
    // Z, a near-duplicate of T, is written; its check cannot see itself yet.
    const z = await seedPage(909, 2, editEvery(text, 25));
    expect((await run(changes)).provisional).toEqual([z]);
    // X, a copy of T, arrives: linked to T and given T's near-duplicates (none yet) without a query.
    clock = 1_100;
    const x = await seedPage(909, 3, text);
    const before = index.queryCount;
    await run({ mode: "changes", after: "", includeProvisional: false, linkBlobs: false });
    expect(index.queryCount).toBe(before);
    // Z's re-check sees itself and T, but not X (written after Z, not yet visible): X gets the pair anyway.
    clock = 1_250;
    const recheck = await run({ mode: "recheck", itemIds: [z] });
    expect(recheck.provisional).toEqual([]);
    expect((await openPairs()).map((p) => [p.item_a, p.item_b])).toEqual([
      [t, z],
      [z, x],
    ]);
  });

  it("two passes racing over the same course record and raise each pair once", async () => {
    const text = baseText(4);
    await seedPage(907, 1, text);
    await seedPage(907, 2, editEvery(text, 25));
    await seedPage(907, 3, text);
    const index = new MemoryVectorIndex();
    const alerts: Alert[] = [];
    const [x, y] = await Promise.all([
      runDedupPass(deps(index, {}, alerts), 907, changes),
      runDedupPass(deps(index, {}, alerts), 907, changes),
    ]);
    const rows = await env.DB.prepare("SELECT kind, status FROM duplicates ORDER BY item_a, item_b").all();
    // (1,2) near, (1,3) identical, (2,3) near
    expect(rows.results).toEqual([
      { kind: "near_text", status: "open" },
      { kind: "exact_text", status: "linked" },
      { kind: "near_text", status: "open" },
    ]);
    expect((x?.raised.length ?? 0) + (y?.raised.length ?? 0)).toBe(2);
    expect((x?.links.exactText ?? 0) + (y?.links.exactText ?? 0)).toBe(1);
  });
});

describe("handleDedupMessage", () => {
  it("continues a course larger than one pass through the queue until every text is checked", async () => {
    await resetStorage();
    for (let i = 1; i <= 5; i++) await seedPage(908, i, baseText(i));
    const message = DedupMessageSchema.parse({ v: 1, kind: "dedup", courseId: 908 });
    // The test env lacks the secret-typed fields (they come from miniflare bindings); the worker's Env has them.
    const workerEnv: Env = {
      ...env,
      CANVAS_TOKEN,
      API_TOKEN,
    };
    const settled = await handleDedupMessage(workerEnv, loadConfig(workerEnv), message, { batchSize: 2 });
    expect(settled).toEqual({ action: "ack" });
    // The continuation runs in the real consumer (default batch size) and checks the rest.
    await vi.waitUntil(
      async () => {
        const row = await env.DB.prepare(
          "SELECT count(*) AS n FROM items WHERE course_id = 908 AND dedup_hash = text_hash",
        ).first<{ n: number }>();
        return row?.n === 5;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(await counter("dedup_passes_total", "trigger=sync")).toBeGreaterThanOrEqual(2);
  });
});
