/**
 * Vectorize applies writes seconds after they are made. Here the local stand-in is told to lag the same way (its
 * test-only override): the pass right after the sync cannot see the new vectors, so it must not call the texts
 * unique. It marks them provisional, re-checks them from a delayed queue message, and only then records the
 * conflict.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { StandinStore } from "../local/stand-ins/local-vectorize-store";
import { syncNow } from "../support/harness";
import {
  baseText,
  conflicts,
  counter,
  editEvery,
  html,
  pageItem,
  sortedPair,
  startCourse,
  waitForDedup,
} from "../support/dedup-harness";

const LAG_MS = 3_000;

describe("checks made before the index caught up", () => {
  it("are provisional, never a final 'unique', and are re-checked until the pair is found", async () => {
    const { simulator, courseId } = await startCourse();
    const db = env.VECTOR_STANDIN_DB;
    if (db === undefined) throw new Error("VECTOR_STANDIN_DB is not bound");
    await new StandinStore(db, "default").setLagOverride(LAG_MS);

    const text = baseText(1);
    const a = simulator.control.createPage(courseId, { title: "A", body: html(text) });
    const b = simulator.control.createPage(courseId, { title: "B", body: html(editEvery(text, 25)) });
    const ids = [pageItem(courseId, a.id), pageItem(courseId, b.id)];
    const job = await syncNow(courseId);
    expect(job.status).toBe("succeeded");

    // The first pass ran before its vectors were visible: both checks are provisional and nothing is recorded.
    await vi.waitUntil(
      async () => {
        const row = await env.DB.prepare(
          "SELECT count(*) AS n FROM items WHERE id IN (?1, ?2) AND dedup_provisional = 1 AND dedup_hash = text_hash",
        )
          .bind(ids[0], ids[1])
          .first<{ n: number }>();
        return row?.n === 2;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(await conflicts("open")).toEqual([]);
    expect(await counter("dedup_passes_total", "trigger=recheck")).toBe(0);

    // The delayed re-check sees both vectors and confirms the pair.
    await waitForDedup(courseId, 1, 60_000);
    const open = await conflicts("open");
    expect(open.map((c) => [c.a.itemId, c.b.itemId])).toEqual([sortedPair(ids[0] ?? "", ids[1] ?? "")]);
    expect(await counter("dedup_passes_total", "trigger=recheck")).toBeGreaterThanOrEqual(1);
    expect(await counter("dedup_checks_total", "outcome=provisional")).toBeGreaterThanOrEqual(2);
    await new StandinStore(db, "default").setLagOverride(null);
  });
});
