/**
 * New Quizzes Live Events (producer "quizzes", Instructure data-services docs "Quizzes.Quiz" and "Quizzes.Item"):
 * both envelope spellings parse (`attributes` as documented today, `metadata` as older examples show), the
 * service's own quiz id is never taken for an assignment id, and the work is the course's New Quizzes list,
 * with every quiz's items refetched for item events under a key of their own.
 */
import { describe, expect, it } from "vitest";
import { parseCanvasEvent, type CanvasEvent } from "../../src/events/envelope";
import { mapEventToWork, type EventLookups } from "../../src/events/map-event";
import { TargetScopeSchema } from "../../src/sync/targeted";

const TIME = "2026-09-18T06:35:02.079Z";
const lookups: EventLookups = { isRegisteredCourse: (id) => id === 1, courseForPage: () => null };

function parsed(raw: unknown): CanvasEvent {
  const result = parseCanvasEvent(raw, new Date(TIME));
  if (!result.ok) throw new Error(result.issue);
  return result.event;
}

const attributes = (name: string) => ({
  event_name: name,
  event_time: TIME,
  producer: "quizzes",
  root_account_uuid: "VicYj3cu5BIFpoZhDVU4DZumnlBrWi1grgJEzADs",
});

// The documented payload examples (quizzes.quiz_created, quizzes.item_created).
const quizCreated = {
  attributes: attributes("quizzes.quiz_created"),
  body: {
    id: "372",
    title: "New Quiz for question updates",
    context_id: "1",
    course_id: "1",
    quiz_type: "graded_quiz",
    lti_resource_id: "",
    status: "uninitialized",
    outcome_alignment_set_guid: null,
    practice_quiz: false,
    points_possible: 0.0,
    updated_at: "2026-09-18T06:35:02.052Z",
    archived: false,
  },
};
const itemCreated = {
  attributes: attributes("quizzes.item_created"),
  body: {
    id: "495",
    title: null,
    question_type: "essay",
    owner: { type: "quiz", quiz_id: "370", course_id: "1", context_id: "1", lti_resource_id: null },
    workflow_state: "mutable",
    updated_at: "2026-09-18T05:55:11.372Z",
  },
};

describe("New Quizzes Live Events", () => {
  it("maps quizzes.quiz_created/updated to the course's New Quizzes list (the body id is the service's)", () => {
    for (const name of ["quizzes.quiz_created", "quizzes.quiz_updated"]) {
      const work = mapEventToWork(parsed({ ...quizCreated, attributes: attributes(name) }), lookups);
      expect(work).toEqual({
        courseId: 1,
        scope: { kind: "new_quizzes", items: "moved" },
        eventTime: TIME,
        eventName: name,
        objectKey: "course:1:new_quizzes",
      });
    }
  });

  it("maps item events to a refetch of every quiz's items, under a key that never joins a list-only job", () => {
    for (const name of ["quizzes.item_created", "quizzes.item_updated"]) {
      const work = mapEventToWork(parsed({ ...itemCreated, attributes: attributes(name) }), lookups);
      expect(work).toMatchObject({
        courseId: 1,
        scope: { kind: "new_quizzes", items: "all" },
        objectKey: "course:1:new_quizzes:items",
      });
      // The scope is one a targeted job accepts.
      expect(TargetScopeSchema.safeParse("scope" in work ? work.scope : null).success).toBe(true);
    }
  });

  it("reads the older `metadata` envelope too, and global course ids", () => {
    const raw = {
      metadata: attributes("quizzes.quiz_updated"),
      body: { id: "9", course_id: "10000000000001" },
    };
    expect(mapEventToWork(parsed(raw), lookups)).toMatchObject({ courseId: 1 });
  });

  it("ignores events of unregistered courses, without a course, and rejects a body without its id", () => {
    const other = { ...quizCreated, body: { ...quizCreated.body, course_id: "2", context_id: "2" } };
    expect(mapEventToWork(parsed(other), lookups)).toMatchObject({ ignored: "course_not_registered" });
    const bank = { ...itemCreated, body: { ...itemCreated.body, owner: { type: "bank", quiz_id: null } } };
    expect(mapEventToWork(parsed(bank), lookups)).toMatchObject({ ignored: "course_unknown" });
    const broken = parseCanvasEvent(
      { attributes: attributes("quizzes.quiz_created"), body: {} },
      new Date(TIME),
    );
    expect(broken).toMatchObject({ ok: false, issue: expect.stringContaining("id") });
  });

  it("other quizzes.* events (sessions, grading) stay unhandled", () => {
    const raw = { attributes: attributes("quizzes.quiz_graded"), body: { quiz_session_id: "9" } };
    expect(mapEventToWork(parsed(raw), lookups)).toMatchObject({ ignored: "unhandled_event" });
  });
});
