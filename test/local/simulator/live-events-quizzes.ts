/**
 * Live Events of the New Quizzes service (producer "quizzes"), as Instructure's data-services documentation
 * shows them (Quizzes.Quiz `quizzes.quiz_created`/`quizzes.quiz_updated`, Quizzes.Item
 * `quizzes.item_created`/`quizzes.item_updated`): ids are the quiz service's own (never the assignment id the REST
 * API uses), the course is named in the body, and the metadata is the service's short envelope. No deletion
 * event is documented for either, so none is emitted: a deleted New Quiz shows up as its assignment's
 * assignment_updated (Canvas) and in the polled list.
 */
import type { NewQuizItemRec, NewQuizRec } from "./model";

export type QuizzesEventName =
  | "quizzes.quiz_created"
  | "quizzes.quiz_updated"
  | "quizzes.item_created"
  | "quizzes.item_updated";

/** The service's metadata: no request context, no user (documented "attributes" of a quizzes event). */
export function quizzesMetadata(
  eventName: QuizzesEventName,
  at: number,
): { event_name: string } & Record<string, unknown> {
  return {
    event_name: eventName,
    event_time: new Date(at).toISOString(),
    producer: "quizzes",
    root_account_uuid: "sim-root-account-uuid",
  };
}

export function quizEventBody(quiz: NewQuizRec, points: number): Record<string, unknown> {
  return {
    id: String(quiz.serviceId),
    title: quiz.title,
    context_id: String(quiz.courseId),
    course_id: String(quiz.courseId),
    quiz_type: "graded_quiz",
    lti_resource_id: `sim-lti-link-${quiz.id}`,
    status: quiz.published ? "published" : "unpublished",
    outcome_alignment_set_guid: null,
    practice_quiz: false,
    account_uuid: "sim-account-uuid-0001",
    points_possible: points,
    updated_at: new Date(quiz.updatedAt).toISOString(),
    archived: false,
  };
}

export function itemEventBody(item: NewQuizItemRec, quiz: NewQuizRec): Record<string, unknown> {
  const title = item.entry["title"];
  const slug = item.entry["interaction_type_slug"];
  return {
    id: String(item.id),
    title: typeof title === "string" ? title : null,
    outcome_alignment_set_guid: null,
    question_type: typeof slug === "string" ? slug : item.entryType.toLowerCase(),
    owner: {
      type: "quiz",
      quiz_id: String(quiz.serviceId),
      course_id: String(quiz.courseId),
      context_id: String(quiz.courseId),
      lti_resource_id: null,
    },
    workflow_state: item.entryType === "Item" ? "mutable" : "immutable",
    updated_at: new Date(item.updatedAt).toISOString(),
  };
}
