/**
 * Pure mapping from a validated Live Event to the narrowest sync work that brings the mirror up to date
 * (issue #5): a page, a file, a course's modules, one assignment / topic / quiz, a course's New Quizzes, the
 * course record, or a full reconciliation after bulk changes. Ids are converted to local ids; the course is
 * resolved from the body, the mirror's page/file maps or the metadata context, in that order of preference per
 * family.
 * Events we cannot or need not act on come back as `{ ignored }` with a reason the caller counts.
 * No I/O: the mirror's lookups are passed in as synchronous functions over data the caller loaded.
 */
import { toLocalId } from "../shared/canvas-ids";
import type { CanvasEvent, EventMetadata } from "./envelope";
import { unreachable } from "../shared/unreachable";

export type WorkScope =
  | { kind: "page"; pageId: number }
  | { kind: "file"; fileId: number }
  | { kind: "modules" }
  | { kind: "assignment"; id: number }
  | { kind: "discussion_topic"; id: number; isAnnouncement: boolean }
  | { kind: "quiz"; id: number }
  /** A course's New Quizzes; `all` refetches every quiz's items (an item changed, which the list cannot show). */
  | { kind: "new_quizzes"; items: "moved" | "all" }
  | { kind: "course" }
  | { kind: "full_reconcile" };

export type TargetedWork = {
  /** Local course id. */
  courseId: number;
  scope: WorkScope;
  /** Normalised event time (ISO-8601 UTC, ms); dedup orders by it. */
  eventTime: string;
  eventName: string;
  /** Identity of the object the work refreshes; the dedup key (see dedup-events.ts). */
  objectKey: string;
};

export type IgnoreReason =
  /** Not an event family we mirror (submissions, enrollments, discussion replies, ...). */
  | "unhandled_event"
  /** The object lives in a user or group context, not a course. */
  | "not_course_context"
  /** No course could be determined (e.g. a page created by an import, before the page map knows it). */
  | "course_unknown"
  /** The course is not registered for mirroring. */
  | "course_not_registered";

export type IgnoredEvent = { ignored: IgnoreReason; eventName: string; courseId?: number };

/** Lookups into the mirror's state. All ids are local. */
export type EventLookups = {
  isRegisteredCourse(courseId: number): boolean;
  /** Page-to-course map kept by the mirror; page events carry no course id. */
  courseForPage(pageId: number): number | null;
  /** Optional file-to-course map, used when an attachment event lacks its context. */
  courseForFile?(fileId: number): number | null;
};

/** Maps one event to targeted work, or says why it is ignored. */
export function mapEventToWork(event: CanvasEvent, lookups: EventLookups): TargetedWork | IgnoredEvent {
  const target = resolveTarget(event, lookups);
  if ("ignored" in target) return { ignored: target.ignored, eventName: event.name };
  if (!lookups.isRegisteredCourse(target.courseId)) {
    return { ignored: "course_not_registered", eventName: event.name, courseId: target.courseId };
  }
  return {
    courseId: target.courseId,
    scope: target.scope,
    eventTime: event.eventTime,
    eventName: event.name,
    objectKey: objectKeyFor(target.courseId, target.scope),
  };
}

/** Type guard separating ignored events from work. */
export function isIgnored(result: TargetedWork | IgnoredEvent): result is IgnoredEvent {
  return "ignored" in result;
}

/** The dedup identity of a piece of work. Course-scoped so ids from different courses never collide. */
export function objectKeyFor(courseId: number, scope: WorkScope): string {
  switch (scope.kind) {
    case "page":
      return `course:${courseId}:page:${scope.pageId}`;
    case "file":
      return `course:${courseId}:file:${scope.fileId}`;
    case "assignment":
    case "discussion_topic":
    case "quiz":
      return `course:${courseId}:${scope.kind}:${scope.id}`;
    case "new_quizzes":
      // Distinct keys: an item event must never coalesce into a job that fetches only moved quizzes' items.
      return scope.items === "all"
        ? `course:${courseId}:new_quizzes:items`
        : `course:${courseId}:new_quizzes`;
    case "modules":
    case "course":
    case "full_reconcile":
      return `course:${courseId}:${scope.kind}`;
    default:
      return unreachable(scope);
  }
}

