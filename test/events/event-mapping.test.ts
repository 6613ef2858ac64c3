/**
 * Route level: every mirrored event family becomes the narrowest targeted job (asserted on the job row's scope),
 * page and file events without a course find it through the mirror, and events for unregistered courses or
 * families we do not mirror are accepted, ignored and counted.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { CanvasSimulator } from "../local/simulator";
import { api, resetStorage, startSimulator, syncNow } from "../support/harness";
import { envelope, globalId, jobMetadata, requestMetadata } from "../support/sample-events";
import {
  eventCounter,
  eventJobs,
  jobRow,
  postUnsigned,
  waitForCourseIdle,
  webhookFetch,
} from "../support/webhook-harness";

const COURSE = 101;
const BLUEPRINT = 102;
const UNREGISTERED = 999;

const send = webhookFetch({ allowUnsigned: true });
let simulator: CanvasSimulator;

/** Request-triggered metadata in a course (global context id, as Canvas sends it). */
const inCourse = (name: string, courseId = COURSE) =>
  requestMetadata(name, new Date().toISOString(), { type: "Course", id: globalId(1, courseId) });
const fromJob = (name: string) => jobMetadata(name, new Date().toISOString());

/**
 * Waits until no event-triggered job is queued or running, so later events never find one to join, and no job
 * has to wait for another one's course lease.
 */
async function drainEventJobs(): Promise<void> {
  try {
    await vi.waitUntil(
      async () => (await eventJobs()).every((job) => job.status === "succeeded" || job.status === "failed"),
      { timeout: 30_000, interval: 50 },
    );
  } catch (error) {
    const pending = await env.DB.prepare(
      "SELECT id, scope, status, attempts, error FROM sync_jobs WHERE status NOT IN ('succeeded', 'failed')",
    ).all();
    throw new Error(`event jobs did not finish: ${JSON.stringify(pending.results)}`, { cause: error });
  }
  for (const courseId of [COURSE, BLUEPRINT]) await waitForCourseIdle(courseId);
}

beforeAll(async () => {
  await resetStorage();
  simulator = startSimulator({
    institution: {
      courses: [
        { id: COURSE, items: 20 },
        { id: BLUEPRINT, items: 5 },
      ],
    },
  });
  for (const courseId of [COURSE, BLUEPRINT]) {
    const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: courseId } });
    if (registered.status !== 201) throw new Error(`registering ${courseId} answered ${registered.status}`);
  }
  // Fills the page and file maps the intake consults.
  const job = await syncNow(COURSE);
  if (job.status !== "succeeded") throw new Error(`initial sync ${job.status}: ${job.error ?? ""}`);
});

describe("each event family maps to the narrowest targeted job", () => {
  const cases: Array<{ name: string; event: Record<string, unknown>; courseId: number; scope: unknown }> = [
    {
      name: "wiki_page_updated",
      event: envelope(inCourse("wiki_page_updated"), {
        wiki_page_id: globalId(1, 5001),
        title: "t",
        body: "b",
      }),
      courseId: COURSE,
      scope: { kind: "page", pageId: 5001 },
    },
    {
      name: "attachment_updated",
      event: envelope(inCourse("attachment_updated"), {
        attachment_id: globalId(1, 6001),
        context_type: "Course",
        context_id: globalId(1, COURSE),
      }),
      courseId: COURSE,
      scope: { kind: "file", fileId: 6001 },
    },
    {
      name: "module_updated",
      event: envelope(inCourse("module_updated"), {
        module_id: "71",
        context_type: "Course",
        context_id: String(COURSE),
      }),
      courseId: COURSE,
      scope: { kind: "modules" },
    },
    {
      name: "assignment_updated",
      event: envelope(inCourse("assignment_updated"), {
        assignment_id: globalId(1, 8001),
        context_type: "Course",
        context_id: globalId(1, COURSE),
      }),
      courseId: COURSE,
      scope: { kind: "assignment", id: 8001 },
    },
    {
      name: "discussion_topic_updated",
      event: envelope(inCourse("discussion_topic_updated"), {
        discussion_topic_id: globalId(1, 9001),
        is_announcement: false,
        context_type: "Course",
        context_id: String(COURSE),
      }),
      courseId: COURSE,
      scope: { kind: "discussion_topic", id: 9001, isAnnouncement: false },
    },
    {
      name: "discussion_topic_created (announcement)",
      event: envelope(inCourse("discussion_topic_created"), {
        discussion_topic_id: globalId(1, 9002),
        is_announcement: true,
        context_type: "Course",
        context_id: String(COURSE),
      }),
      courseId: COURSE,
      scope: { kind: "discussion_topic", id: 9002, isAnnouncement: true },
    },
    {
      name: "quiz_updated",
      event: envelope(inCourse("quiz_updated"), {
        quiz_id: globalId(1, 9101),
        context_type: "Course",
        context_id: globalId(1, COURSE),
      }),
      courseId: COURSE,
      scope: { kind: "quiz", id: 9101 },
    },
    {
      name: "course_updated",
      event: envelope(inCourse("course_updated"), { course_id: globalId(1, COURSE), name: "Course" }),
      courseId: COURSE,
      scope: { kind: "course" },
    },
    {
      name: "master_migration_completed",
      event: envelope(fromJob("master_migration_completed"), {
        blueprint_course_id: globalId(1, BLUEPRINT),
        master_migration_id: "5",
      }),
      courseId: BLUEPRINT,
      scope: { kind: "full_reconcile" },
    },
  ];

  it.each(cases)("$name", async ({ event, courseId, scope }) => {
    const accepted = await postUnsigned(send, event);
    expect(accepted).toMatchObject({ outcome: "enqueued", courseId });
    const job = await jobRow(accepted.jobId ?? "");
    expect(job).toMatchObject({ course_id: courseId, mode: "targeted", trigger: "event", scope });
    await drainEventJobs();
  });

  it("module_item_created and syllabus_updated refresh the modules and the course record", async () => {
    const item = await postUnsigned(
      send,
      envelope(inCourse("module_item_created"), {
        module_item_id: "301",
        module_id: "71",
        context_type: "Course",
        context_id: String(COURSE),
      }),
    );
    // One job at a time: a second job of the same course would wait for the course's sync lease.
    await drainEventJobs();
    const syllabus = await postUnsigned(
      send,
      envelope(inCourse("syllabus_updated"), { course_id: globalId(1, COURSE), syllabus_body: "<p>new</p>" }),
    );
    expect((await jobRow(item.jobId ?? ""))?.scope).toEqual({ kind: "modules" });
    expect((await jobRow(syllabus.jobId ?? ""))?.scope).toEqual({ kind: "course" });
    await drainEventJobs();
  });

  it("content_migration_completed reconciles the whole course", async () => {
    const accepted = await postUnsigned(
      send,
      envelope(fromJob("content_migration_completed"), {
        context_type: "Course",
        context_id: globalId(1, COURSE),
        migration_type: "course_copy_importer",
      }),
    );
    expect(await jobRow(accepted.jobId ?? "")).toMatchObject({
      course_id: COURSE,
      scope: { kind: "full_reconcile" },
    });
    await drainEventJobs();
  });
});

