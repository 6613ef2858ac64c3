/**
 * Read side of the full-text index (FTS5 table `search_fts` over `search_docs`, migration `search_fts`): ranked,
 * filtered, keyset-paged search with highlighted snippets, and the index's size. Raw SQL because drizzle cannot
 * express FTS5's MATCH, bm25() or snippet().
 *
 * The query ranks in two steps: the inner one orders every match by bm25 and keeps one page of document ids; only
 * then does the outer one (the same MATCH, pinned to those rowids) mark the matched terms and join the item rows
 * (SQLite computes every selected column before it sorts, so one step would mark every matching document).
 *
 * Snippets are a window of the body around its first marked term, cut from highlight() in SQL, not FTS5's
 * snippet(): snippet() scores every candidate passage against every phrase instance, which is quadratic in the
 * instances (measured locally: 24 s for one 200,000-character body holding 33,000 matches of the query, against
 * 0.5 s for highlight(), which is linear). Only the window leaves the database.
 */
import type { Database } from "./client";

/** bm25 column weights: a match in the title counts five times a match in the body. */
export const TITLE_WEIGHT = 5;
export const BODY_WEIGHT = 1;

/**
 * Markers handed to highlight() around matched terms (src/search/snippet.ts renders them). A stray one in Canvas
 * text could only add an unbalanced mark, never other markup.
 */
export const MARK_OPEN = "\u0002";
export const MARK_CLOSE = "\u0003";

/**
 * Whether a database error is FTS5 rejecting the MATCH expression (so the caller answers 400), and the part of the
 * message that names the problem (D1 wraps SQLite's message as `D1_ERROR: <message>: SQLITE_ERROR`). Anything else
 * is a real failure and stays one.
 */
export function queryErrorMessage(error: unknown): string | null {
  const text = error instanceof Error ? error.message : String(error);
  const message = text
    .replace(/^(Error:\s*)?D1_ERROR:\s*/, "")
    .replace(/:\s*SQLITE_ERROR.*$/s, "")
    .trim();
  return /^(fts5:|unterminated string|no such column|unknown special query|malformed MATCH)/i.test(message)
    ? message
    : null;
}

/** Keyset position: the raw bm25 value (lower is better) and the document id of the last hit of a page. */
export interface SearchPosition {
  rank: number;
  docId: number;
}

export interface SearchParams {
  /** an FTS5 MATCH expression (src/search/fts-query.ts) */
  match: string;
  courseId?: number;
  type?: string;
  after: SearchPosition | null;
  limit: number;
}

export interface SearchRow {
  docId: number;
  rank: number;
  itemId: string;
  courseId: number;
  courseName: string | null;
  type: string;
  canvasId: string;
  title: string;
  /** the title with MARK_OPEN / MARK_CLOSE around matched terms */
  titleMarked: string;
  /** the body window (marked likewise), and whether the body goes on before and after it */
  bodyWindow: { text: string; cutStart: boolean; cutEnd: boolean };
  bodyStatus: string;
  bodyTruncated: boolean;
  changedAt: number;
  pageSlug: string | null;
  folderPath: string | null;
}

export type SearchResult = { ok: true; rows: SearchRow[] } | { ok: false; message: string };

const BM25 = `bm25(search_fts, ${TITLE_WEIGHT}.0, ${BODY_WEIGHT}.0)`;

/** Characters of body before the first match, and the window's length (src/search/snippet.ts trims the edges). */
const LEAD_CHARS = 120;
export const WINDOW_CHARS = 360;

