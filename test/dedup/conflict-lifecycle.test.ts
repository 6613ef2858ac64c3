/**
 * Tier 4 end to end: conflicts raised by syncs are listed and paged by the API, resolved each way, stay resolved
 * through later syncs (also when a side changes in ways that keep its text), and are raised again, same row, when
 * one side's text changes. Bad requests get the API's error shape.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { similarity } from "../../src/dedup/trigram";
import { api, apiJson } from "../support/harness";
import {
  type DedupCourse,
  type DuplicateView,
  type Page,
  baseText,
  conflicts,
  courseDuplicates,
  editEvery,
  html,
  pageItem,
  sortedPair,
  startCourse,
  storedText,
  syncAndDedup,
  byJson,
  byNumber,
} from "../support/dedup-harness";

async function resolve(id: number, body: unknown): Promise<Response> {
  return api(`/api/conflicts/${id}/resolve`, { method: "POST", json: body });
}

describe("conflict lifecycle through the API", () => {
  let course: DedupCourse;
  const pages: Record<string, { id: number }> = {};
  const byPair = new Map<string, DuplicateView>();
  const conflictOf = (x: string, y: string): DuplicateView => {
    const found = byPair.get(
      sortedPair(
        pageItem(course.courseId, pages[x]?.id ?? 0),
        pageItem(course.courseId, pages[y]?.id ?? 0),
      ).join("|"),
    );
    if (found === undefined) throw new Error(`no conflict ${x}-${y}`);
    return found;
  };

  beforeAll(async () => {
    course = await startCourse();
    const { simulator, courseId } = course;
    for (const [name, n] of [
      ["a", 5],
      ["c", 6],
      ["e", 7],
    ] as const) {
      const text = baseText(n);
      pages[name] = simulator.control.createPage(courseId, { title: `page ${name}`, body: html(text) });
      const twin = String.fromCharCode(name.charCodeAt(0) + 1);
      pages[twin] = simulator.control.createPage(courseId, {
        title: `page ${twin}`,
        body: html(editEvery(text, 20, `x${name}`)),
      });
    }
    pages["x"] = simulator.control.createPage(courseId, { title: "unrelated", body: html("A short note.") });
    await syncAndDedup(courseId);
    for (const conflict of await conflicts("open"))
      byPair.set(`${conflict.a.itemId}|${conflict.b.itemId}`, conflict);
  });

  it("lists the open conflicts, paged with an opaque cursor", async () => {
    expect(byPair.size).toBe(3);
    const first = await apiJson<Page<DuplicateView>>("/api/conflicts?limit=2");
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await apiJson<Page<DuplicateView>>(`/api/conflicts?limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((c) => c.id).sort(byNumber)).toEqual(
      [...byPair.values()].map((c) => c.id).sort(byNumber),
    );
    expect((await api("/api/conflicts?cursor=not-a-cursor")).status).toBe(400);
    expect((await api("/api/conflicts", { headers: { authorization: "" } })).status).toBe(401);
    const single = await apiJson<DuplicateView>(`/api/conflicts/${conflictOf("a", "b").id}`);
    expect(single).toEqual(conflictOf("a", "b"));
  });

  it("resolves each way, validating the canonical item", async () => {
    const ab = conflictOf("a", "b");
    const cd = conflictOf("c", "d");
    const ef = conflictOf("e", "f");

    const keep = await resolve(ab.id, { resolution: "keep_both" });
    expect(keep.status).toBe(200);
    expect(await keep.json()).toMatchObject({
      id: ab.id,
      status: "resolved",
      resolution: "keep_both",
      canonicalItemId: null,
    });

    const missing = await resolve(cd.id, { resolution: "mark_duplicate" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: "invalid_request" } });
    const stranger = await resolve(cd.id, { resolution: "mark_duplicate", canonicalItemId: ab.a.itemId });
    expect(stranger.status).toBe(400);
    const notAllowed = await resolve(ab.id, { resolution: "ignore", canonicalItemId: ab.a.itemId });
    expect(notAllowed.status).toBe(400);
    const marked = await resolve(cd.id, { resolution: "mark_duplicate", canonicalItemId: cd.b.itemId });
    expect(marked.status).toBe(200);
    expect(await marked.json()).toMatchObject({
      status: "resolved",
      resolution: "mark_duplicate",
      canonicalItemId: cd.b.itemId,
    });

    const ignored = await resolve(ef.id, { resolution: "ignore" });
    expect(ignored.status).toBe(200);
    expect((await resolve(999_999, { resolution: "ignore" })).status).toBe(404);
    expect((await resolve(ab.id, { resolution: "merge" })).status).toBe(400);

    expect(await conflicts("open")).toEqual([]);
    const resolved = await conflicts("resolved");
    expect(resolved.map((c) => [c.id, c.resolution]).sort(byJson)).toEqual(
      [
        [ab.id, "keep_both"],
        [cd.id, "mark_duplicate"],
        [ef.id, "ignore"],
      ].sort(byJson),
    );
    for (const c of resolved) expect(c.resolvedAt).toEqual(expect.any(String));
  });

  it("does not raise a resolved pair again while both texts stay the same", async () => {
    const { simulator, courseId } = course;
    // A title edit changes the item but not its text; an unrelated page changes its text.
    simulator.control.editPage(courseId, pages["a"]?.id ?? 0, { title: "page a, renamed" });
    simulator.control.editPage(courseId, pages["x"]?.id ?? 0, { body: html("A different short note.") });
    await syncAndDedup(courseId);
    await syncAndDedup(courseId, "full");
    // The edit was synced (not lost to a same-second timestamp): the last test copies this very text.
    expect(await storedText(pageItem(courseId, pages["x"]?.id ?? 0))).toBe("A different short note.");
    expect(await conflicts("open")).toEqual([]);
    expect(await conflicts("resolved")).toHaveLength(3);

    // An edit that is reverted brings back the very texts that were decided on: the check finds the pair again
    // with the recorded hashes and leaves the decision alone.
    const f = pageItem(courseId, pages["f"]?.id ?? 0);
    const original = await storedText(f);
    simulator.control.editPage(courseId, pages["f"]?.id ?? 0, { body: html(baseText(9)) });
    await syncAndDedup(courseId);
    expect(await storedText(f)).not.toBe(original);
    expect(await conflicts("open")).toEqual([]);
    simulator.control.editPage(courseId, pages["f"]?.id ?? 0, { body: html(original) });
    await syncAndDedup(courseId);
    expect(await storedText(f)).toBe(original);
    expect(await conflicts("open")).toEqual([]);
    const ef = (await conflicts("resolved")).find((c) => c.id === conflictOf("e", "f").id);
    expect(ef).toMatchObject({ resolution: "ignore", score: conflictOf("e", "f").score });
  });

  it("raises it again, same row, when one side's text changes and is still a near-duplicate", async () => {
    const { simulator, courseId } = course;
    const ab = conflictOf("a", "b");
    const before = await storedText(pageItem(courseId, pages["b"]?.id ?? 0));
    simulator.control.editPage(courseId, pages["b"]?.id ?? 0, { body: html(editEvery(before, 40, "again")) });
    const job = await syncAndDedup(courseId);

    const open = await conflicts("open");
    expect(open.map((c) => c.id)).toEqual([ab.id]);
    const reopened = open[0];
    expect(reopened?.resolution).toBeNull();
    expect(reopened?.canonicalItemId).toBeNull();
    const expected = similarity(
      await storedText(pageItem(courseId, pages["a"]?.id ?? 0)),
      await storedText(pageItem(courseId, pages["b"]?.id ?? 0)),
    );
    expect(expected).toBeGreaterThan(0.8);
    expect(reopened?.score).toBe(expected);
    expect(reopened?.score).not.toBe(ab.score);
    expect(job.report?.dedup["nearDuplicates"]).toBe(1);
    // The other decisions stand.
    expect((await conflicts("resolved")).map((c) => c.resolution).sort(byJson)).toEqual([
      "ignore",
      "mark_duplicate",
    ]);
    // Per-course counts and list.
    expect(await apiJson(`/api/courses/${courseId}/dedup`)).toMatchObject({
      canvasCourseId: courseId,
      openConflicts: 1,
      resolvedConflicts: 2,
      texts: { total: 7, checked: 7, provisional: 0, unchecked: 0 },
    });
    expect(await courseDuplicates(courseId, "&kind=near_text")).toHaveLength(3);
    expect((await api("/api/courses/424242/dedup")).status).toBe(404);
  });

  it("refuses to resolve an exact-copy link", async () => {
    const { simulator, courseId } = course;
    const copy = simulator.control.createPage(courseId, {
      title: "copy of x",
      body: html("A different short note."),
    });
    await syncAndDedup(courseId);
    const [link] = await courseDuplicates(courseId, "&kind=exact_text");
    expect(link && [link.a.itemId, link.b.itemId]).toEqual(
      sortedPair(pageItem(courseId, copy.id), pageItem(courseId, pages["x"]?.id ?? 0)),
    );
    const refused = await resolve(link?.id ?? 0, { resolution: "ignore" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "not_a_conflict" } });
  });
});
