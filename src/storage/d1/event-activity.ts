/**
 * When a course last had a Live Event acted on (its newest `event_marks.at`), for the scheduler's "poll less when
 * events flow" rule (src/resilience/scheduler.ts). Served by the event_marks (course_id, at) index.
 */
import { eq, max } from "drizzle-orm";
import type { Database } from "./client";
import { eventMarks } from "./schema";

export async function lastEventAt(orm: Database, courseId: number): Promise<number | null> {
  const row = await orm
    .select({ at: max(eventMarks.at) })
    .from(eventMarks)
    .where(eq(eventMarks.courseId, courseId))
    .get();
  return row?.at ?? null;
}
