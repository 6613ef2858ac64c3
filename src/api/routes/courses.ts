/**
 * Course registration, listing, status, manual sync requests and removal. Removing a course stops its syncs (queued
 * jobs cancelled, the cron never sees it again, a running job ends at its next progress report); `purge=true` also
 * deletes what was mirrored for it.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import { registerCourse, removeCourse, requestSync } from "../../http/course-actions";
import { countTextStates } from "../../storage/d1/text-states";
import {
  countItemsByType,
  decodeCursor,
  encodeCursor,
  getCourse,
  isNumberCursor,
  listCourses,
} from "../../storage/d1/queries";
import { ApiError } from "../../http/errors";
import { presentCourse } from "../../http/present";
import {
  CourseIdParamSchema,
  CourseSchema,
  ErrorSchema,
  json,
  pageOf,
  PageQuerySchema,
  RegisterCourseSchema,
  SyncRequestSchema,
} from "../schemas";
import { validationHook } from "../validation";

const errors = {
  400: json(ErrorSchema, "Invalid input"),
  401: json(ErrorSchema, "Missing or invalid token"),
};
const bodyErrors = { ...errors, 413: json(ErrorSchema, "Body larger than 64 KB") };

const CourseDetailSchema = CourseSchema.extend({
  itemCounts: z.record(z.string(), z.number()),
  breaker: z.object({ status: z.string(), failures: z.number(), openUntil: z.string().nullable() }),
  runningJob: z
    .object({ jobId: z.string(), collection: z.string().nullable(), done: z.number(), total: z.number() })
    .nullable(),
  texts: z
    .object({ pending: z.number(), extracted: z.number(), noText: z.number(), failed: z.number() })
    .openapi({
      description:
        "Files by text extraction state: pending (waiting for its extraction message), extracted, noText " +
        "(images, video, empty documents), failed (corrupt, encrypted, too large)",
    }),
}).openapi("CourseDetail");

const RemovalQuerySchema = z.object({
  purge: z.enum(["true", "false"]).optional().openapi({
    description: "also delete the course's items, change log, duplicates and (after the grace) blobs",
  }),
});

const CourseRemovedSchema = z
  .object({
    canvasCourseId: z.number(),
    removed: z.literal(true),
    cancelledJobs: z.number().openapi({ description: "queued jobs that will not run" }),
    runningJobStops: z.boolean().openapi({ description: "a running job ends at its next progress report" }),
    purged: z
      .object({
        items: z.number(),
        changes: z.number(),
        duplicates: z.number(),
        vectors: z.number(),
        blobsOrphaned: z.number().openapi({ description: "deleted by the blob GC after BLOB_GRACE_HOURS" }),
      })
      .nullable(),
  })
  .openapi("CourseRemoved");

export const courseRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

courseRoutes.openapi(
  createRoute({
    method: "post",
    path: "/api/courses",
    summary: "Register a course for syncing",
    request: { body: { content: { "application/json": { schema: RegisterCourseSchema } }, required: true } },
    responses: {
      201: json(CourseSchema, "Registered"),
      409: json(ErrorSchema, "Already registered"),
      ...bodyErrors,
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("json");
    const now = Date.now();
    if ((await registerCourse(c.var.db, c.env, canvasCourseId, now)) === "exists") {
      throw new ApiError(409, "already_registered", `course ${canvasCourseId} is already registered`);
    }
    const row = await getCourse(c.var.db, canvasCourseId);
    if (!row) throw new ApiError(500, "internal_error", "course vanished after registration");
    return c.json(presentCourse(row, now), 201);
  },
);

courseRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses",
    summary: "Registered courses with their sync state (paged)",
    request: { query: PageQuerySchema },
    responses: { 200: json(pageOf(CourseSchema, "CoursePage"), "Registered courses"), ...errors },
  }),
  async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const after = decodeCursor(cursor, isNumberCursor);
    if (cursor && after === null) throw new ApiError(400, "invalid_cursor", "cursor is not valid");
    const rows = await listCourses(c.var.db, after, limit + 1);
    const now = Date.now();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json(
      {
        items: page.map((row) => presentCourse(row, now)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.canvasCourseId) : null,
      },
      200,
    );
  },
);

courseRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}",
    summary: "A course's sync state, item counts, breaker and running job",
    request: { params: CourseIdParamSchema },
    responses: {
      200: json(CourseDetailSchema, "Sync state"),
      404: json(ErrorSchema, "Not registered"),
      ...errors,
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    const db = c.var.db;
    const row = await getCourse(db, canvasCourseId);
    if (!row) throw new ApiError(404, "not_found", `course ${canvasCourseId} is not registered`);
    const [itemCounts, status, texts] = await Promise.all([
      countItemsByType(db, canvasCourseId),
      c.env.COURSE_SYNC.getByName(String(canvasCourseId)).status(),
      countTextStates(db, canvasCourseId),
    ]);
    const breaker = status.breaker;
    return c.json(
      {
        ...presentCourse(row, Date.now()),
        itemCounts,
        breaker: {
          status: breaker.status,
          failures: breaker.consecutiveFailures,
          openUntil: "openUntil" in breaker ? new Date(breaker.openUntil).toISOString() : null,
        },
        runningJob: status.progress
          ? {
              jobId: status.progress.jobId,
              collection: status.progress.collection,
              done: status.progress.done,
              total: status.progress.total,
            }
          : null,
        texts,
      },
      200,
    );
  },
);

courseRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/api/courses/{canvasCourseId}",
    summary: "Remove a course: stop its syncs; with purge=true also delete what was mirrored for it",
    request: { params: CourseIdParamSchema, query: RemovalQuerySchema },
    responses: {
      200: json(CourseRemovedSchema, "Removed"),
      404: json(ErrorSchema, "Not registered"),
      ...errors,
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    const purge = c.req.valid("query").purge === "true";
    const removal = await removeCourse(c.var.db, c.env, c.var.config, canvasCourseId, purge, Date.now());
    if (!removal) throw new ApiError(404, "not_found", `course ${canvasCourseId} is not registered`);
    return c.json(
      {
        canvasCourseId,
        removed: true as const,
        cancelledJobs: removal.cancelledJobs,
        runningJobStops: removal.runningJobStops,
        purged: removal.purged,
      },
      200,
    );
  },
);

courseRoutes.openapi(
  createRoute({
    method: "post",
    path: "/api/courses/{canvasCourseId}/sync",
    summary: "Enqueue a sync now (incremental by default, or full)",
    request: {
      params: CourseIdParamSchema,
      body: { content: { "application/json": { schema: SyncRequestSchema } }, required: false },
    },
    responses: {
      202: json(z.object({ jobId: z.string() }).openapi("SyncAccepted"), "Sync enqueued"),
      404: json(ErrorSchema, "Not registered"),
      ...bodyErrors,
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    const body = c.req.valid("json") as { mode?: "incremental" | "full" } | undefined;
    const accepted = await requestSync(
      c.var.db,
      c.env,
      canvasCourseId,
      body?.mode ?? "incremental",
      Date.now(),
    );
    if (!accepted) throw new ApiError(404, "not_found", `course ${canvasCourseId} is not registered`);
    return c.json(accepted, 202);
  },
);
