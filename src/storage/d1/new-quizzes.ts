/**
 * Reads for the New Quizzes collector: the Canvas ids of a course's New Quizzes the mirror holds alive, so the
 * ones missing from a listing can be checked one by one (a deletion is recorded only when Canvas answers 404 for
 * that quiz). One indexed query (items_course_type_idx), ids only.
 */
import { and, eq, isNull } from "drizzle-orm";
import { openDatabase } from "./client";
import { items } from "./schema";

export async function liveNewQuizIds(db: D1Database, courseId: number): Promise<string[]> {
  const rows = await openDatabase(db)
    .select({ canvasId: items.canvasId })
    .from(items)
    .where(and(eq(items.courseId, courseId), eq(items.type, "new_quiz"), isNull(items.deletedAt)));
  return rows.map((row) => row.canvasId);
}
