/** Full-text search over the mirror (SQLite FTS5 in D1): ranked hits with highlighted snippets and Canvas URLs. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import { ITEM_TYPES } from "../../detect/item-types";
import { MAX_QUERY_CHARS } from "../../search/limits";
import { runSearch } from "../../search/search-service";
import { ApiError } from "../../http/errors";
import { ErrorSchema, json, pageOf, PageQuerySchema } from "../schemas";
import { validationHook } from "../validation";

export const SearchQuerySchema = PageQuerySchema.extend({
  q: z
    .string()
    .min(1, "q is required")
    .max(MAX_QUERY_CHARS)
    .openapi({
      description:
        "What to look for. Simple syntax (default): all words must match (stemmed, case- and accent-insensitive); " +
        '"exact phrase", prefix*, -excluded, and OR between two terms. With syntax=fts5 the query is SQLite FTS5 ' +
        "syntax as written (NEAR, column filters such as title:word, parentheses).",
      example: "photosynthesis light",
    }),
  syntax: z.enum(["simple", "fts5"]).default("simple"),
  canvasCourseId: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, "canvasCourseId must be a positive integer")
    .transform(Number)
    .optional(),
  type: z.enum(ITEM_TYPES).optional(),
});

export const SearchHitSchema = z
  .object({
    itemId: z.string(),
    type: z.enum(ITEM_TYPES),
    canvasId: z.string(),
    title: z.string(),
    canvasCourseId: z.number(),
    courseName: z.string().nullable(),
    snippet: z.string().openapi({
      description: "Matched passage, HTML-escaped; matched terms are wrapped in <mark> (the only markup)",
    }),
    score: z.number().openapi({ description: "Relevance (bm25, title weighted 5x): higher is better" }),
    canvasUrl: z.string().openapi({ description: "The object's page in Canvas, for citation" }),
    updatedAt: z.string(),
    textIndexed: z.enum(["full", "truncated", "pending", "unavailable", "none"]).openapi({
      description:
        "How much of the text is searchable: full; truncated (first 200,000 characters); pending (a text " +
        "kept in R2 not yet indexed: title only so far); unavailable (its R2 text could not be read); none (no text)",
    }),
  })
  .openapi("SearchHit");

export const searchRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

searchRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/search",
    summary: "Full-text search over mirrored content, best matches first (paged)",
    description:
      "Searches titles and text (page bodies, descriptions, messages, syllabus, extracted file text) of live items; " +
      "deleted items are not in the index. Pages follow the API's cursor convention; a cursor is valid only for " +
      "the query and filters that produced it.",
    request: { query: SearchQuerySchema },
    responses: {
      200: json(pageOf(SearchHitSchema, "SearchPage"), "Ranked hits"),
      400: json(ErrorSchema, "Invalid query, filter or cursor"),
      401: json(ErrorSchema, "Missing or invalid token"),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const outcome = await runSearch(
      c.var.db,
      c.var.config.CANVAS_BASE_URL,
      {
        q: query.q,
        syntax: query.syntax,
        limit: query.limit,
        ...(query.canvasCourseId === undefined ? {} : { canvasCourseId: query.canvasCourseId }),
        ...(query.type === undefined ? {} : { type: query.type }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      },
      "html",
    );
    if (!outcome.ok) throw new ApiError(400, outcome.code, outcome.message);
    return c.json({ items: outcome.items, nextCursor: outcome.nextCursor }, 200);
  },
);
