/** Live events for mutations, in Canvas's format: which events fire, ids global or local, envelope metadata. */
import { describe, expect, it } from "vitest";
import { sim } from "../support/simulator-harness";
import type { LiveEvent } from "../local/simulator";

function record(s: ReturnType<typeof sim>): LiveEvent[] {
  const events: LiveEvent[] = [];
  s.control.onEvent((e) => events.push(e));
  return events;
}

const G = 10_000_000_000_000;

/** The demo's reading-list.txt in course 101 (the twelfth file seeded there). */
const READING_LIST_FILE = 2012;

describe("live events", () => {
  it("emits nothing while seeding and wiki events only for title or body changes", () => {
    const s = sim();
    const events = record(s);
    expect(s.control.events()).toHaveLength(0);
    const { id } = s.control.createPage(101, { title: "Evented", body: "<p>1</p>" });
    s.control.editPage(101, id, { published: false });
    s.control.editPage(101, id, { body: "<p>2</p>" });
    s.control.deletePage(101, id);
    expect(events.map((e) => e.event_name)).toEqual([
      "wiki_page_created",
      "wiki_page_updated",
      "wiki_page_deleted",
    ]);
    const updated = events[1];
    expect(updated?.body).toEqual({
      wiki_page_id: String(G + id),
      title: "Evented",
      body: "<p>2</p>",
      old_body: "<p>1</p>",
    });
    expect(updated?.metadata).toMatchObject({
      event_name: "wiki_page_updated",
      producer: "canvas",
      context_type: "Course",
      context_id: String(G + 101),
      root_account_id: String(G + 1),
    });
    expect(String(updated?.metadata["event_time"])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("shows a file replacement as attachment_created plus attachment_deleted, with global ids", () => {
    const s = sim();
    const events = record(s);
    const { id } = s.control.replaceFile(101, READING_LIST_FILE, { text: "new" });
    expect(events.map((e) => [e.event_name, e.body["attachment_id"]])).toEqual([
      ["attachment_created", String(G + id)],
      ["attachment_deleted", String(G + READING_LIST_FILE)],
    ]);
    s.control.renameFile(101, id, "renamed.txt");
    expect(events[2]?.event_name).toBe("attachment_updated");
    expect(events[2]?.body["old_display_name"]).toBe("reading-list.txt");
    s.control.editFile(101, id, { hidden: true });
    expect(events).toHaveLength(3);
  });

  it("uses local ids for modules and items, and workflow_state deleted for removals", () => {
    const s = sim();
    const events = record(s);
    const mod = s.control.createModule(101, { name: "Evented module" });
    const item = s.control.createModuleItem(101, mod.id, { type: "SubHeader", title: "Hi" });
    s.control.deleteModuleItem(101, item.id);
    s.control.deleteModule(101, mod.id);
    expect(events.map((e) => e.event_name)).toEqual([
      "module_created",
      "module_item_created",
      "module_item_updated",
      "module_updated",
    ]);
    expect(events[1]?.body).toMatchObject({
      module_item_id: String(item.id),
      module_id: String(mod.id),
      context_id: "101",
    });
    expect(events[2]?.body["workflow_state"]).toBe("deleted");
    expect(events[3]?.body["workflow_state"]).toBe("deleted");
  });

  it("fires course_updated plus syllabus_updated, assignment, topic and quiz events", () => {
    const s = sim();
    const events = record(s);
    s.control.editCourse(101, { syllabus_body: "<p>s</p>" });
    const a = s.control.createAssignment(101, { name: "A" });
    s.control.editAssignment(101, a.id, { points_possible: 99 });
    const t = s.control.createAnnouncement(101, { title: "News" });
    const q = s.control.createQuiz(101, { title: "Q", quiz_type: "practice_quiz" });
    s.control.editQuiz(101, q.id, { time_limit: 10 });
    expect(events.map((e) => e.event_name)).toEqual([
      "course_updated",
      "syllabus_updated",
      "assignment_created",
      "assignment_updated",
      "discussion_topic_created",
      "quiz_created",
      "quiz_updated",
    ]);
    expect(events[1]?.body).toMatchObject({ course_id: String(G + 101), syllabus_body: "<p>s</p>" });
    expect(events[3]?.body).toMatchObject({ assignment_id: String(G + a.id), points_possible: 99 });
    expect(events[4]?.body).toMatchObject({
      discussion_topic_id: String(G + t.id),
      is_announcement: true,
      context_id: "101",
    });
  });
});
