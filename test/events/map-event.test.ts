import { describe, expect, it } from "vitest";
import { parseCanvasEvent } from "../../src/events/envelope";
import type { CanvasEvent } from "../../src/events/envelope";
import { isIgnored, mapEventToWork } from "../../src/events/map-event";
import type { EventLookups } from "../../src/events/map-event";
import { envelope, globalId, jobMetadata, requestMetadata } from "../support/sample-events";

const TIME = "2026-03-01T11:30:00.250Z";
const COURSE = 42;
const OTHER_COURSE = 43;
const courseContext = { type: "Course", id: globalId(7, COURSE) };

function event(raw: unknown): CanvasEvent {
  const parsed = parseCanvasEvent(raw, new Date("2026-03-01T12:00:00Z"));
  if (!parsed.ok) throw new Error(`fixture did not parse: ${parsed.issue}`);
  return parsed.event;
}

/** Lookups over a small mirror: courses 42 and 43 registered; page 901 known to be in 42. */
function lookups(overrides: Partial<EventLookups> = {}): EventLookups {
  const registered = new Set([COURSE, OTHER_COURSE]);
  const pages = new Map([[901, COURSE]]);
  return {
    isRegisteredCourse: (id) => registered.has(id),
    courseForPage: (id) => pages.get(id) ?? null,
    ...overrides,
  };
}

