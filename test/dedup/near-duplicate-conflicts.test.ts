/**
 * Tier 3 end to end: pages created in the simulator, synced through API, queue and consumer; the dedup pass the
 * sync enqueues indexes every text and turns a lightly edited copy into an open conflict whose score is the exact
 * pg_trgm similarity of the two stored texts, while a heavily edited one (similarity below 0.8) is not raised.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { similarity, trigramCount } from "../../src/dedup/trigram";
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
  storedText,
  storedVectors,
  syncAndDedup,
} from "../support/dedup-harness";

describe("near-duplicate detection through a sync", () => {
  let course: DedupCourse;

  beforeEach(async () => {
    course = await startCourse();
  });

  it("raises a lightly edited copy as an open conflict with the exact score, and nothing else", async () => {
    const { simulator, courseId } = course;
    const original = baseText(0);
    const light = editEvery(original, 25);
    const heavy = editEvery(original, 3);
    const a = simulator.control.createPage(courseId, { title: "Policies", body: html(original) });
    const b = simulator.control.createPage(courseId, { title: "Policies (copy)", body: html(light) });
    const c = simulator.control.createPage(courseId, { title: "Policies (rewritten)", body: html(heavy) });
    const d = simulator.control.createPage(courseId, { title: "Other", body: html(baseText(1)) });

    const job = await syncAndDedup(courseId);

    const [ta, tb, tc] = await Promise.all([a, b, c].map((p) => storedText(pageItem(courseId, p.id))));
    // The scenario really has one pair above 0.8 and one clearly below it.
    const expected = similarity(ta ?? "", tb ?? "");
    expect(expected).toBeGreaterThan(0.8);
    expect(expected).toBeLessThan(1);
    expect(similarity(ta ?? "", tc ?? "")).toBeLessThan(0.8);

    const open = await conflicts("open");
    expect(open).toHaveLength(1);
    const [conflict] = open;
    expect([conflict?.a.itemId, conflict?.b.itemId]).toEqual(
      sortedPair(pageItem(courseId, a.id), pageItem(courseId, b.id)),
    );
    expect(conflict?.kind).toBe("near_text");
    expect(conflict?.score).toBe(expected);
    expect(conflict?.reason).toMatch(/^pg_trgm similarity 0\.\d+ > 0\.8/);
    expect(conflict?.a.textHash).toBe(conflict?.a.currentTextHash);
    expect(conflict?.resolution).toBeNull();
    // The job that found the texts is credited with the near-duplicate.
    expect(job.report?.dedup["nearDuplicates"]).toBe(1);
    expect(job.report?.dedup["textHits"]).toBe(0);
    expect(await courseDuplicates(courseId)).toHaveLength(1);

    // Every text has its vector, in the course's namespace, with the metadata the query filters on.
    const ids = [a, b, c, d].map((p) => pageItem(courseId, p.id));
    const stored = await storedVectors(ids);
    expect(stored.map((v) => v.id).sort()).toEqual([...ids].sort());
    for (const vector of stored) {
      const text = await storedText(vector.id);
      expect(vector.namespace).toBe(`course-${courseId}`);
      expect(vector.values).toHaveLength(384);
      expect(vector.metadata).toMatchObject({
        course: String(courseId),
        type: "page",
        item: vector.id,
        ntrgm: trigramCount(text),
      });
      expect(vector.metadata?.["th"]).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("finds near-duplicates across item types (a page and an assignment description)", async () => {
    const { simulator, courseId } = course;
    const text = baseText(2);
    const page = simulator.control.createPage(courseId, { title: "Instructions", body: html(text) });
    const assignment = simulator.control.createAssignment(courseId, {
      name: "Essay",
      description: html(editEvery(text, 30, "qv")),
    });
    await syncAndDedup(courseId);
    const open = await conflicts("open");
    expect(open.map((x) => [x.a.itemId, x.b.itemId])).toEqual([
      sortedPair(pageItem(courseId, page.id), `${courseId}:assignment:${assignment.id}`),
    ]);
    expect(open[0]?.score).toBe(
      similarity(
        await storedText(pageItem(courseId, page.id)),
        await storedText(`${courseId}:assignment:${assignment.id}`),
      ),
    );
  });
});
