/**
 * The New Quizzes part of truth(courseId): every live New Quiz with the fields the API shows and its live items
 * in position order, each item's entry complete (answers included, whatever the token may see), so a test can
 * tell whether the mirror holds exactly what Canvas holds, and what it may hold of the answers.
 */
import { isoOrNull } from "./time";
import { liveQuizItems, newQuizPoints } from "./serialize-new-quizzes";
import type { CourseData } from "./store";

export interface NewQuizTruth {
  id: number;
  /** The quiz service's id, which quizzes.* Live Events carry. */
  service_id: number;
  title: string;
  instructions: string;
  points_possible: number;
  due_at: string | null;
  lock_at: string | null;
  unlock_at: string | null;
  published: boolean;
  grading_type: string;
  quiz_settings: Record<string, unknown>;
  items: Array<{
    id: number;
    position: number;
    points_possible: number;
    entry_type: string;
    stimulus_id: number | null;
    entry: Record<string, unknown>;
    properties: Record<string, unknown> | null;
  }>;
}

export function newQuizzesTruth(data: CourseData): {
  live: NewQuizTruth[];
  deleted: number[];
  access: { access: string; answers_visible: boolean };
} {
  const quizzes = [...data.newQuizzes.values()].sort((a, b) => a.id - b.id);
  return {
    live: quizzes
      .filter((quiz) => !quiz.deleted)
      .map((quiz) => ({
        id: quiz.id,
        service_id: quiz.serviceId,
        title: quiz.title,
        instructions: quiz.instructions,
        points_possible: newQuizPoints(data, quiz),
        due_at: isoOrNull(quiz.dueAt),
        lock_at: isoOrNull(quiz.lockAt),
        unlock_at: isoOrNull(quiz.unlockAt),
        published: quiz.published,
        grading_type: quiz.gradingType,
        quiz_settings: structuredClone(quiz.settings),
        items: liveQuizItems(data, quiz.id).map((item) => ({
          id: item.id,
          position: item.position,
          points_possible: item.pointsPossible,
          entry_type: item.entryType,
          stimulus_id: item.stimulusId,
          entry: structuredClone(item.entry),
          properties: item.properties === null ? null : structuredClone(item.properties),
        })),
      })),
    deleted: quizzes.filter((quiz) => quiz.deleted).map((quiz) => quiz.id),
    access: { access: data.newQuizzesAccess, answers_visible: data.newQuizAnswersVisible },
  };
}
