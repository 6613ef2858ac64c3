/**
 * Dedup tier 2 across courses: identical bytes are stored once in R2, every course reads back the right bytes,
 * deleting one course's copy keeps the blob while another references it, and the last release deletes it after the
 * grace period.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { makePptx } from "../local/simulator/documents";
import { collectGarbageBlobs } from "../../src/storage/blob-gc";
import { api, resetStorage, sha256Hex, startSimulator, syncNow } from "../support/harness";
import { openDatabase } from "../../src/storage/d1/client";

const [A, B] = [301, 302];

async function blobCount(sha: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM blobs WHERE sha256 = ?1")
    .bind(sha)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function r2Keys(): Promise<string[]> {
  return (await env.BLOBS.list({ prefix: "blobs/" })).objects.map((object) => object.key);
}

describe("content-addressed blobs shared across courses", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("stores a deck shared by two courses once, keeps it while referenced, and releases it after the grace period", async () => {
    const simulator = startSimulator({
      seed: 5,
      institution: {
        courses: [
          { id: A, items: 20 },
          { id: B, items: 20 },
        ],
      },
    });
    const deck = makePptx([
      ["Week 1", "Shared slides"],
      ["Week 2", "More shared slides"],
    ]);
    const sha = await sha256Hex(deck.slice().buffer);
    const inA = simulator.control.createFile(A, { name: "lecture-deck.pptx", bytes: deck });
    const inB = simulator.control.createFile(B, { name: "deck (copy).pptx", bytes: deck });
    for (const course of [A, B]) {
      await api("/api/courses", { method: "POST", json: { canvasCourseId: course } });
    }
    const jobA = await syncNow(A);
    const jobB = await syncNow(B);
    expect(jobA.status).toBe("succeeded");
    expect(jobB.report?.dedup.blobHits).toBeGreaterThanOrEqual(1);

    expect(await blobCount(sha)).toBe(1);
    const keysWithDeck = [];
    for (const key of await r2Keys()) {
      const object = await env.BLOBS.get(key);
      if (object && (await sha256Hex(await object.arrayBuffer())) === sha) keysWithDeck.push(key);
    }
    expect(keysWithDeck).toHaveLength(1);
    for (const [course, file] of [
      [A, inA.id],
      [B, inB.id],
    ] as const) {
      const response = await api(`/api/courses/${course}/files/${file}/content`);
      expect(await sha256Hex(await response.arrayBuffer())).toBe(sha);
    }

    // A re-sync (or a redelivered job) writes the same content nowhere again.
    const objectsBefore = (await r2Keys()).length;
    await syncNow(A, "full");
    expect((await r2Keys()).length).toBe(objectsBefore);

    // Course A deletes its copy: B still references the blob, so it stays.
    simulator.control.deleteFile(A, inA.id);
    await syncNow(A, "full");
    let gc = await collectGarbageBlobs(openDatabase(env.DB), env.BLOBS, Date.now(), 0);
    expect(await blobCount(sha)).toBe(1);
    expect((await api(`/api/courses/${B}/files/${inB.id}/content`)).status).toBe(200);

    // Course B deletes it too: orphaned now, deleted only once the grace period has passed.
    simulator.control.deleteFile(B, inB.id);
    await syncNow(B, "full");
    const grace = 24 * 3_600_000;
    gc = await collectGarbageBlobs(openDatabase(env.DB), env.BLOBS, Date.now(), grace);
    expect(gc.orphaned).toBeGreaterThanOrEqual(1);
    expect(await blobCount(sha)).toBe(1);
    gc = await collectGarbageBlobs(openDatabase(env.DB), env.BLOBS, Date.now() + grace + 1, grace);
    expect(gc.deleted).toBeGreaterThanOrEqual(1);
    expect(await blobCount(sha)).toBe(0);
    expect(await env.BLOBS.head(keysWithDeck[0] ?? "")).toBeNull();
  });
});
