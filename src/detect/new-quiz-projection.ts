/**
 * The canonical projection of a New Quiz (type `new_quiz`): the quiz record's reader-relevant fields (title,
 * instructions, points, dates, publication, grading, the settings a student meets: time limit, attempts,
 * shuffling, one-at-a-time, calculator, whether an access code or IP filter applies, what results show) plus its
 * items in position order, each with its type, stem or body, choices, and the answer where the token could see
 * it (null otherwise). The access code itself is never stored. `search_html` joins the instructions and the items'
 * text for extraction, search and dedup; it is derived, so the change log leaves it out (DERIVED_FIELDS).
 * Pure: the caller validated the API objects (src/canvas/new-quiz-schemas.ts, new-quiz-items.ts).
 */
import type { ItemContent, ParsedQuizItem } from "../canvas/new-quiz-items";
import type { CanvasNewQuiz, CanvasQuestionEntry, CanvasQuizSettings } from "../canvas/new-quiz-schemas";
import { canonicalJson, type Projection } from "./canonical";

/** The field holding a New Quiz's searchable HTML. */
export const NEW_QUIZ_TEXT_FIELD = "search_html";

export interface NewQuizChoice {
  id: string;
  position: number | null;
  body: string | null;
}

/** One item of a New Quiz as the mirror keeps it. Every key is always present (null when it does not apply). */
export interface NewQuizItemProjection {
  id: string;
  position: number | null;
  points_possible: number | null;
  entry_type: string;
  /** interaction_type_slug for questions ("choice", "essay", ...), else "stimulus", "bank" or the entry type */
  type: string;
  stimulus_id: string | null;
  title: string | null;
  /** the question stem (item_body) or the stimulus body, HTML */
  body: string | null;
  instructions: string | null;
  choices: NewQuizChoice[] | null;
  /** interaction_data other than choices (labels, word limits, blanks, ...) */
  interaction: Record<string, unknown> | null;
  /** scoring_data.value where the token may see it */
  answer: unknown;
  feedback: { correct: string | null; incorrect: string | null; neutral: string | null } | null;
  /** bank entries: whether the banked item is archived; banks: how many items and how many are drawn */
  bank: { archived: boolean | null; entry_count: number | null; sample_num: number | null } | null;
}

function readerSettings(settings: CanvasQuizSettings | null | undefined): Projection | null {
  if (!settings) return null;
  const attempts = settings.multiple_attempts;
  const multiple = attempts?.multiple_attempts_enabled === true;
  const results = settings.result_view_settings;
  return {
    time_limit_seconds:
      settings.has_time_limit === true ? (settings.session_time_limit_in_seconds ?? null) : null,
    // 1 when multiple attempts are off; null = unlimited.
    allowed_attempts: multiple
      ? attempts?.attempt_limit === false
        ? null
        : (attempts?.max_attempts ?? null)
      : 1,
    score_to_keep: multiple ? (attempts?.score_to_keep ?? null) : null,
    cooling_period_seconds:
      multiple && attempts?.cooling_period === true ? (attempts.cooling_period_seconds ?? null) : null,
    shuffle_questions: settings.shuffle_questions ?? null,
    shuffle_answers: settings.shuffle_answers ?? null,
    one_question_at_a_time: settings.one_at_a_time_type === "question",
    allow_backtracking: settings.allow_backtracking ?? null,
    calculator_type: settings.calculator_type ?? null,
    requires_access_code: settings.require_student_access_code === true,
    ip_filtered: settings.filter_ip_address === true,
    results_restricted: results?.result_view_restricted === true,
    results_show_items: results?.display_items ?? null,
    results_show_correct_answers: results?.display_item_correct_answer ?? null,
  };
}

