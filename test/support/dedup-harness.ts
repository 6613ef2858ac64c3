/**
 * Shared steps of the dedup end-to-end tests: a course of our own in an empty simulated institution, syncs through
 * the real API, queue and consumer, waiting until the dedup pass the sync enqueued (and any re-checks) has settled,
 * and readers for the stored state those tests assert on (conflicts via the API, vectors via env.VECTORS, counters).
 * The simulator runs on a clock that each `syncAndDedup` moves to a later second, so an edit made after a sync always
 * shows a newer `updated_at` than what that sync stored (see `simulatorNow`).
 */
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { POLICIES } from "../local/corpus/corpus-text";
import { type VectorIndexPort, type VectorRecord, isVectorIndexPort } from "../../src/ports/vector-index";
import type { CanvasSimulator } from "../local/simulator";
import type { DuplicateView } from "../../src/storage/d1/conflicts";
import { api, apiJson, resetStorage, startSimulator, syncNow, type JobView } from "./harness";

/** What `/api/conflicts` answers: the storage module's view, as JSON. */
export type { DuplicateView } from "../../src/storage/d1/conflicts";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Three unrelated policy paragraphs per text: long enough (hundreds of trigrams) to be realistic. */
export function baseText(n: number): string {
  const pick = (i: number) => POLICIES[(n * 3 + i) % POLICIES.length] ?? "";
  return `${pick(0)} ${pick(1)} ${pick(2)}`;
}

/** Replaces every `step`-th word with a made-up one: a light edit at step 25, a heavy one at step 3. */
export function editEvery(text: string, step: number, tag = "zq"): string {
  return text
    .split(" ")
    .map((word, i) => (i % step === step - 1 ? `${tag}${i}word` : word))
    .join(" ");
}

export const html = (text: string): string => `<p>${text}</p>`;

/**
 * The simulated Canvas clock: real time plus a skew. Canvas timestamps have whole-second precision, and the sync's
 * timestamp tier only refetches a page body whose `updated_at` moved; an edit made within the same second as the
 * version a sync already stored would never be fetched (on real Canvas too), so a test that syncs and then edits
 * would race the wall clock. `syncAndDedup` adds a second after every sync instead of the tests sleeping.
 */
let clockSkewMs = 0;
const simulatorNow = (): number => Date.now() + clockSkewMs;

export interface DedupCourse {
  simulator: CanvasSimulator;
  courseId: number;
}

/** Fresh storage, an empty institution with one registered course. */
export async function startCourse(name = "Dedup course"): Promise<DedupCourse> {
  await resetStorage();
  clockSkewMs = 0;
  const simulator = startSimulator({ seed: 11, institution: "empty", now: simulatorNow });
  const { id } = simulator.control.createCourse({ name });
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: id } });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
  return { simulator, courseId: id };
}

export async function counter(name: string, labels = ""): Promise<number> {
  const row = await env.DB.prepare("SELECT value FROM metric_counters WHERE name = ?1 AND labels = ?2")
    .bind(name, labels)
    .first<{ value: number }>();
  return row?.value ?? 0;
}

/**
 * Waits until the course's dedup work is done: at least `passes` sync-triggered passes ran in total, every live
 * text is checked for good (not provisional), and no gone item is still marked as checked.
 */
export async function waitForDedup(courseId: number, passes: number, timeoutMs = 45_000): Promise<void> {
  await vi.waitUntil(
    async () => {
      if ((await counter("dedup_passes_total", "trigger=sync")) < passes) return false;
      const row = await env.DB.prepare(
        `SELECT
           sum(deleted_at IS NULL AND text_hash IS NOT NULL
             AND (dedup_hash IS NOT text_hash OR dedup_provisional IS NOT 0)) AS pending,
           sum((deleted_at IS NOT NULL OR text_hash IS NULL) AND dedup_hash IS NOT NULL) AS gone
         FROM items WHERE course_id = ?1`,
      )
        .bind(courseId)
        .first<{ pending: number | null; gone: number | null }>();
      return (row?.pending ?? 0) === 0 && (row?.gone ?? 0) === 0;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

/**
 * Runs a sync of the course and waits for its dedup pass. Returns the job as it stands after the pass. Afterwards
 * the simulated clock is a second ahead, so edits that follow show a timestamp this sync has not seen.
 */
export async function syncAndDedup(
  courseId: number,
  mode: "incremental" | "full" = "incremental",
): Promise<JobView & { report: (JobView["report"] & { dedup: Record<string, number> }) | null }> {
  const before = await counter("dedup_passes_total", "trigger=sync");
  const job = await syncNow(courseId, mode);
  if (job.status !== "succeeded") throw new Error(`sync failed: ${job.error ?? "?"}`);
  await waitForDedup(courseId, before + 1);
  clockSkewMs += 1000;
  return apiJson(`/api/jobs/${job.jobId}`);
}

export async function conflicts(status: "open" | "resolved" = "open"): Promise<DuplicateView[]> {
  const out: DuplicateView[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<DuplicateView> = await apiJson(
      `/api/conflicts?status=${status}&limit=500${cursor === null ? "" : `&cursor=${cursor}`}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

export async function courseDuplicates(courseId: number, query = ""): Promise<DuplicateView[]> {
  const page = await apiJson<Page<DuplicateView>>(`/api/courses/${courseId}/duplicates?limit=500${query}`);
  return page.items;
}

/** The pair's two item ids, sorted (the order the table stores them in). */
export const pairOf = (d: DuplicateView): [string, string] => [d.a.itemId, d.b.itemId];
export const sortedPair = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

export function vectors(): VectorIndexPort {
  const binding = env.VECTORS;
  if (!isVectorIndexPort(binding)) throw new Error("env.VECTORS is not a vector index");
  return binding;
}

export async function storedVectors(ids: string[]): Promise<VectorRecord[]> {
  return vectors().getByIds(ids);
}

/** The stored text of an item (what the dedup pass compared). */
export async function storedText(itemId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT text FROM items WHERE id = ?1")
    .bind(itemId)
    .first<{ text: string | null }>();
  if (row === null || row.text === null) throw new Error(`item ${itemId} has no inline text`);
  return row.text;
}

export const pageItem = (courseId: number, pageId: number): string => `${courseId}:page:${pageId}`;

/** Comparators for sorting expected and actual lists the same way. */
export const byJson = (x: unknown, y: unknown): number => {
  const [a, b] = [JSON.stringify(x), JSON.stringify(y)];
  return a < b ? -1 : a > b ? 1 : 0;
};
export const byNumber = (x: number, y: number): number => x - y;
