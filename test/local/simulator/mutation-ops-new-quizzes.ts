/**
 * The New Quizzes part of the generic mutation API (`POST /__sim/mutate`): zod schemas for creating, editing and
 * deleting New Quizzes and their items, and for a course's New Quizzes access, plus their dispatch. The entry of
 * an item is free-form JSON in the documented QuizItem entry shapes (see new-quiz-entries.ts for builders).
 */
import { z } from "zod";
import * as newQuizzes from "./mutations-new-quizzes";
import { type SimContext } from "./context";
import { unreachable } from "../../../src/shared/unreachable";

const id = z.number().int().positive();
const date = z.string().nullable().optional();
const course = { course_id: id };
const json = z.record(z.string(), z.unknown());

const NewQuiz = z.object({
  title: z.string().min(1),
  instructions: z.string().optional(),
  points_possible: z.number().min(0).optional(),
  due_at: date,
  lock_at: date,
  unlock_at: date,
  published: z.boolean().optional(),
  grading_type: z.enum(["pass_fail", "percent", "letter_grade", "gpa_scale", "points"]).optional(),
  quiz_settings: json.optional(),
});
const EntryType = z.enum(["Item", "Stimulus", "BankEntry", "Bank"]);
const NewQuizItem = z.object({
  position: z.number().int().positive().optional(),
  points_possible: z.number().min(0).optional(),
  entry_type: EntryType,
  stimulus_id: id.nullable().optional(),
  entry: json,
  properties: json.nullable().optional(),
});
const NewQuizItemPatch = NewQuizItem.omit({ entry_type: true }).partial();
const item = { ...course, quiz_id: id };

export const NEW_QUIZ_OPS = [
  z.object({ op: z.literal("createNewQuiz"), ...course, input: NewQuiz }),
  z.object({ op: z.literal("editNewQuiz"), ...course, id, patch: NewQuiz.partial() }),
  z.object({ op: z.literal("deleteNewQuiz"), ...course, id }),
  z.object({ op: z.literal("createNewQuizItem"), ...item, input: NewQuizItem }),
  z.object({ op: z.literal("editNewQuizItem"), ...item, id, patch: NewQuizItemPatch }),
  z.object({ op: z.literal("deleteNewQuizItem"), ...item, id }),
  z.object({
    op: z.literal("setNewQuizzesAccess"),
    ...course,
    settings: z.object({
      access: z.enum(["enabled", "not_found", "unauthorized", "forbidden"]).optional(),
      answers_visible: z.boolean().optional(),
    }),
  }),
] as const;

export type NewQuizMutationOp = z.infer<(typeof NEW_QUIZ_OPS)[number]>;

export function applyNewQuizMutation(ctx: SimContext, op: NewQuizMutationOp): unknown {
  switch (op.op) {
    case "createNewQuiz":
      return newQuizzes.createNewQuiz(ctx, op.course_id, op.input);
    case "editNewQuiz":
      return newQuizzes.editNewQuiz(ctx, op.course_id, op.id, op.patch);
    case "deleteNewQuiz":
      return newQuizzes.deleteNewQuiz(ctx, op.course_id, op.id);
    case "createNewQuizItem":
      return newQuizzes.createNewQuizItem(ctx, op.course_id, op.quiz_id, op.input);
    case "editNewQuizItem":
      return newQuizzes.editNewQuizItem(ctx, op.course_id, op.quiz_id, op.id, op.patch);
    case "deleteNewQuizItem":
      return newQuizzes.deleteNewQuizItem(ctx, op.course_id, op.quiz_id, op.id);
    case "setNewQuizzesAccess":
      return newQuizzes.setNewQuizzesAccess(ctx, op.course_id, op.settings);
    default:
      return unreachable(op);
  }
}
