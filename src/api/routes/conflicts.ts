/**
 * Near-duplicate conflicts (dedup tier 4) and a course's duplicate pairs: list open or resolved conflicts, read
 * one, record an operator's decision; list a course's links and conflicts and its dedup counts. A resolved
 * conflict is not raised again unless one side's text changes (src/dedup/pair-decision.ts).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import {
  courseDedupSummary,
  getDuplicate,
  listConflicts,
  listCourseDuplicates,
} from "../../storage/d1/conflicts";
import { resolveConflict } from "../../http/course-actions";
import type { Database } from "../../storage/d1/client";
import { courseIsRegistered, decodeCursor, encodeCursor } from "../../storage/d1/queries";
import { ApiError } from "../../http/errors";
import { CourseIdParamSchema, ErrorSchema, json, pageOf, PageQuerySchema } from "../schemas";
import { validationHook } from "../validation";

const KINDS = ["exact_text", "exact_blob", "near_text"] as const;
const STATUSES = ["linked", "open", "resolved"] as const;
const RESOLUTIONS = ["keep_both", "mark_duplicate", "ignore"] as const;

const SideSchema = z
  .object({
    itemId: z.string(),
    canvasCourseId: z.number(),
    type: z.string().nullable(),
    title: z.string().nullable(),
    textHash: z.string().nullable().openapi({ description: "text hash compared when the pair was recorded" }),
    currentTextHash: z.string().nullable(),
    deleted: z.boolean(),
  })
  .openapi("DuplicateSide");

export const DuplicateSchema = z
  .object({
    id: z.number(),
    kind: z.enum(KINDS),
    status: z.enum(STATUSES),
    score: z.number().openapi({ description: "1 for exact copies; exact pg_trgm similarity for near_text" }),
    reason: z.string(),
    a: SideSchema,
    b: SideSchema,
    resolution: z.enum(RESOLUTIONS).nullable(),
    canonicalItemId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi("Duplicate");

export const ResolveConflictSchema = z
  .object({
    resolution: z.enum(RESOLUTIONS),
    canonicalItemId: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.resolution === "mark_duplicate" && body.canonicalItemId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["canonicalItemId"],
        message: "canonicalItemId is required for mark_duplicate",
      });
    }
    if (body.resolution !== "mark_duplicate" && body.canonicalItemId !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["canonicalItemId"],
        message: "canonicalItemId is only allowed with mark_duplicate",
      });
    }
  })
  .openapi("ResolveConflict");

const DedupSummarySchema = z
  .object({
    canvasCourseId: z.number(),
    exactTextLinks: z.number(),
    exactBlobLinks: z.number(),
    openConflicts: z.number(),
    resolvedConflicts: z.number(),
    texts: z.object({
      total: z.number(),
      checked: z.number(),
      provisional: z.number(),
      unchecked: z.number(),
    }),
  })
  .openapi("DedupSummary");

const ConflictIdParams = z.object({
  conflictId: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, "conflictId must be a positive integer")
    .transform(Number)
    .openapi({ param: { name: "conflictId", in: "path" }, example: "1" }),
});

const isId = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value);

function afterIdFrom(cursor: string | undefined): number {
  if (!cursor) return 0;
  const id = decodeCursor(cursor, isId);
  if (id === null) throw new ApiError(400, "invalid_cursor", "cursor is not valid");
  return id;
}

const nextCursor = (lastId: number | null): string | null => (lastId === null ? null : encodeCursor(lastId));

async function requireCourse(db: Database, courseId: number): Promise<void> {
  if (!(await courseIsRegistered(db, courseId)))
    throw new ApiError(404, "not_found", `course ${courseId} is not registered`);
}

export const conflictRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

conflictRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/conflicts",
    summary: "Near-duplicate conflicts, oldest first; open ones by default (paged)",
    request: {
      query: PageQuerySchema.extend({
        status: z.enum(["open", "resolved"]).default("open"),
        canvasCourseId: z.coerce.number().int().positive().optional(),
      }),
    },
    responses: {
      200: json(pageOf(DuplicateSchema, "ConflictPage"), "Conflicts"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await listConflicts(c.var.db, {
      status: query.status,
      courseId: query.canvasCourseId,
      afterId: afterIdFrom(query.cursor),
      limit: query.limit,
    });
    return c.json({ items: page.items, nextCursor: nextCursor(page.lastId) }, 200);
  },
);

conflictRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/conflicts/{conflictId}",
    summary: "One near-duplicate conflict",
    request: { params: ConflictIdParams },
    responses: {
      200: json(DuplicateSchema, "The conflict"),
      400: json(ErrorSchema, "Invalid id"),
      401: json(ErrorSchema, "Missing or invalid token"),
      404: json(ErrorSchema, "No such conflict"),
    },
  }),
  async (c) => {
    const { conflictId } = c.req.valid("param");
    const row = await getDuplicate(c.var.db, conflictId);
    if (row === null || row.kind !== "near_text") {
      throw new ApiError(404, "not_found", `no conflict ${conflictId}`);
    }
    return c.json(row, 200);
  },
);

conflictRoutes.openapi(
  createRoute({
    method: "post",
    path: "/api/conflicts/{conflictId}/resolve",
    summary:
      "Record the decision on a near-duplicate conflict (canonicalItemId: one of the pair, for mark_duplicate)",
    request: {
      params: ConflictIdParams,
      body: { content: { "application/json": { schema: ResolveConflictSchema } }, required: true },
    },
    responses: {
      200: json(DuplicateSchema, "The resolved conflict"),
      400: json(ErrorSchema, "Invalid body, or canonicalItemId not one of the pair"),
      401: json(ErrorSchema, "Missing or invalid token"),
      404: json(ErrorSchema, "No such conflict"),
      409: json(ErrorSchema, "The pair is an exact-copy link, not a conflict"),
      413: json(ErrorSchema, "Body too large"),
    },
  }),
  async (c) => {
    const { conflictId } = c.req.valid("param");
    const body = c.req.valid("json");
    const result = await resolveConflict(
      c.var.db,
      conflictId,
      { resolution: body.resolution, canonicalItemId: body.canonicalItemId ?? null },
      Date.now(),
    );
    if (result.ok) return c.json(result.conflict, 200);
    if (result.reason === "not_a_conflict") {
      throw new ApiError(409, "not_a_conflict", `pair ${conflictId} is an exact copy; nothing to resolve`);
    }
    if (result.reason === "bad_canonical") {
      throw new ApiError(400, "invalid_request", "canonicalItemId must be one of the pair", {
        allowed: result.allowed ?? [],
      });
    }
    throw new ApiError(404, "not_found", `no conflict ${conflictId}`);
  },
);

conflictRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}/duplicates",
    summary: "A course's duplicate pairs: exact-copy links and near-duplicate conflicts (paged)",
    request: {
      params: CourseIdParamSchema,
      query: PageQuerySchema.extend({ kind: z.enum(KINDS).optional(), status: z.enum(STATUSES).optional() }),
    },
    responses: {
      200: json(pageOf(DuplicateSchema, "DuplicatePage"), "Pairs with a side in the course"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
      404: json(ErrorSchema, "Course not registered"),
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    const query = c.req.valid("query");
    const afterId = afterIdFrom(query.cursor);
    await requireCourse(c.var.db, canvasCourseId);
    const page = await listCourseDuplicates(c.var.db, {
      courseId: canvasCourseId,
      kind: query.kind,
      status: query.status,
      afterId,
      limit: query.limit,
    });
    return c.json({ items: page.items, nextCursor: nextCursor(page.lastId) }, 200);
  },
);

conflictRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}/dedup",
    summary: "A course's dedup counts: exact links, conflicts, and how many texts are checked",
    request: { params: CourseIdParamSchema },
    responses: {
      200: json(DedupSummarySchema, "Counts"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
      404: json(ErrorSchema, "Course not registered"),
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    await requireCourse(c.var.db, canvasCourseId);
    const summary = await courseDedupSummary(c.var.db, canvasCourseId);
    return c.json({ canvasCourseId, ...summary }, 200);
  },
);
