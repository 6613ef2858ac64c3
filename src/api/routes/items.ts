/** The mirror: items (incrementally followable with changedSince, tombstones included) and change logs. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import {
  decodeCursor,
  encodeCursor,
  isItemCursor,
  isNumberCursor,
  getItem,
  listChanges,
  listItems,
} from "../../storage/d1/queries";
import { withFullData } from "../../storage/r2/projection-data";
import { ApiError } from "../../http/errors";
import { iso, presentItem } from "../../http/present";
import {
  ChangeSchema,
  CourseIdParamSchema,
  ErrorSchema,
  ItemSchema,
  ItemsQuerySchema,
  json,
  pageOf,
  PageQuerySchema,
} from "../schemas";
import { validationHook } from "../validation";

export const itemRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

itemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}/items",
    summary: "Mirrored items in change order; follow with changedSince (tombstones included) (paged)",
    request: { params: CourseIdParamSchema, query: ItemsQuerySchema },
    responses: {
      200: json(pageOf(ItemSchema, "ItemPage"), "Mirrored items"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    const query = c.req.valid("query");
    const after = decodeCursor(query.cursor, isItemCursor);
    if (query.cursor && !after) throw new ApiError(400, "invalid_cursor", "cursor is not valid");
    const changedSince = query.changedSince === undefined ? undefined : Date.parse(query.changedSince);
    const rows = await listItems(c.var.db, {
      courseId: canvasCourseId,
      ...(query.type ? { type: query.type } : {}),
      ...(changedSince === undefined ? {} : { changedSince }),
      // Following changes must see deletions, so tombstones come with changedSince unless asked otherwise.
      includeDeleted: query.includeDeleted ? query.includeDeleted === "true" : changedSince !== undefined,
      after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return c.json(
      {
        items: (await withFullData(c.env.BLOBS, page)).map(presentItem),
        nextCursor:
          rows.length > query.limit && last ? encodeCursor({ changedAt: last.changedAt, id: last.id }) : null,
      },
      200,
    );
  },
);

const ItemIdParams = CourseIdParamSchema.extend({
  itemId: z
    .string()
    .regex(/^\d+:[a-z_]+:\d+$/, "itemId must look like <courseId>:<type>:<canvasId>")
    .openapi({ param: { name: "itemId", in: "path" } }),
});

itemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}/items/{itemId}/changes",
    summary: "An item's change log, oldest first (paged)",
    request: { params: ItemIdParams, query: PageQuerySchema },
    responses: {
      200: json(pageOf(ChangeSchema, "ChangePage"), "The item's change log, oldest first"),
      404: json(ErrorSchema, "No such item"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
    },
  }),
  async (c) => {
    const { canvasCourseId, itemId } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    const db = c.var.db;
    const item = await getItem(db, itemId);
    if (!item || item.courseId !== canvasCourseId) throw new ApiError(404, "not_found", `no item ${itemId}`);
    const afterId = decodeCursor(cursor, isNumberCursor);
    if (cursor && afterId === null) throw new ApiError(400, "invalid_cursor", "cursor is not valid");
    const rows = await listChanges(db, itemId, afterId, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json(
      {
        items: page.map((row) => ({
          id: row.id,
          kind: row.kind,
          jobId: row.jobId,
          at: iso(row.at) ?? "",
          fields: row.fields ? (JSON.parse(row.fields) as unknown) : [],
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      },
      200,
    );
  },
);
