/**
 * zod schemas for the New Quizzes API (`/api/quiz/v1`, Instructure's "New Quizzes" and "New Quiz Items" docs):
 * the NewQuiz object with its QuizSettings, the QuizItem envelope, and the entry shapes by `entry_type`
 * (QuestionItem, StimulusItem, BankEntryItem, BankItem). Ids arrive as strings ("5"); numbers are accepted too
 * and normalised to their decimal string. Objects are loose like every Canvas schema here: unknown fields pass,
 * the fields the mirror reads are checked.
 */
import { z } from "zod";

/** A Canvas id as the quiz service sends it (a decimal string), normalised to a string. */
export const QuizIdSchema = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .transform((value) => String(value));

const text = z.string().nullable().optional();
const flag = z.boolean().nullable().optional();
const count = z.number().nullable().optional();
const timestamp = z.string().nullable().optional();

export const MultipleAttemptsSchema = z.looseObject({
  multiple_attempts_enabled: flag,
  attempt_limit: flag,
  max_attempts: count,
  score_to_keep: text,
  cooling_period: flag,
  cooling_period_seconds: count,
});

export const ResultViewSettingsSchema = z.looseObject({
  result_view_restricted: flag,
  display_points_awarded: flag,
  display_points_possible: flag,
  display_items: flag,
  display_item_response: flag,
  display_item_response_correctness: flag,
  display_item_correct_answer: flag,
  display_item_feedback: flag,
});

export const QuizSettingsSchema = z.looseObject({
  calculator_type: text,
  filter_ip_address: flag,
  one_at_a_time_type: text,
  allow_backtracking: flag,
  shuffle_answers: flag,
  shuffle_questions: flag,
  require_student_access_code: flag,
  has_time_limit: flag,
  session_time_limit_in_seconds: count,
  multiple_attempts: MultipleAttemptsSchema.nullable().optional(),
  result_view_settings: ResultViewSettingsSchema.nullable().optional(),
});
export type CanvasQuizSettings = z.infer<typeof QuizSettingsSchema>;

export const NewQuizSchema = z.looseObject({
  id: QuizIdSchema,
  title: text,
  instructions: text,
  assignment_group_id: QuizIdSchema.nullable().optional(),
  points_possible: count,
  due_at: timestamp,
  lock_at: timestamp,
  unlock_at: timestamp,
  published: flag,
  grading_type: text,
  quiz_settings: QuizSettingsSchema.nullable().optional(),
});
export type CanvasNewQuiz = z.infer<typeof NewQuizSchema>;

const json = z.record(z.string(), z.unknown());

export const QuizItemSchema = z.looseObject({
  id: QuizIdSchema,
  position: count,
  points_possible: count,
  entry_type: z.string(),
  stimulus_quiz_entry_id: QuizIdSchema.nullable().optional(),
  properties: json.nullable().optional(),
  entry: json.nullable().optional(),
});
export type CanvasQuizItem = z.infer<typeof QuizItemSchema>;

export const QuestionEntrySchema = z.looseObject({
  title: text,
  item_body: text,
  interaction_type_slug: z.string(),
  interaction_data: json.nullable().optional(),
  /** absent or null when the token may not see answers */
  scoring_data: z.looseObject({ value: z.unknown() }).nullable().optional(),
  feedback: z.looseObject({ neutral: text, correct: text, incorrect: text }).nullable().optional(),
});
export type CanvasQuestionEntry = z.infer<typeof QuestionEntrySchema>;

export const StimulusEntrySchema = z.looseObject({
  title: text,
  body: text,
  instructions: text,
  passage: flag,
});

export const BankEntryEntrySchema = z.looseObject({
  entry_type: z.string(),
  archived: flag,
  entry: json.nullable().optional(),
});

export const BankEntrySchema = z.looseObject({
  title: text,
  archived: flag,
  entry_count: count,
  item_entry_count: count,
});

/** One choice of a choice / multi-answer question (the docs spell the body both `item_body` and `itemBody`). */
export const ChoiceSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform((value) => String(value)),
  position: count,
  item_body: text,
  itemBody: text,
});
