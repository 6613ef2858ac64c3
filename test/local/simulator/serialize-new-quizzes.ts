/**
 * New Quizzes JSON as Instructure's "New Quizzes" and "New Quiz Items" documentation shows it: string ids (the
 * quiz's id is its assignment's id), `instructions` HTML, `quiz_settings`, and QuizItem objects whose `entry` is a
 * QuestionItem, StimulusItem, BankEntryItem or BankItem by `entry_type`. A token that may not see answers gets
 * every `scoring_data` and `answer_feedback` as null. The quiz's points are the sum of its scored items, as the
 * quiz service keeps them.
 */
import { isoOrNull } from "./time";
import type { NewQuizItemRec, NewQuizRec } from "./model";
import type { Json } from "./serialize-content";
import type { CourseData } from "./store";

/** The live items of one quiz in position order. */
export function liveQuizItems(data: CourseData, quizId: number): NewQuizItemRec[] {
  const items: NewQuizItemRec[] = [];
  for (const item of data.newQuizItems.values())
    if (item.quizId === quizId && !item.deleted) items.push(item);
  return items.sort((a, b) => a.position - b.position || a.id - b.id);
}

/** Points of a quiz: the sum of its scored (non-stimulus) items, or its own value while it has none. */
export function newQuizPoints(data: CourseData, quiz: NewQuizRec): number {
  const scored = liveQuizItems(data, quiz.id).filter((item) => item.entryType !== "Stimulus");
  if (scored.length === 0) return quiz.pointsPossible;
  return scored.reduce((sum, item) => sum + item.pointsPossible, 0);
}

export function newQuizJson(data: CourseData, quiz: NewQuizRec): Json {
  return {
    id: String(quiz.id),
    title: quiz.title,
    instructions: quiz.instructions,
    assignment_group_id: String(data.course.assignmentGroupId),
    points_possible: newQuizPoints(data, quiz),
    due_at: isoOrNull(quiz.dueAt),
    lock_at: isoOrNull(quiz.lockAt),
    unlock_at: isoOrNull(quiz.unlockAt),
    published: quiz.published,
    grading_type: quiz.gradingType,
    quiz_settings: structuredClone(quiz.settings),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutAnswers(entry: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...entry };
  if ("scoring_data" in copy) copy["scoring_data"] = null;
  if ("answer_feedback" in copy) copy["answer_feedback"] = null;
  const inner = copy["entry"];
  if (isRecord(inner)) copy["entry"] = withoutAnswers(inner);
  return copy;
}

export function newQuizItemJson(item: NewQuizItemRec, answersVisible: boolean): Json {
  const entry = structuredClone(item.entry);
  return {
    id: String(item.id),
    position: item.position,
    points_possible: item.pointsPossible,
    entry_type: item.entryType,
    entry_editable: item.entryType === "Item",
    stimulus_quiz_entry_id: item.stimulusId === null ? null : String(item.stimulusId),
    status: item.entryType === "Item" ? "mutable" : "immutable",
    properties: item.properties === null ? null : structuredClone(item.properties),
    entry: answersVisible ? entry : withoutAnswers(entry),
  };
}

/** The default QuizSettings of a new quiz (the documented fields, nothing restricted). */
export function defaultQuizSettings(): Record<string, unknown> {
  return {
    calculator_type: "none",
    filter_ip_address: false,
    filters: {},
    one_at_a_time_type: "none",
    allow_backtracking: true,
    shuffle_answers: false,
    shuffle_questions: false,
    require_student_access_code: false,
    student_access_code: null,
    has_time_limit: false,
    session_time_limit_in_seconds: null,
    multiple_attempts: {
      multiple_attempts_enabled: false,
      attempt_limit: true,
      max_attempts: 1,
      score_to_keep: "highest",
      cooling_period: false,
      cooling_period_seconds: null,
    },
    result_view_settings: {
      result_view_restricted: false,
      display_points_awarded: true,
      display_points_possible: true,
      display_items: true,
      display_item_response: true,
      display_item_response_qualifier: "always",
      show_item_responses_at: null,
      hide_item_responses_at: null,
      display_item_response_correctness: true,
      display_item_response_correctness_qualifier: "always",
      show_item_response_correctness_at: null,
      hide_item_response_correctness_at: null,
      display_item_correct_answer: true,
      display_item_feedback: true,
    },
  };
}
