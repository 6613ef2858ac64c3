/**
 * The Canvas-format Live Event envelope `{ metadata, body }` and the body shapes of the event families
 * we act on (canvas-api.md §6.3, §6.5). Schemas are loose objects: Canvas adds fields over time and may
 * drop null fields (`compact_live_events`), so unknown keys pass and everything we do not read is
 * ignored. The fields we do read are checked strictly: ids must be integers (string or number),
 * `event_name` must be present. `parseCanvasEvent` is the single entry point; it turns an untrusted
 * JSON value into a typed `CanvasEvent` whose body matches its family.
 */
import { z } from "zod";
import { canonicalId } from "../shared/canvas-ids";
import { normalizeEventTime } from "./event-time";
import { unreachable } from "../shared/unreachable";

/** A Canvas id from the wire (string or safe integer), as a canonical decimal string. */
export const CanvasIdSchema = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const id = canonicalId(raw);
  if (id === null) {
    ctx.addIssue({ code: "custom", message: "expected a non-negative integer id" });
    return z.NEVER;
  }
  return id;
});

const NullableId = CanvasIdSchema.nullish();
const NullableText = z.string().nullish();

export const EventMetadataSchema = z.looseObject({
  event_name: z.string().min(1).max(200),
  // Kept raw here; parseCanvasEvent normalises it (and falls back to the receipt time).
  event_time: z.unknown(),
  context_type: NullableText,
  context_id: NullableId,
  job_tag: NullableText,
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

export const EnvelopeSchema = z.looseObject({
  metadata: EventMetadataSchema,
  body: z.record(z.string(), z.unknown()),
});

// Body schemas, one per family. Comments give the id kind per canvas-api.md §6.3; toLocalId is
// applied to all of them anyway, which is the identity for local ids.
export const WikiPageBodySchema = z.looseObject({ wiki_page_id: CanvasIdSchema /* global */ });
export const AttachmentBodySchema = z.looseObject({
  attachment_id: CanvasIdSchema, // global
  context_type: NullableText,
  context_id: NullableId, // global
});
export const ModuleBodySchema = z.looseObject({
  module_id: CanvasIdSchema, // local
  context_type: NullableText,
  context_id: NullableId, // local
});
export const ModuleItemBodySchema = z.looseObject({
  module_item_id: CanvasIdSchema, // local
  module_id: NullableId,
  context_type: NullableText,
  context_id: NullableId, // local
});
export const AssignmentBodySchema = z.looseObject({
  assignment_id: CanvasIdSchema, // global
  context_type: NullableText,
  context_id: NullableId, // global
});
export const DiscussionTopicBodySchema = z.looseObject({
  discussion_topic_id: CanvasIdSchema, // global
  is_announcement: z.boolean().nullish(),
  context_type: NullableText,
  context_id: NullableId, // local
});
export const QuizBodySchema = z.looseObject({
  quiz_id: CanvasIdSchema,
  context_type: NullableText,
  context_id: NullableId,
});
/** course_created, course_updated and syllabus_updated all carry the (global) course_id. */
export const CourseBodySchema = z.looseObject({ course_id: CanvasIdSchema });
export const ContentMigrationBodySchema = z.looseObject({
  context_type: NullableText,
  context_id: NullableId, // global
  migration_type: NullableText,
});
/**
 * New Quizzes (producer "quizzes", Instructure data-services docs "Quizzes.Quiz"): `id` is the quiz service's own
 * id, which the REST API does not know (it addresses quizzes by assignment id); the course is in the body.
 */
export const NewQuizBodySchema = z.looseObject({
  id: CanvasIdSchema,
  course_id: NullableId,
  context_id: NullableId,
});
/** New Quiz items ("Quizzes.Item"): the owner names the quiz (service id) and the course. */
export const NewQuizItemBodySchema = z.looseObject({
  id: CanvasIdSchema,
  owner: z
    .looseObject({ type: NullableText, quiz_id: NullableId, course_id: NullableId, context_id: NullableId })
    .nullish(),
});
/** master_migration_completed (lib/canvas/live_events.rb `master_migration_completed_data`). */
export const BlueprintMigrationBodySchema = z.looseObject({
  blueprint_course_id: CanvasIdSchema, // global
  master_migration_id: NullableId,
});

export type EventFamily =
  | "wiki_page"
  | "attachment"
  | "module"
  | "module_item"
  | "assignment"
  | "discussion_topic"
  | "quiz"
  | "new_quiz"
  | "new_quiz_item"
  | "course"
  | "content_migration"
  | "blueprint_migration";

/** The families we map to work. Names not listed here parse as `unhandled` and are ignored later. */
const FAMILY_BY_EVENT: ReadonlyMap<string, EventFamily> = new Map<string, EventFamily>([
  ["wiki_page_created", "wiki_page"],
  ["wiki_page_updated", "wiki_page"],
  ["wiki_page_deleted", "wiki_page"],
  ["attachment_created", "attachment"],
  ["attachment_updated", "attachment"],
  ["attachment_deleted", "attachment"],
  ["module_created", "module"],
  ["module_updated", "module"],
  ["module_item_created", "module_item"],
  ["module_item_updated", "module_item"],
  ["assignment_created", "assignment"],
  ["assignment_updated", "assignment"],
  ["discussion_topic_created", "discussion_topic"],
  ["discussion_topic_updated", "discussion_topic"],
  ["quiz_created", "quiz"],
  ["quiz_updated", "quiz"],
  ["quizzes.quiz_created", "new_quiz"],
  ["quizzes.quiz_updated", "new_quiz"],
  ["quizzes.item_created", "new_quiz_item"],
  ["quizzes.item_updated", "new_quiz_item"],
  ["course_created", "course"],
  ["course_updated", "course"],
  ["syllabus_updated", "course"],
  ["content_migration_completed", "content_migration"],
  ["master_migration_completed", "blueprint_migration"],
]);

export type EventPayload =
  | { family: "wiki_page"; body: z.infer<typeof WikiPageBodySchema> }
  | { family: "attachment"; body: z.infer<typeof AttachmentBodySchema> }
  | { family: "module"; body: z.infer<typeof ModuleBodySchema> }
  | { family: "module_item"; body: z.infer<typeof ModuleItemBodySchema> }
  | { family: "assignment"; body: z.infer<typeof AssignmentBodySchema> }
  | { family: "discussion_topic"; body: z.infer<typeof DiscussionTopicBodySchema> }
  | { family: "quiz"; body: z.infer<typeof QuizBodySchema> }
  | { family: "new_quiz"; body: z.infer<typeof NewQuizBodySchema> }
  | { family: "new_quiz_item"; body: z.infer<typeof NewQuizItemBodySchema> }
  | { family: "course"; body: z.infer<typeof CourseBodySchema> }
  | { family: "content_migration"; body: z.infer<typeof ContentMigrationBodySchema> }
  | { family: "blueprint_migration"; body: z.infer<typeof BlueprintMigrationBodySchema> }
  | { family: "unhandled" };

/** A validated Live Event. */
export type CanvasEvent = {
  /** `metadata.event_name`, e.g. `wiki_page_updated`. */
  name: string;
  /** Normalised event time (ISO-8601 UTC, ms). */
  eventTime: string;
  /** True when `event_time` was missing or unreadable and the receipt time stands in for it. */
  eventTimeFromReceipt: boolean;
  metadata: EventMetadata;
  payload: EventPayload;
};

export type ParseEventResult = { ok: true; event: CanvasEvent } | { ok: false; issue: string };

/**
 * Validates an untrusted JSON value as a Canvas-format event. `receivedAt` replaces an unreadable
 * `event_time` (rather than rejecting the event: a 4xx would only make Canvas retry the same payload).
 */
export function parseCanvasEvent(raw: unknown, receivedAt: Date): ParseEventResult {
  const envelope = EnvelopeSchema.safeParse(withMetadata(raw));
  if (!envelope.success) return { ok: false, issue: describe("envelope", envelope.error) };
  const { metadata, body } = envelope.data;
  const payload = parsePayload(metadata.event_name, body);
  if (!payload.ok) return payload;
  const normalized = normalizeEventTime(metadata.event_time);
  return {
    ok: true,
    event: {
      name: metadata.event_name,
      eventTime: normalized ?? receivedAt.toISOString(),
      eventTimeFromReceipt: normalized === null,
      metadata,
      payload: payload.payload,
    },
  };
}

/**
 * Instructure documents New Quizzes events with their envelope's first half named `attributes` (event_name,
 * event_time, producer) where Canvas's own events say `metadata`; both are read as the metadata.
 */
function withMetadata(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || "metadata" in raw) return raw;
  const attributes: unknown = (raw as { attributes?: unknown }).attributes;
  return attributes === undefined ? raw : { ...raw, metadata: attributes };
}

function parsePayload(
  eventName: string,
  body: unknown,
): { ok: true; payload: EventPayload } | { ok: false; issue: string } {
  const family = FAMILY_BY_EVENT.get(eventName);
  switch (family) {
    case undefined:
      return { ok: true, payload: { family: "unhandled" } };
    case "wiki_page":
      return wrap(eventName, family, WikiPageBodySchema.safeParse(body));
    case "attachment":
      return wrap(eventName, family, AttachmentBodySchema.safeParse(body));
    case "module":
      return wrap(eventName, family, ModuleBodySchema.safeParse(body));
    case "module_item":
      return wrap(eventName, family, ModuleItemBodySchema.safeParse(body));
    case "assignment":
      return wrap(eventName, family, AssignmentBodySchema.safeParse(body));
    case "discussion_topic":
      return wrap(eventName, family, DiscussionTopicBodySchema.safeParse(body));
    case "quiz":
      return wrap(eventName, family, QuizBodySchema.safeParse(body));
    case "new_quiz":
      return wrap(eventName, family, NewQuizBodySchema.safeParse(body));
    case "new_quiz_item":
      return wrap(eventName, family, NewQuizItemBodySchema.safeParse(body));
    case "course":
      return wrap(eventName, family, CourseBodySchema.safeParse(body));
    case "content_migration":
      return wrap(eventName, family, ContentMigrationBodySchema.safeParse(body));
    case "blueprint_migration":
      return wrap(eventName, family, BlueprintMigrationBodySchema.safeParse(body));
    default:
      return unreachable(family);
  }
}

function wrap<F extends EventFamily, T>(
  eventName: string,
  family: F,
  parsed: z.ZodSafeParseResult<T>,
): { ok: true; payload: { family: F; body: T } } | { ok: false; issue: string } {
  return parsed.success
    ? { ok: true, payload: { family, body: parsed.data } }
    : { ok: false, issue: describe(`body of ${eventName}`, parsed.error) };
}

/** A short, content-free description (paths and messages only, never field values). */
function describe(where: string, error: z.ZodError): string {
  const first = error.issues[0];
  if (first === undefined) return `${where}: invalid`;
  const path = first.path.length > 0 ? first.path.join(".") : "(root)";
  return `${where}: ${path}: ${first.message}`;
}