describe("mapEventToWork: pages", () => {
  it.each(["wiki_page_created", "wiki_page_updated", "wiki_page_deleted"])(
    "%s of a known page targets that page in the course from the page map",
    (name) => {
      // Job-triggered: no context in metadata, so only the page map can place it.
      const work = mapEventToWork(
        event(envelope(jobMetadata(name, TIME), { wiki_page_id: globalId(7, 901) })),
        lookups(),
      );
      expect(work).toEqual({
        courseId: COURSE,
        scope: { kind: "page", pageId: 901 },
        eventTime: TIME,
        eventName: name,
        objectKey: "course:42:page:901",
      });
    },
  );

  it("prefers the page map over the request context", () => {
    const raw = envelope(
      requestMetadata("wiki_page_updated", TIME, { type: "Course", id: globalId(7, OTHER_COURSE) }),
      {
        wiki_page_id: globalId(7, 901),
      },
    );
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({ courseId: COURSE });
  });

  it("places a page the map does not know through the metadata course context", () => {
    const raw = envelope(requestMetadata("wiki_page_created", TIME, courseContext), {
      wiki_page_id: globalId(7, 7777),
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({
      courseId: COURSE,
      scope: { kind: "page", pageId: 7777 },
    });
  });

  it("ignores an unknown page with no course context, and group pages", () => {
    const job = envelope(jobMetadata("wiki_page_created", TIME), { wiki_page_id: globalId(7, 7777) });
    expect(mapEventToWork(event(job), lookups())).toEqual({
      ignored: "course_unknown",
      eventName: "wiki_page_created",
    });
    const group = envelope(
      requestMetadata("wiki_page_updated", TIME, { type: "Group", id: globalId(7, 5) }),
      {
        wiki_page_id: globalId(7, 7777),
      },
    );
    expect(mapEventToWork(event(group), lookups())).toMatchObject({ ignored: "course_unknown" });
  });
});

describe("mapEventToWork: files", () => {
  it.each(["attachment_created", "attachment_updated", "attachment_deleted"])(
    "%s targets that file",
    (name) => {
      const raw = envelope(requestMetadata(name, TIME, null), {
        attachment_id: globalId(3, 3001),
        context_type: "Course",
        context_id: globalId(3, COURSE),
        display_name: "notes.pdf",
      });
      expect(mapEventToWork(event(raw), lookups())).toEqual({
        courseId: COURSE,
        scope: { kind: "file", fileId: 3001 },
        eventTime: TIME,
        eventName: name,
        objectKey: "course:42:file:3001",
      });
    },
  );

  it("ignores user and group files", () => {
    const raw = envelope(requestMetadata("attachment_created", TIME, courseContext), {
      attachment_id: globalId(7, 3001),
      context_type: "User",
      context_id: globalId(7, 555),
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({ ignored: "not_course_context" });
  });

  it("uses the file map when the body lost its context", () => {
    const raw = envelope(jobMetadata("attachment_deleted", TIME), { attachment_id: globalId(7, 3001) });
    const withMap = lookups({ courseForFile: (id) => (id === 3001 ? OTHER_COURSE : null) });
    expect(mapEventToWork(event(raw), withMap)).toMatchObject({
      courseId: OTHER_COURSE,
      scope: { kind: "file", fileId: 3001 },
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({ ignored: "course_unknown" });
  });
});

describe("mapEventToWork: course-scoped families", () => {
  it.each([
    ["module_created", { module_id: "12", context_id: String(COURSE), context_type: "Course", position: 1 }],
    [
      "module_updated",
      { module_id: "12", context_id: String(COURSE), context_type: "Course", workflow_state: "deleted" },
    ],
    [
      "module_item_created",
      { module_item_id: "99", module_id: "12", context_id: String(COURSE), context_type: "Course" },
    ],
    [
      "module_item_updated",
      { module_item_id: "99", module_id: "12", context_id: String(COURSE), context_type: "Course" },
    ],
  ])("%s targets the course's modules (local context id)", (name, body) => {
    expect(mapEventToWork(event(envelope(jobMetadata(name, TIME), body)), lookups())).toEqual({
      courseId: COURSE,
      scope: { kind: "modules" },
      eventTime: TIME,
      eventName: name,
      objectKey: "course:42:modules",
    });
  });

  it.each(["assignment_created", "assignment_updated"])("%s targets that assignment (global ids)", (name) => {
    const raw = envelope(requestMetadata(name, TIME, courseContext), {
      assignment_id: globalId(7, 501),
      context_id: globalId(7, COURSE),
      context_type: "Course",
      assignment_group_id: globalId(7, 9),
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({
      courseId: COURSE,
      scope: { kind: "assignment", id: 501 },
      objectKey: "course:42:assignment:501",
    });
  });

  it.each([false, true])(
    "discussion topics carry the announcement flag (is_announcement=%s)",
    (isAnnouncement) => {
      const raw = envelope(requestMetadata("discussion_topic_updated", TIME, courseContext), {
        discussion_topic_id: globalId(7, 601),
        is_announcement: isAnnouncement,
        context_id: String(COURSE),
        context_type: "Course",
        assignment_id: null,
      });
      expect(mapEventToWork(event(raw), lookups())).toMatchObject({
        courseId: COURSE,
        scope: { kind: "discussion_topic", id: 601, isAnnouncement },
        objectKey: "course:42:discussion_topic:601",
      });
    },
  );

  it("ignores group discussions", () => {
    const raw = envelope(requestMetadata("discussion_topic_created", TIME, courseContext), {
      discussion_topic_id: globalId(7, 601),
      is_announcement: false,
      context_id: "5",
      context_type: "Group",
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({ ignored: "not_course_context" });
  });

  it.each(["quiz_created", "quiz_updated"])("%s targets that quiz", (name) => {
    const raw = envelope(requestMetadata(name, TIME, courseContext), {
      quiz_id: globalId(7, 701),
      context_id: globalId(7, COURSE),
      context_type: "Course",
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({
      courseId: COURSE,
      scope: { kind: "quiz", id: 701 },
    });
  });

  it.each(["syllabus_updated", "course_updated", "course_created"])(
    "%s targets the course record",
    (name) => {
      const raw = envelope(requestMetadata(name, TIME, courseContext), { course_id: globalId(7, COURSE) });
      expect(mapEventToWork(event(raw), lookups())).toMatchObject({
        courseId: COURSE,
        scope: { kind: "course" },
        objectKey: "course:42:course",
      });
    },
  );

  it("content_migration_completed requests a full reconciliation", () => {
    const raw = envelope(jobMetadata("content_migration_completed", TIME), {
      content_migration_id: globalId(7, 8),
      context_id: globalId(7, COURSE),
      context_type: "Course",
      migration_type: "course_copy_importer",
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({
      courseId: COURSE,
      scope: { kind: "full_reconcile" },
      objectKey: "course:42:full_reconcile",
    });
  });

  it("master_migration_completed (blueprint sync) requests a full reconciliation of the blueprint course", () => {
    const raw = envelope(jobMetadata("master_migration_completed", TIME), {
      master_migration_id: "3",
      master_template_id: "2",
      blueprint_course_id: globalId(7, OTHER_COURSE),
    });
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({
      courseId: OTHER_COURSE,
      scope: { kind: "full_reconcile" },
    });
  });
});

describe("mapEventToWork: ignored events", () => {
  it("ignores events of unregistered courses and says which course", () => {
    const raw = envelope(requestMetadata("assignment_updated", TIME, null), {
      assignment_id: globalId(7, 501),
      context_id: globalId(7, 1000),
      context_type: "Course",
    });
    const result = mapEventToWork(event(raw), lookups());
    expect(result).toEqual({
      ignored: "course_not_registered",
      eventName: "assignment_updated",
      courseId: 1000,
    });
    expect(isIgnored(result)).toBe(true);
  });

  it.each(["submission_created", "discussion_entry_created", "course_progress", "assignment_group_updated"])(
    "ignores %s as an event family we do not mirror",
    (name) => {
      const raw = envelope(requestMetadata(name, TIME, courseContext), { course_id: globalId(7, COURSE) });
      expect(mapEventToWork(event(raw), lookups())).toEqual({ ignored: "unhandled_event", eventName: name });
    },
  );

  it("resolves courses on high shards whose global ids exceed 2^53", () => {
    const raw = envelope(requestMetadata("course_updated", TIME, null), {
      course_id: globalId(123_456, COURSE),
    });
    expect(globalId(123_456, COURSE).length).toBeGreaterThan(16);
    expect(mapEventToWork(event(raw), lookups())).toMatchObject({ courseId: COURSE });
  });
});
