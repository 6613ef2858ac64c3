/**
 * Tier 2 end to end: exact copies are linked straight from the database, without a vector query. A text that is
 * identical to an already checked one (same text hash) is linked to it and inherits its near-duplicates; files with
 * the same bytes are linked as byte-identical. The vector index is still told about every text.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type DedupCourse,
  baseText,
  conflicts,
  counter,
  courseDuplicates,
  editEvery,
  html,
  pageItem,
  sortedPair,
  startCourse,
  storedVectors,
  syncAndDedup,
  byJson,
} from "../support/dedup-harness";
import { apiJson, waitForExtractions } from "../support/harness";

describe("exact duplicates", () => {
  let course: DedupCourse;

  beforeEach(async () => {
    course = await startCourse();
  });

  it("links identical texts without a vector query, and the copy inherits the original's conflicts", async () => {
    const { simulator, courseId } = course;
    const text = baseText(3);
    const original = simulator.control.createPage(courseId, { title: "Original", body: html(text) });
    const near = simulator.control.createPage(courseId, { title: "Near", body: html(editEvery(text, 25)) });
    await syncAndDedup(courseId);
    const [first] = await conflicts("open");
    expect(first).toBeDefined();

    const queriesBefore = await counter("dedup_vector_queries_total");
    const upsertsBefore = await counter("dedup_vectors_upserted_total");
    const copy = simulator.control.createPage(courseId, { title: "Copy", body: html(text) });
    const assignment = simulator.control.createAssignment(courseId, {
      name: "Same text",
      description: html(text),
    });
    const job = await syncAndDedup(courseId);

    // No vector query was needed: both new texts have an already-checked twin.
    expect(await counter("dedup_vector_queries_total")).toBe(queriesBefore);
    // But both texts are indexed.
    expect(await counter("dedup_vectors_upserted_total")).toBe(upsertsBefore + 2);
    const ids = [pageItem(courseId, copy.id), `${courseId}:assignment:${assignment.id}`];
    expect((await storedVectors(ids)).map((v) => v.id).sort()).toEqual([...ids].sort());

    const links = await courseDuplicates(courseId, "&kind=exact_text");
    const originalId = pageItem(courseId, original.id);
    expect(links.map((l) => [l.a.itemId, l.b.itemId]).sort(byJson)).toEqual(
      [
        sortedPair(originalId, ids[0] ?? ""),
        sortedPair(originalId, ids[1] ?? ""),
        sortedPair(ids[0] ?? "", ids[1] ?? ""),
      ].sort(byJson),
    );
    for (const link of links) {
      expect(link.status).toBe("linked");
      expect(link.score).toBe(1);
      expect(link.a.textHash).toBe(link.b.textHash);
    }
    expect(job.report?.dedup["textHits"]).toBe(3);

    // The copies are near-duplicates of "near" exactly as the original is, with the same score.
    const nearId = pageItem(courseId, near.id);
    const open = await conflicts("open");
    expect(open.map((c) => [c.a.itemId, c.b.itemId]).sort(byJson)).toEqual(
      [
        sortedPair(originalId, nearId),
        sortedPair(ids[0] ?? "", nearId),
        sortedPair(ids[1] ?? "", nearId),
      ].sort(byJson),
    );
    for (const conflict of open) expect(conflict.score).toBe(first?.score);
    expect(job.report?.dedup["nearDuplicates"]).toBe(2);
  });

  it("links files with the same bytes as byte-identical, not as a text copy", async () => {
    const { simulator, courseId } = course;
    const text = baseText(4);
    const one = simulator.control.createFile(courseId, { name: "notes.txt", text });
    const two = simulator.control.createFile(courseId, { name: "notes-copy.txt", text });
    const other = simulator.control.createFile(courseId, { name: "other.txt", text: baseText(5) });
    await syncAndDedup(courseId);
    await waitForExtractions();
    // Extraction gives both files the same text afterwards; the byte link stands.
    await syncAndDedup(courseId);

    const pairs = await courseDuplicates(courseId);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]?.kind).toBe("exact_blob");
    expect(pairs[0]?.status).toBe("linked");
    expect(pairOfIds(pairs[0])).toEqual(
      sortedPair(`${courseId}:file:${one.id}`, `${courseId}:file:${two.id}`),
    );
    expect(pairs.some((p) => pairOfIds(p).includes(`${courseId}:file:${other.id}`))).toBe(false);
    expect(await counter("dedup_links_total", "kind=exact_blob")).toBe(1);
    const summary = await apiJson(`/api/courses/${courseId}/dedup`);
    expect(summary).toMatchObject({ exactBlobLinks: 1, exactTextLinks: 0, openConflicts: 0 });
  });
});

const pairOfIds = (p: { a: { itemId: string }; b: { itemId: string } } | undefined): string[] =>
  p === undefined ? [] : [p.a.itemId, p.b.itemId];
