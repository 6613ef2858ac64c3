/** Canvas shapes and semantics for pages, assignments, topics, quizzes, courses: soft deletes and timestamps. */
import { describe, expect, it } from "vitest";
import { clock, collect, get, getJson, sim } from "../support/simulator-harness";

type Page = {
  page_id: number;
  url: string;
  title: string;
  updated_at: string;
  created_at: string;
  published: boolean;
  body?: string;
};

describe("pages", () => {
  it("lists pages without bodies unless include[]=body, and shows one page with its body", async () => {
    const s = sim();
    const list = await getJson<Page[]>(s, "/api/v1/courses/101/pages?per_page=100");
    const seeded = await s.control.truth(101, { hashes: false });
    expect(list.length).toBe(seeded.pages.length);
    expect(list.length).toBeGreaterThanOrEqual(5);
    expect(list.every((p) => !("body" in p))).toBe(true);
    const withBody = await getJson<Page[]>(s, "/api/v1/courses/101/pages?per_page=100&include[]=body");
    expect(withBody.every((p) => typeof p.body === "string" && p.body.includes("<"))).toBe(true);
    const first = list[0];
    if (first === undefined) throw new Error("no pages");
    const bySlug = await getJson<Page>(s, `/api/v1/courses/101/pages/${first.url}`);
    const byId = await getJson<Page>(s, `/api/v1/courses/101/pages/${first.page_id}`);
    const forced = await getJson<Page>(s, `/api/v1/courses/101/pages/page_id:${first.page_id}`);
    expect(bySlug.page_id).toBe(first.page_id);
    expect(byId).toEqual(bySlug);
    expect(forced).toEqual(bySlug);
    const truth = await s.control.truth(101, { hashes: false });
    expect(bySlug.body).toBe(truth.pages.find((p) => p.page_id === first.page_id)?.body);
    const front = await getJson<Page & { front_page: boolean }>(s, "/api/v1/courses/101/front_page");
    expect(front.front_page).toBe(true);
  });

  it("moves updated_at only when title or body change; publishing does not (but sort=updated_at sees it)", async () => {
    const c = clock();
    const s = sim({}, c);
    const { id } = s.control.createPage(101, { title: "Timestamps", body: "<p>v1</p>" });
    const created = await getJson<Page>(s, `/api/v1/courses/101/pages/page_id:${id}`);
    expect(created.updated_at).toBe(created.created_at);
    c.advance(60_000);
    s.control.editPage(101, id, { published: false });
    c.advance(60_000);
    s.control.editPage(101, id, { editing_roles: "teachers,students" });
    const unpublished = await getJson<Page>(s, `/api/v1/courses/101/pages/page_id:${id}`);
    expect(unpublished.published).toBe(false);
    expect(unpublished.updated_at).toBe(created.updated_at);
    // The list sorted by updated_at orders by the row's real updated_at, which did move: it comes first.
    const recent = await getJson<Page[]>(
      s,
      "/api/v1/courses/101/pages?sort=updated_at&order=desc&per_page=1",
    );
    expect(recent[0]?.page_id).toBe(id);
    c.advance(60_000);
    s.control.editPage(101, id, { body: "<p>v2</p>" });
    const edited = await getJson<Page>(s, `/api/v1/courses/101/pages/page_id:${id}`);
    expect(Date.parse(edited.updated_at) - Date.parse(created.updated_at)).toBe(180_000);
    expect(edited.body).toBe("<p>v2</p>");
    c.advance(60_000);
    s.control.editPage(101, id, { title: "Timestamps renamed" });
    const renamed = await getJson<Page>(s, `/api/v1/courses/101/pages/page_id:${id}`);
    expect(renamed.url).toBe("timestamps-renamed");
    expect(Date.parse(renamed.updated_at) - Date.parse(edited.updated_at)).toBe(60_000);
    expect((await get(s, "/api/v1/courses/101/pages/timestamps")).status).toBe(404);
  });

  it("soft-deletes a page: gone from lists, 404 {message: page not found} by slug or id, 401 via page_id:", async () => {
    const s = sim();
    const { id, url } = s.control.createPage(101, { title: "Doomed page", body: "<p>x</p>" });
    s.control.deletePage(101, id);
    const all = await collect<Page>(s, "/api/v1/courses/101/pages?per_page=50");
    expect(all.items.some((p) => p.page_id === id)).toBe(false);
    for (const ref of [url, String(id)]) {
      const response = await get(s, `/api/v1/courses/101/pages/${ref}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: "page not found" });
    }
    const forced = await get(s, `/api/v1/courses/101/pages/page_id:${id}`);
    expect(forced.status).toBe(401);
    expect(forced.headers.get("www-authenticate")).toBeNull();
    expect((await s.control.truth(101, { hashes: false })).deleted.pages).toContain(id);
    expect(() => s.control.deletePage(101, id)).toThrow(/no live page/);
  });
});

describe("other content", () => {
  it("uses the reference's field sets: no updated_at on courses, topics, quizzes and modules", async () => {
    const s = sim();
    const course = await getJson(s, "/api/v1/courses/101?include[]=syllabus_body");
    expect(course["syllabus_body"]).toEqual(expect.stringContaining("<h2>"));
    expect(course).not.toHaveProperty("updated_at");
    expect(await getJson(s, "/api/v1/courses/101")).not.toHaveProperty("syllabus_body");
    const [topic] = await getJson<Array<Record<string, unknown>>>(s, "/api/v1/courses/101/discussion_topics");
    expect(topic).toHaveProperty("posted_at");
    expect(topic).not.toHaveProperty("updated_at");
    const [quiz] = await getJson<Array<Record<string, unknown>>>(s, "/api/v1/courses/101/quizzes");
    expect(quiz).not.toHaveProperty("updated_at");
    expect(quiz).not.toHaveProperty("created_at");
    const [mod] = await getJson<Array<Record<string, unknown>>>(s, "/api/v1/courses/101/modules");
    expect(mod).not.toHaveProperty("updated_at");
    const [assignment] = await getJson<Array<Record<string, unknown>>>(s, "/api/v1/courses/101/assignments");
    expect(assignment).toHaveProperty("updated_at");
    expect(typeof assignment?.["description"]).toBe("string");
  });

  it("keeps announcements out of discussion_topics unless only_announcements=true", async () => {
    const s = sim();
    const topics = await getJson<Array<{ id: number; is_announcement: boolean }>>(
      s,
      "/api/v1/courses/101/discussion_topics",
    );
    const announcements = await getJson<Array<{ id: number; is_announcement: boolean }>>(
      s,
      "/api/v1/courses/101/discussion_topics?only_announcements=true",
    );
    const truth = await s.control.truth(101, { hashes: false });
    expect(topics.length).toBe(truth.discussions.length);
    expect(announcements.length).toBe(truth.announcements.length);
    expect(announcements.length).toBeGreaterThan(0);
    expect(topics.every((t) => !t.is_announcement)).toBe(true);
    expect(announcements.every((t) => t.is_announcement)).toBe(true);
    const first = announcements[0];
    expect((await get(s, `/api/v1/courses/101/discussion_topics/${first?.id ?? 0}`)).status).toBe(200);
  });

  it("soft-deletes assignments, topics, quizzes, modules and courses (missing from lists, 404 single)", async () => {
    const s = sim();
    const assignment = s.control.createAssignment(101, { name: "Temp", description: "<p>t</p>" });
    const topic = s.control.createDiscussion(101, { title: "Temp topic" });
    const quiz = s.control.createQuiz(101, { title: "Temp quiz" });
    const mod = s.control.createModule(101, { name: "Temp module" });
    const item = s.control.createModuleItem(101, mod.id, { type: "Assignment", content_id: assignment.id });
    s.control.deleteAssignment(101, assignment.id);
    s.control.deleteDiscussion(101, topic.id);
    s.control.deleteQuiz(101, quiz.id);
    s.control.deleteModule(101, mod.id);
    for (const path of [
      `assignments/${assignment.id}`,
      `discussion_topics/${topic.id}`,
      `quizzes/${quiz.id}`,
      `modules/${mod.id}`,
      `modules/${mod.id}/items/${item.id}`,
    ]) {
      const response = await get(s, `/api/v1/courses/101/${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        errors: [{ message: "The specified resource does not exist." }],
      });
    }
    const assignments = await collect<{ id: number }>(s, "/api/v1/courses/101/assignments?per_page=100");
    expect(assignments.items.map((a) => a.id)).not.toContain(assignment.id);
    // The graded quiz's own assignment went with it.
    expect(assignments.items.map((a) => a.id)).not.toContain(quiz.assignmentId);
    const truth = await s.control.truth(101, { hashes: false });
    expect(truth.deleted.quizzes).toContain(quiz.id);
    expect(truth.deleted.module_items).toContain(item.id);
    s.control.deleteCourse(103);
    expect((await get(s, "/api/v1/courses/103")).status).toBe(404);
    expect((await get(s, "/api/v1/courses/103/pages")).status).toBe(404);
    const courses = await getJson<Array<{ id: number }>>(s, "/api/v1/courses");
    expect(courses.map((co) => co.id)).toEqual([101, 102, 104]);
    const withDeleted = await getJson<Array<{ id: number }>>(s, "/api/v1/courses?state[]=deleted");
    expect(withDeleted.map((co) => co.id)).toEqual([103]);
  });

  it("answers unknown routes with Canvas's 404 errors array", async () => {
    const response = await get(sim(), "/api/v1/nothing/here");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [{ message: "The specified resource does not exist." }],
    });
  });
});