describe("finding the course", () => {
  it("a page event without any course context finds its course through the mirror's page map", async () => {
    const page = (await simulator.control.truth(COURSE)).pages[0];
    if (page === undefined) throw new Error("the simulated course has no pages");
    const accepted = await postUnsigned(
      send,
      envelope(fromJob("wiki_page_updated"), {
        wiki_page_id: globalId(1, page.page_id),
        title: "t",
        body: "b",
      }),
    );
    expect(accepted).toMatchObject({ outcome: "enqueued", courseId: COURSE });
    expect((await jobRow(accepted.jobId ?? ""))?.scope).toEqual({ kind: "page", pageId: page.page_id });
    await drainEventJobs();
  });

  it("a file event without a context finds its course through the mirror's file map", async () => {
    const file = (await simulator.control.truth(COURSE)).files[0];
    if (file === undefined) throw new Error("the simulated course has no files");
    const accepted = await postUnsigned(
      send,
      envelope(fromJob("attachment_updated"), { attachment_id: globalId(1, file.id) }),
    );
    expect(accepted).toMatchObject({ outcome: "enqueued", courseId: COURSE });
    expect((await jobRow(accepted.jobId ?? ""))?.scope).toEqual({ kind: "file", fileId: file.id });
    await drainEventJobs();
  });

  it("a page nobody has mirrored, with no context, is ignored as course_unknown", async () => {
    const jobsBefore = (await eventJobs()).length;
    const countedBefore = await eventCounter("outcome=ignored,reason=course_unknown");
    const accepted = await postUnsigned(
      send,
      envelope(fromJob("wiki_page_created"), { wiki_page_id: globalId(1, 777_777), title: "t", body: "b" }),
    );
    expect(accepted).toMatchObject({ outcome: "ignored", reason: "course_unknown", jobId: null });
    expect((await eventJobs()).length).toBe(jobsBefore);
    expect(await eventCounter("outcome=ignored,reason=course_unknown")).toBe(countedBefore + 1);
  });
});

describe("events the mirror does not act on", () => {
  it("events for an unregistered course are ignored and counted, with no job and no mark", async () => {
    const countedBefore = await eventCounter("outcome=ignored,reason=course_not_registered");
    const events = [
      envelope(inCourse("assignment_updated", UNREGISTERED), {
        assignment_id: globalId(1, 8100),
        context_type: "Course",
        context_id: globalId(1, UNREGISTERED),
      }),
      envelope(inCourse("wiki_page_updated", UNREGISTERED), { wiki_page_id: globalId(1, 5100), title: "t" }),
    ];
    for (const event of events) {
      expect(await postUnsigned(send, event)).toMatchObject({
        outcome: "ignored",
        reason: "course_not_registered",
        courseId: UNREGISTERED,
        jobId: null,
      });
    }
    expect(await eventCounter("outcome=ignored,reason=course_not_registered")).toBe(countedBefore + 2);
    const stored = await env.DB.prepare(
      `SELECT (SELECT count(*) FROM sync_jobs WHERE course_id = ?1) AS jobs,
         (SELECT count(*) FROM event_marks WHERE course_id = ?1) AS marks`,
    )
      .bind(UNREGISTERED)
      .first();
    expect(stored).toEqual({ jobs: 0, marks: 0 });
  });

  it("families we do not mirror and non-course contexts are accepted and ignored", async () => {
    const submission = await postUnsigned(
      send,
      envelope(inCourse("submission_created"), { submission_id: "1", assignment_id: globalId(1, 8001) }),
    );
    expect(submission).toMatchObject({ outcome: "ignored", reason: "unhandled_event" });
    const userFile = await postUnsigned(
      send,
      envelope(inCourse("attachment_created"), {
        attachment_id: globalId(1, 6100),
        context_type: "User",
        context_id: globalId(1, 5),
      }),
    );
    expect(userFile).toMatchObject({ outcome: "ignored", reason: "not_course_context" });
    expect(await eventCounter("outcome=ignored,reason=unhandled_event")).toBe(1);
  });
});
