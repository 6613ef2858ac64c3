/** Determinism across instances and the shape of generated institutions (demo and 10,000-item courses). */
import { describe, expect, it } from "vitest";
import { bulkMix } from "../../src/simulator/seed-bulk";
import { getJson, sim } from "./sim-helpers";

describe("determinism", () => {
  it("same seed and clock give identical ids, content and hashes; another seed differs", async () => {
    const a = await sim({ seed: 5 }).control.truth(101);
    const b = await sim({ seed: 5 }).control.truth(101);
    expect(b).toEqual(a);
    const c = await sim({ seed: 6 }).control.truth(101);
    expect(c.pages.map((p) => p.page_id)).toEqual(a.pages.map((p) => p.page_id));
    expect(c.pages.map((p) => p.body)).not.toEqual(a.pages.map((p) => p.body));
    const bulk1 = await sim({ institution: { courses: [{ id: 7, items: 300 }] } }).control.truth(7);
    const bulk2 = await sim({ institution: { courses: [{ id: 7, items: 300 }] } }).control.truth(7);
    expect(bulk2).toEqual(bulk1);
  });
});

describe("empty institution", () => {
  it("starts with no courses; courses and content can then be created", async () => {
    const s = sim({ institution: "empty" });
    expect(await getJson<unknown[]>(s, "/api/v1/courses")).toEqual([]);
    const { id } = s.control.createCourse({ name: "Fresh Course" });
    const page = s.control.createPage(id, { title: "Only page", body: "<p>one</p>" });
    const announcement = s.control.createAnnouncement(id, { title: "Hello" });
    s.control.editAnnouncement(id, announcement.id, { message: "<p>edited</p>" });
    const truth = await s.control.truth(id);
    expect(truth.course.name).toBe("Fresh Course");
    expect(truth.pages.map((p) => p.page_id)).toEqual([page.id]);
    expect(truth.announcements.map((a) => a.message)).toEqual(["<p>edited</p>"]);
    expect(truth.folders.map((f) => f.full_name)).toEqual(["course files"]);
  });
});

describe("demo institution", () => {
  it("has three courses with modules of every item type, 30+ pages, 20+ files of real document types", async () => {
    const s = sim();
    const courses = await getJson<Array<{ id: number }>>(s, "/api/v1/courses");
    expect(courses.length).toBeGreaterThanOrEqual(3);
    let pages = 0;
    let files = 0;
    const types = new Set<string>();
    const itemTypes = new Set<string>();
    for (const { id } of courses) {
      const truth = await s.control.truth(id);
      pages += truth.pages.length;
      files += truth.files.length;
      for (const f of truth.files) types.add(f.content_type);
      for (const m of truth.modules) for (const i of m.items) itemTypes.add(i.type);
      expect(truth.modules.length).toBeGreaterThanOrEqual(4);
      expect(truth.modules.length).toBeLessThanOrEqual(6);
      expect(truth.assignments.length).toBeGreaterThan(0);
      expect(truth.discussions.length).toBeGreaterThan(0);
      expect(truth.announcements.length).toBeGreaterThan(0);
      expect(truth.quizzes.length).toBeGreaterThan(0);
      expect(truth.folders.length).toBeGreaterThan(1);
      expect(truth.course.syllabus_body.length).toBeGreaterThan(100);
      expect(truth.pages.every((p) => /<p>/.test(p.body))).toBe(true);
    }
    expect(pages).toBeGreaterThanOrEqual(30);
    expect(files).toBeGreaterThanOrEqual(20);
    for (const t of [
      "application/pdf",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      "text/plain",
      "text/csv",
      "image/png",
    ]) {
      expect(types).toContain(t);
    }
    for (const t of ["Page", "File", "Assignment", "Discussion", "Quiz", "SubHeader", "ExternalUrl"])
      expect(itemTypes).toContain(t);
    // Shared content across courses for dedup: identical submit pages, near-identical integrity pages.
    const bodies = await Promise.all([101, 102].map(async (id) => (await s.control.truth(id)).pages));
    const submit = bodies.map((list) => list.find((p) => p.title === "How to Submit Your Work")?.body);
    expect(submit[0]).toBeDefined();
    expect(submit[0]).toBe(submit[1]);
    const integrity = bodies.map((list) => list.find((p) => p.title === "Academic Integrity Policy")?.body);
    expect(integrity[0]).not.toBe(integrity[1]);
  });
});

describe("bulk institution", () => {
  it("generates a 10,000-item course in the requested mix with module items on about half the objects", async () => {
    const s = sim({ institution: { courses: [{ id: 4242, items: 10_000, name: "Huge" }] } });
    const truth = await s.control.truth(4242, { hashes: false });
    const mix = bulkMix(10_000);
    expect(truth.course.name).toBe("Huge");
    expect(truth.pages.length).toBe(3000);
    expect(truth.files.length).toBe(3000);
    expect(truth.assignments.length).toBe(2000);
    expect(truth.discussions.length + truth.announcements.length).toBe(1000);
    expect(truth.announcements.length).toBeGreaterThan(0);
    expect(truth.quizzes.length).toBe(500);
    expect(truth.modules.length).toBe(mix.modules);
    const total =
      truth.pages.length +
      truth.files.length +
      truth.assignments.length +
      truth.discussions.length +
      truth.announcements.length +
      truth.quizzes.length +
      truth.modules.length;
    expect(total).toBe(10_000);
    const items = truth.modules.reduce((n, m) => n + m.items.length, 0);
    expect(items).toBeGreaterThan(0.4 * (10_000 - mix.modules));
    expect(items).toBeLessThan(0.6 * (10_000 - mix.modules));
    expect(truth.modules.some((m) => m.items.length > 100)).toBe(true);
    const page = truth.pages[1234];
    const shown = await getJson<{ body: string }>(
      s,
      `/api/v1/courses/4242/pages/page_id:${page?.page_id ?? 0}`,
    );
    expect(shown.body).toBe(page?.body);
    expect(shown.body.length).toBeGreaterThan(200);
  });
});