const SEARCH_SQL = `
WITH top AS (
  SELECT search_fts.rowid AS doc_id, ${BM25} AS bm
  FROM search_fts JOIN search_docs d ON d.doc_id = search_fts.rowid
  WHERE search_fts MATCH ?1
    AND (?2 IS NULL OR d.course_id = ?2)
    AND (?3 IS NULL OR d.type = ?3)
    AND (?4 IS NULL OR ${BM25} > ?4 OR (${BM25} = ?4 AND d.doc_id > ?5))
  ORDER BY bm, doc_id
  LIMIT ?6
),
marked AS MATERIALIZED (
  SELECT top.doc_id, top.bm, highlight(search_fts, 0, ?7, ?8) AS t, highlight(search_fts, 1, ?7, ?8) AS b
  FROM top JOIN search_fts ON search_fts.rowid = top.doc_id
  WHERE search_fts MATCH ?1
),
windowed AS (
  SELECT marked.*, CASE WHEN instr(b, ?7) > ${LEAD_CHARS} THEN instr(b, ?7) - ${LEAD_CHARS} ELSE 1 END AS w_start
  FROM marked
)
SELECT w.doc_id, w.bm, d.item_id, d.course_id, c.name AS course_name, d.type, i.canvas_id, d.title,
  w.t AS title_marked, substr(w.b, w.w_start, ${WINDOW_CHARS}) AS body_window, w.w_start, length(w.b) AS body_chars,
  d.body_status, d.body_truncated, i.changed_at,
  CASE WHEN json_valid(i.data) THEN i.data ->> '$.url' END AS page_slug,
  CASE WHEN json_valid(i.data) THEN i.data ->> '$.full_name' END AS folder_path
FROM windowed w
JOIN search_docs d ON d.doc_id = w.doc_id
JOIN items i ON i.id = d.item_id
LEFT JOIN courses c ON c.canvas_course_id = d.course_id
ORDER BY w.bm, w.doc_id`;

interface RawRow {
  doc_id: number;
  bm: number;
  item_id: string;
  course_id: number;
  course_name: string | null;
  type: string;
  canvas_id: string;
  title: string;
  title_marked: string | null;
  body_window: string | null;
  w_start: number;
  body_chars: number;
  body_status: string;
  body_truncated: number;
  changed_at: number;
  page_slug: unknown;
  folder_path: unknown;
}

const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

/**
 * Runs one page of a search. An FTS5 syntax error in the MATCH expression is returned as `{ ok: false }` with the
 * database's own words; any other failure is thrown.
 */
export async function searchItems(db: Database, params: SearchParams): Promise<SearchResult> {
  let results: RawRow[];
  try {
    ({ results } = await db.$client
      .prepare(SEARCH_SQL)
      .bind(
        params.match,
        params.courseId ?? null,
        params.type ?? null,
        params.after?.rank ?? null,
        params.after?.docId ?? null,
        params.limit,
        MARK_OPEN,
        MARK_CLOSE,
      )
      .all<RawRow>());
  } catch (error) {
    const message = queryErrorMessage(error);
    if (message === null) throw error;
    return { ok: false, message };
  }
  return {
    ok: true,
    rows: results.map((row) => ({
      docId: row.doc_id,
      rank: row.bm,
      itemId: row.item_id,
      courseId: row.course_id,
      courseName: row.course_name,
      type: row.type,
      canvasId: row.canvas_id,
      title: row.title,
      titleMarked: row.title_marked ?? row.title,
      bodyWindow: {
        text: row.body_window ?? "",
        cutStart: row.w_start > 1,
        cutEnd: row.w_start + WINDOW_CHARS - 1 < row.body_chars,
      },
      bodyStatus: row.body_status,
      bodyTruncated: row.body_truncated === 1,
      changedAt: row.changed_at,
      pageSlug: textOrNull(row.page_slug),
      folderPath: textOrNull(row.folder_path),
    })),
  };
}

export interface IndexSize {
  documents: number;
  /** bytes of the FTS5 index itself (segments, term index, document sizes) */
  ftsBytes: number;
  /** bytes of indexed text held in search_docs (the index's external content) */
  contentBytes: number;
}

/** The index's size, summed from its tables (D1 offers no dbstat or page-count pragma). */
export async function searchIndexSize(db: Database): Promise<IndexSize> {
  const row = await db.$client
    .prepare(
      `SELECT
         (SELECT count(*) FROM search_docs) AS documents,
         (SELECT COALESCE(sum(length(CAST(block AS BLOB)) + 8), 0) FROM search_fts_data)
           + (SELECT COALESCE(sum(length(CAST(term AS BLOB)) + 16), 0) FROM search_fts_idx)
           + (SELECT COALESCE(sum(length(CAST(sz AS BLOB)) + 8), 0) FROM search_fts_docsize) AS fts_bytes,
         (SELECT COALESCE(sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB)) + length(item_id) + 40), 0)
            FROM search_docs) AS content_bytes`,
    )
    .first<{ documents: number; fts_bytes: number; content_bytes: number }>();
  return {
    documents: row?.documents ?? 0,
    ftsBytes: row?.fts_bytes ?? 0,
    contentBytes: row?.content_bytes ?? 0,
  };
}