type Target = { courseId: number; scope: WorkScope } | { ignored: IgnoreReason };

function resolveTarget(event: CanvasEvent, lookups: EventLookups): Target {
  const { payload, metadata } = event;
  switch (payload.family) {
    case "unhandled":
      return { ignored: "unhandled_event" };
    case "wiki_page": {
      const pageId = toLocalId(payload.body.wiki_page_id);
      // The map is authoritative; job-triggered page events (imports) have no metadata context at all.
      const courseId = lookups.courseForPage(pageId) ?? metadataCourse(metadata);
      return withCourse(courseId, { kind: "page", pageId });
    }
    case "attachment": {
      const fileId = toLocalId(payload.body.attachment_id);
      const { context_type: type, context_id: id } = payload.body;
      if (type !== undefined && type !== null && type !== "Course") return { ignored: "not_course_context" };
      const courseId =
        type === "Course" && id !== undefined && id !== null
          ? toLocalId(id)
          : (lookups.courseForFile?.(fileId) ?? metadataCourse(metadata));
      return withCourse(courseId, { kind: "file", fileId });
    }
    case "module":
    case "module_item":
      return fromBodyContext(payload.body, metadata, { kind: "modules" });
    case "assignment":
      return fromBodyContext(payload.body, metadata, {
        kind: "assignment",
        id: toLocalId(payload.body.assignment_id),
      });
    case "discussion_topic":
      return fromBodyContext(payload.body, metadata, {
        kind: "discussion_topic",
        id: toLocalId(payload.body.discussion_topic_id),
        isAnnouncement: payload.body.is_announcement === true,
      });
    case "quiz":
      return fromBodyContext(payload.body, metadata, { kind: "quiz", id: toLocalId(payload.body.quiz_id) });
    case "new_quiz": {
      // The body's id is the quiz service's, unknown to the REST API: the work is the course's New Quizzes list.
      const { course_id: course, context_id: context } = payload.body;
      const id = course ?? context;
      const courseId = id === undefined || id === null ? metadataCourse(metadata) : toLocalId(id);
      return withCourse(courseId, { kind: "new_quizzes", items: "moved" });
    }
    case "new_quiz_item": {
      const owner = payload.body.owner;
      const id = owner?.course_id ?? owner?.context_id;
      const courseId = id === undefined || id === null ? metadataCourse(metadata) : toLocalId(id);
      return withCourse(courseId, { kind: "new_quizzes", items: "all" });
    }
    case "course":
      return { courseId: toLocalId(payload.body.course_id), scope: { kind: "course" } };
    case "content_migration":
      return fromBodyContext(payload.body, metadata, { kind: "full_reconcile" });
    case "blueprint_migration":
      // The event names the blueprint course. Its associated courses receive their own
      // content_migration_completed when the sync lands in them (INFERRED from Canvas source).
      return { courseId: toLocalId(payload.body.blueprint_course_id), scope: { kind: "full_reconcile" } };
    default:
      return unreachable(payload);
  }
}

type BodyContext = { context_type?: string | null | undefined; context_id?: string | null | undefined };

/** Course from the body's context, else from the metadata; a non-course body context is ignored. */
function fromBodyContext(body: BodyContext, metadata: EventMetadata, scope: WorkScope): Target {
  const { context_type: type, context_id: id } = body;
  if (type !== undefined && type !== null && type !== "Course") return { ignored: "not_course_context" };
  const courseId = id !== undefined && id !== null ? toLocalId(id) : metadataCourse(metadata);
  return withCourse(courseId, scope);
}

/** The request context from metadata, when it is a course (absent on job-triggered events). */
function metadataCourse(metadata: EventMetadata): number | null {
  const { context_type: type, context_id: id } = metadata;
  return type === "Course" && id !== undefined && id !== null ? toLocalId(id) : null;
}

function withCourse(courseId: number | null, scope: WorkScope): Target {
  return courseId === null ? { ignored: "course_unknown" } : { courseId, scope };
}
