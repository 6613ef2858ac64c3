/**
 * How far text extraction has got for one course's files: waiting for their extraction message, extracted, without
 * text by nature (an image, a video, an empty document), and failed (corrupt, encrypted, too large, too slow; the
 * item's text_status names why). Uses the (course_id, type) index. Raw SQL: four conditional counts in one row.
 */
import type { Database } from "./client";

export interface TextStates {
  pending: number;
  extracted: number;
  noText: number;
  failed: number;
}

export async function countTextStates(db: Database, courseId: number): Promise<TextStates> {
  const row = await db.$client
    .prepare(
      `SELECT sum(CASE WHEN text_status = 'pending' THEN 1 ELSE 0 END) AS pending,
         sum(CASE WHEN text_status LIKE 'ok%' THEN 1 ELSE 0 END) AS extracted,
         sum(CASE WHEN text_status IN ('empty', 'failed:unsupported_type', 'failed:no_text') THEN 1 ELSE 0 END)
           AS no_text,
         sum(CASE WHEN text_status LIKE 'failed:%'
           AND text_status NOT IN ('failed:unsupported_type', 'failed:no_text') THEN 1 ELSE 0 END) AS failed
       FROM items WHERE course_id = ?1 AND type = 'file' AND deleted_at IS NULL`,
    )
    .bind(courseId)
    .first<{
      pending: number | null;
      extracted: number | null;
      no_text: number | null;
      failed: number | null;
    }>();
  return {
    pending: row?.pending ?? 0,
    extracted: row?.extracted ?? 0,
    noText: row?.no_text ?? 0,
    failed: row?.failed ?? 0,
  };
}
