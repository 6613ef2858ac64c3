/**
 * Deleted items and items that lose their text leave nothing behind in dedup: no vector in the index, no open
 * conflict, no link. What the remaining items have with each other stays.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type DedupCourse,
  baseText,
  conflicts,
  courseDuplicates,
  editEvery,
  html,
  pageItem,
  sortedPair,
  startCourse,
  storedVectors,
  syncAndDedup,
} from "../support/dedup-harness";

describe("deletions", () => {
  let course: DedupCourse;

  beforeEach(async () => {
    course = await startCourse();
  });

  it("a deleted page leaves no vector and no open conflict or link", async () => {
    const { simulator, courseId } = course;
    const text = baseText(6);
    const doomed = simulator.control.createPage(courseId, { title: "Doomed", body: html(text) });
    const copy = simulator.control.createPage(courseId, { title: "Copy", body: html(text) });
    const near = simulator.control.createPage(courseId, { title: "Near", body: html(editEvery(text, 25)) });
    await syncAndDedup(courseId);
    const doomedId = pageItem(courseId, doomed.id);
    const copyId = pageItem(courseId, copy.id);
    const nearId = pageItem(courseId, near.id);
    // Before: linked to the copy, in conflict with the near page, indexed.
    expect(
      (await courseDuplicates(courseId)).filter((d) => [d.a.itemId, d.b.itemId].includes(doomedId)),
    ).toHaveLength(2);
    expect(await storedVectors([doomedId])).toHaveLength(1);

    simulator.control.deletePage(courseId, doomed.id);
    await syncAndDedup(courseId, "full");

    expect(await storedVectors([doomedId])).toEqual([]);
    const remaining = await courseDuplicates(courseId);
    expect(remaining.some((d) => [d.a.itemId, d.b.itemId].includes(doomedId))).toBe(false);
    // The copy and the near page still are a conflict of their own.
    expect((await conflicts("open")).map((c) => [c.a.itemId, c.b.itemId])).toEqual([
      sortedPair(copyId, nearId),
    ]);
    expect((await storedVectors([copyId, nearId])).map((v) => v.id).sort()).toEqual([copyId, nearId].sort());
  });

  it("a page whose text is emptied loses its vector and its conflict", async () => {
    const { simulator, courseId } = course;
    const text = baseText(8);
    const page = simulator.control.createPage(courseId, { title: "Will be emptied", body: html(text) });
    simulator.control.createPage(courseId, { title: "Near", body: html(editEvery(text, 25)) });
    await syncAndDedup(courseId);
    expect(await conflicts("open")).toHaveLength(1);

    simulator.control.editPage(courseId, page.id, { body: "" });
    await syncAndDedup(courseId);
    expect(await storedVectors([pageItem(courseId, page.id)])).toEqual([]);
    expect(await conflicts("open")).toEqual([]);
  });
});
