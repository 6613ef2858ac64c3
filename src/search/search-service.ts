/**
 * One search, as the HTTP API, the MCP tool and the dashboard all run it: compile the query, read one page of
 * ranked hits, shape each hit (snippet, score, Canvas URL, how much of its text is indexed) and the opaque cursor
 * of the next page. The cursor carries the last hit's keyset position and a fingerprint of the query and filters, so
 * a cursor replayed against another query is refused instead of silently skipping results.
 */
import { z } from "zod";
import { canvasItemUrl } from "./item-url";
import { type ItemType, ITEM_TYPES } from "../detect/item-types";
import type { Database } from "../storage/d1/client";
import { decodeCursor, encodeCursor } from "../storage/d1/queries";
import { type SearchRow, searchItems } from "../storage/d1/search";
import { compileQuery, type QuerySyntax } from "./fts-query";
import { renderSnippet, type SnippetStyle } from "./snippet";

export interface SearchRequest {
  q: string;
  syntax: QuerySyntax;
  canvasCourseId?: number;
  type?: ItemType;
  limit: number;
  cursor?: string;
}

/** How much of the hit's text the index holds. */
export type TextIndexed = "full" | "truncated" | "pending" | "unavailable" | "none";

export interface SearchHit {
  itemId: string;
  type: ItemType;
  canvasId: string;
  title: string;
  canvasCourseId: number;
  courseName: string | null;
  snippet: string;
  score: number;
  canvasUrl: string;
  updatedAt: string;
  textIndexed: TextIndexed;
}

export type SearchOutcome =
  | { ok: true; items: SearchHit[]; nextCursor: string | null }
  | { ok: false; code: "invalid_query" | "invalid_cursor"; message: string };

const SearchCursorSchema = z.object({ r: z.number().finite(), d: z.number().int(), f: z.string() });
type SearchCursor = z.infer<typeof SearchCursorSchema>;

const isSearchCursor = (value: unknown): value is SearchCursor => SearchCursorSchema.safeParse(value).success;

/** FNV-1a of the query and filters: enough to tell another query's cursor apart, not a secret. */
function fingerprint(request: SearchRequest): string {
  const text = JSON.stringify([request.q.trim(), request.syntax, request.canvasCourseId, request.type]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

function textIndexed(row: SearchRow): TextIndexed {
  switch (row.bodyStatus) {
    case "inline":
    case "r2_indexed":
      return row.bodyTruncated ? "truncated" : "full";
    case "r2_pending":
      return "pending";
    case "none":
      return "none";
    default:
      return "unavailable";
  }
}

// Rows are written by this worker's triggers from `items`; a type outside the set is corruption and fails loudly.
const ItemTypeSchema = z.enum(ITEM_TYPES);

export async function runSearch(
  db: Database,
  canvasBaseUrl: string,
  request: SearchRequest,
  style: SnippetStyle,
): Promise<SearchOutcome> {
  const compiled = compileQuery(request.q, request.syntax);
  if (!compiled.ok) return { ok: false, code: "invalid_query", message: compiled.message };
  const print = fingerprint(request);
  const cursor = decodeCursor(request.cursor, isSearchCursor);
  if (request.cursor && (cursor === null || cursor.f !== print)) {
    return { ok: false, code: "invalid_cursor", message: "cursor is not valid for this query" };
  }
  const result = await searchItems(db, {
    match: compiled.match,
    ...(request.canvasCourseId === undefined ? {} : { courseId: request.canvasCourseId }),
    ...(request.type === undefined ? {} : { type: request.type }),
    after: cursor ? { rank: cursor.r, docId: cursor.d } : null,
    limit: request.limit + 1,
  });
  if (!result.ok) return { ok: false, code: "invalid_query", message: `invalid query: ${result.message}` };
  const page = result.rows.slice(0, request.limit);
  const last = page.at(-1);
  return {
    ok: true,
    items: page.map((row) => {
      const type = ItemTypeSchema.parse(row.type);
      return {
        itemId: row.itemId,
        type,
        canvasId: row.canvasId,
        title: row.title,
        canvasCourseId: row.courseId,
        courseName: row.courseName,
        snippet: renderSnippet(row, style),
        // bm25 is "lower is better" and negative; the API's score is "higher is better".
        score: Math.round(-row.rank * 1e6) / 1e6,
        canvasUrl: canvasItemUrl(canvasBaseUrl, {
          courseId: row.courseId,
          type,
          canvasId: row.canvasId,
          pageSlug: row.pageSlug,
          folderPath: row.folderPath,
        }),
        updatedAt: new Date(row.changedAt).toISOString(),
        textIndexed: textIndexed(row),
      };
    }),
    nextCursor:
      result.rows.length > request.limit && last
        ? encodeCursor({ r: last.rank, d: last.docId, f: print } satisfies SearchCursor)
        : null,
  };
}
