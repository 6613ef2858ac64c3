/** The `dead_letters` table: every message that reached the dead-letter queue, with its reason and (cut) body. */
import type { Database } from "./client";
import { deadLetters } from "./schema";

export interface DeadLetterWrite {
  jobId: string | null;
  courseId: number | null;
  reason: string;
  body: string;
  at: number;
}

export async function insertDeadLetter(db: Database, row: DeadLetterWrite): Promise<void> {
  await db.insert(deadLetters).values(row);
}