/** The quiz record's fields, without items: what the list shows, compared to tell whether a quiz moved. */
export function projectNewQuizRecord(quiz: CanvasNewQuiz): Projection {
  return {
    assignment_id: quiz.id,
    title: quiz.title ?? null,
    instructions: quiz.instructions ?? null,
    points_possible: quiz.points_possible ?? null,
    due_at: quiz.due_at ?? null,
    lock_at: quiz.lock_at ?? null,
    unlock_at: quiz.unlock_at ?? null,
    published: quiz.published ?? null,
    grading_type: quiz.grading_type ?? null,
    assignment_group_id: quiz.assignment_group_id ?? null,
    settings: readerSettings(quiz.quiz_settings),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function choicesOf(data: Record<string, unknown> | null | undefined): NewQuizChoice[] | null {
  const raw = data?.["choices"];
  if (!Array.isArray(raw)) return null;
  const choices = raw.filter(isRecord).map((choice) => {
    const body = choice["item_body"] ?? choice["itemBody"];
    const position = choice["position"];
    const id = choice["id"];
    return {
      id: typeof id === "string" || typeof id === "number" ? String(id) : "",
      position: typeof position === "number" ? position : null,
      body: typeof body === "string" ? body : null,
    };
  });
  return choices.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || (a.id < b.id ? -1 : 1));
}

function questionFields(question: CanvasQuestionEntry): Partial<NewQuizItemProjection> {
  const data = question.interaction_data ?? null;
  const rest =
    data === null ? null : Object.fromEntries(Object.entries(data).filter(([key]) => key !== "choices"));
  const feedback = question.feedback;
  return {
    type: question.interaction_type_slug,
    title: question.title ?? null,
    body: question.item_body ?? null,
    choices: choicesOf(data),
    interaction: rest === null || Object.keys(rest).length === 0 ? null : rest,
    answer: question.scoring_data ? (question.scoring_data.value ?? null) : null,
    feedback: feedback
      ? {
          correct: feedback.correct ?? null,
          incorrect: feedback.incorrect ?? null,
          neutral: feedback.neutral ?? null,
        }
      : null,
  };
}

function contentFields(content: ItemContent): Partial<NewQuizItemProjection> {
  switch (content.kind) {
    case "question":
      return questionFields(content.question);
    case "stimulus":
      return {
        type: "stimulus",
        title: content.stimulus.title ?? null,
        body: content.stimulus.body ?? null,
        instructions: content.stimulus.instructions ?? null,
      };
    case "bank_entry": {
      const inner = content.inner === null ? { type: "bank_entry" } : contentFields(content.inner);
      return { ...inner, bank: { archived: content.archived, entry_count: null, sample_num: null } };
    }
    case "bank":
      return {
        type: "bank",
        title: content.title,
        bank: { archived: null, entry_count: content.entryCount, sample_num: content.sampleNum },
      };
    case "other":
      return { type: "other", interaction: content.entry };
    default: {
      // Unreachable while every content kind has a case: a new kind without one fails to compile here.
      const unknownContent: never = content;
      throw new TypeError(`unknown item content ${JSON.stringify(unknownContent)}`);
    }
  }
}

export function projectNewQuizItem(item: ParsedQuizItem): NewQuizItemProjection {
  const base: NewQuizItemProjection = {
    id: item.id,
    position: item.position,
    points_possible: item.pointsPossible,
    entry_type: item.entryType,
    type: item.entryType.toLowerCase(),
    stimulus_id: item.stimulusId,
    title: null,
    body: null,
    instructions: null,
    choices: null,
    interaction: null,
    answer: null,
    feedback: null,
    bank: null,
  };
  return { ...base, ...contentFields(item.content) };
}

/** The searchable HTML: instructions, then each item's body, stimulus instructions and choices, in order. */
export function newQuizSearchHtml(
  instructions: string | null,
  items: readonly NewQuizItemProjection[],
): string {
  const parts = [instructions ?? ""];
  for (const item of items) {
    const section = [item.body ?? "", item.instructions ? `<p>${item.instructions}</p>` : ""];
    if (item.choices)
      section.push(`<ul>${item.choices.map((choice) => `<li>${choice.body ?? ""}</li>`).join("")}</ul>`);
    parts.push(`<section>${section.join("")}</section>`);
  }
  return parts.join("\n");
}

/** The full projection: the record, the items in position order, and the derived search text. */
export function projectNewQuiz(record: Projection, items: readonly ParsedQuizItem[]): Projection {
  const projected = items
    .map(projectNewQuizItem)
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || (a.id < b.id ? -1 : 1));
  const instructions = typeof record["instructions"] === "string" ? record["instructions"] : null;
  return { ...record, items: projected, [NEW_QUIZ_TEXT_FIELD]: newQuizSearchHtml(instructions, projected) };
}

/** True when the stored projection has the same quiz record (items aside) as the one just listed. */
export function sameNewQuizRecord(stored: Projection, listed: Projection): boolean {
  if (!Array.isArray(stored["items"])) return false;
  return Object.keys(listed).every((key) => canonicalJson(stored[key]) === canonicalJson(listed[key]));
}
