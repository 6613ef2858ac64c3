/**
 * Canvas Live Events for simulator mutations, in the Canvas format `{ metadata, body }` of reference section
 * 6.3/6.5: ids stringified, global ids (shard 1: 10^13 + local) where Canvas uses them, local ids for modules,
 * module items and discussion contexts, long text cut at 8192 characters. Emitting only: signing and delivery
 * belong to whoever subscribes.
 */
import { iso, isoOrNull } from "./time";
import type {
  AssignmentRec,
  CourseRec,
  FileRec,
  ModuleItemRec,
  ModuleRec,
  PageRec,
  QuizRec,
  TopicRec,
} from "./model";

export const SHARD_BASE = 10_000_000_000_000;
const TEXT_LIMIT = 8192;

export function globalId(local: number): string {
  return String(SHARD_BASE + local);
}

export interface LiveEvent {
  event_name: string;
  metadata: Record<string, unknown>;
  body: Record<string, unknown>;
}

export type LiveEventListener = (event: LiveEvent) => void;

function cut(text: string): string {
  return text.length > TEXT_LIMIT ? text.slice(0, TEXT_LIMIT) : text;
}

/** Event builders: each returns [event_name, body]. */
export const bodies = {
  course(name: "course_created" | "course_updated", c: CourseRec): [string, Record<string, unknown>] {
    return [
      name,
      {
        course_id: globalId(c.id),
        uuid: c.uuid,
        account_id: globalId(1),
        account_uuid: "sim-account-uuid-0001",
        name: c.name,
        created_at: iso(c.createdAt),
        updated_at: iso(c.updatedAt),
        workflow_state: c.workflowState === "unpublished" ? "claimed" : c.workflowState,
      },
    ];
  },
  syllabus(c: CourseRec, old: string): [string, Record<string, unknown>] {
    return [
      "syllabus_updated",
      { course_id: globalId(c.id), syllabus_body: cut(c.syllabusBody), old_syllabus_body: cut(old) },
    ];
  },
  page(
    name: "wiki_page_created" | "wiki_page_updated" | "wiki_page_deleted",
    p: PageRec,
    body: string,
    old?: { title?: string; body?: string },
  ): [string, Record<string, unknown>] {
    if (name === "wiki_page_deleted") return [name, { wiki_page_id: globalId(p.id), title: cut(p.title) }];
    const json: Record<string, unknown> = {
      wiki_page_id: globalId(p.id),
      title: cut(p.title),
      body: cut(body),
    };
    if (old?.title !== undefined) json["old_title"] = cut(old.title);
    if (old?.body !== undefined) json["old_body"] = cut(old.body);
    return [name, json];
  },
  file(
    name: "attachment_created" | "attachment_updated" | "attachment_deleted",
    f: FileRec,
    oldDisplayName?: string,
  ): [string, Record<string, unknown>] {
    const json: Record<string, unknown> = {
      attachment_id: globalId(f.id),
      user_id: globalId(1),
      display_name: f.displayName,
      filename: f.filename,
      context_type: "Course",
      context_id: globalId(f.courseId),
      content_type: f.contentType,
      folder_id: globalId(f.folderId),
      unlock_at: null,
      lock_at: null,
      updated_at: iso(f.updatedAt),
    };
    if (oldDisplayName !== undefined) json["old_display_name"] = oldDisplayName;
    return [name, json];
  },
  module(name: "module_created" | "module_updated", m: ModuleRec): [string, Record<string, unknown>] {
    return [
      name,
      {
        module_id: String(m.id),
        context_id: String(m.courseId),
        context_type: "Course",
        name: m.name,
        position: m.position,
        workflow_state: m.deleted ? "deleted" : m.published ? "active" : "unpublished",
      },
    ];
  },
  moduleItem(
    name: "module_item_created" | "module_item_updated",
    i: ModuleItemRec,
  ): [string, Record<string, unknown>] {
    return [
      name,
      {
        module_item_id: String(i.id),
        module_id: String(i.moduleId),
        context_id: String(i.courseId),
        context_type: "Course",
        position: i.position,
        workflow_state: i.deleted ? "deleted" : i.published ? "active" : "unpublished",
      },
    ];
  },
  assignment(
    name: "assignment_created" | "assignment_updated",
    a: AssignmentRec,
    courseUuid: string,
    groupId: number,
  ): [string, Record<string, unknown>] {
    return [
      name,
      {
        assignment_id: globalId(a.id),
        context_id: globalId(a.courseId),
        context_type: "Course",
        context_uuid: courseUuid,
        assignment_group_id: globalId(groupId),
        workflow_state: a.deleted ? "deleted" : a.published ? "published" : "unpublished",
        title: cut(a.name),
        description: cut(a.description),
        lti_assignment_description: cut(a.description.replace(/<[^>]*>/g, "")),
        due_at: isoOrNull(a.dueAt),
        unlock_at: isoOrNull(a.unlockAt),
        lock_at: isoOrNull(a.lockAt),
        updated_at: iso(a.updatedAt),
        points_possible: a.pointsPossible,
        submission_types: a.submissionTypes.join(","),
        anonymous_grading: false,
        created_on_blueprint_sync: false,
        lti_assignment_id: `sim-lti-assignment-${a.id}`,
        lti_resource_link_id: `sim-lti-link-${a.id}`,
      },
    ];
  },
  topic(
    name: "discussion_topic_created" | "discussion_topic_updated",
    t: TopicRec,
  ): [string, Record<string, unknown>] {
    return [
      name,
      {
        discussion_topic_id: globalId(t.id),
        is_announcement: t.isAnnouncement,
        title: cut(t.title),
        body: cut(t.message),
        assignment_id: t.assignmentId === null ? null : String(t.assignmentId),
        context_id: String(t.courseId),
        context_type: "Course",
        workflow_state: t.deleted ? "deleted" : t.published ? "active" : "unpublished",
        lock_at: null,
        updated_at: iso(t.updatedAt),
      },
    ];
  },
  quiz(
    name: "quiz_created" | "quiz_updated",
    q: QuizRec,
    courseUuid: string,
  ): [string, Record<string, unknown>] {
    return [
      name,
      {
        quiz_id: globalId(q.id),
        assignment_id: q.assignmentId === null ? null : globalId(q.assignmentId),
        context_id: globalId(q.courseId),
        context_type: "Course",
        context_uuid: courseUuid,
        title: cut(q.title),
        description: cut(q.description),
        quiz_type: q.quizType,
        points_possible: q.pointsPossible,
        due_at: isoOrNull(q.dueAt),
        lock_at: null,
        unlock_at: null,
        time_limit: q.timeLimit,
        access_code: false,
        ip_filter: null,
        shuffle_answers: q.shuffleAnswers,
        allowed_attempts: q.allowedAttempts,
        scoring_policy: "keep_highest",
        hide_results: null,
        show_correct_answers: true,
        show_correct_answers_at: null,
        hide_correct_answers_at: null,
        show_correct_answers_last_attempt: false,
        one_question_at_a_time: false,
        cant_go_back: false,
        one_time_results: false,
        anonymous_submissions: false,
        require_lockdown_browser: false,
        require_lockdown_browser_for_results: false,
        disable_timer_autosubmission: false,
        only_visible_to_overrides: false,
        workflow_state: q.deleted ? "deleted" : q.published ? "available" : "unpublished",
        updated_at: iso(q.updatedAt),
      },
    ];
  },
};

/** Fans events out to listeners and keeps the most recent ones for the HTTP control API. */
export class LiveEventHub {
  private readonly listeners = new Set<LiveEventListener>();
  private readonly log: Array<{ seq: number; event: LiveEvent }> = [];
  private seq = 0;
  private requestSeq = 0;
  /** While seeding, nothing is emitted: seeded content predates every subscriber. */
  muted = false;

  constructor(
    private readonly apiOrigin: string,
    private readonly now: () => number,
    private readonly keep = 5000,
  ) {}

  on(listener: LiveEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Request-triggered metadata, as if the teacher made the change through the Canvas UI/API. */
  emit(courseId: number, [eventName, body]: [string, Record<string, unknown>], httpMethod = "PUT"): void {
    if (this.muted) return;
    this.requestSeq++;
    const metadata: Record<string, unknown> = {
      event_name: eventName,
      event_time: new Date(this.now()).toISOString(),
      producer: "canvas",
      root_account_id: globalId(1),
      root_account_uuid: "sim-root-account-uuid",
      root_account_lti_guid: "sim-root-account-lti-guid",
      user_id: globalId(1),
      user_login: "dana.teacher@example.edu",
      user_account_id: globalId(1),
      context_type: "Course",
      context_id: globalId(courseId),
      context_account_id: globalId(1),
      context_role: "TeacherEnrollment",
      request_id: `sim-request-${this.requestSeq}`,
      session_id: "sim-session",
      hostname: new URL(this.apiOrigin).host,
      http_method: httpMethod,
      url: `${this.apiOrigin}/courses/${courseId}`,
      referrer: null,
      user_agent: "canvas-simulator",
      client_ip: "127.0.0.1",
      time_zone: "America/Denver",
    };
    this.publish({ event_name: eventName, metadata, body });
  }

  /** An event of another producer (the New Quizzes service), whose metadata the caller builds. */
  emitWithMetadata(
    metadata: Record<string, unknown> & { event_name: string },
    body: Record<string, unknown>,
  ): void {
    if (this.muted) return;
    this.publish({ event_name: metadata.event_name, metadata, body });
  }

  private publish(event: LiveEvent): void {
    this.seq++;
    this.log.push({ seq: this.seq, event });
    if (this.log.length > this.keep) this.log.splice(0, this.log.length - this.keep);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber's bug must not undo or break the mutation that caused the event.
      }
    }
  }

  /** Recorded events with seq > `after`. */
  since(after: number): Array<{ seq: number; event: LiveEvent }> {
    return this.log.filter((e) => e.seq > after);
  }
}
