/** Course registration, listing, status and manual sync requests. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { enqueueSyncJobs } from "../../queue/enqueue";
import { openDatabase } from "../../storage/d1/client";
import {
  countItemsByType,
  decodeCursor,
  encodeCursor,
  getCourse,
  isNumberCursor,
  listCourses,
} from "../../storage/d1/queries";
import { ApiError } from "../errors";
import { presentCourse } from "../present";
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
}).openapi("CourseDetail");

export const courseRoutes = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

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
    const result = await c.env.DB.prepare(
      `INSERT INTO courses (canvas_course_id, state, registered_at, next_sync_at) VALUES (?1, 'idle', ?2, ?2)
       ON CONFLICT(canvas_course_id) DO NOTHING`,
    )
      .bind(canvasCourseId, now)
      .run();
    if ((result.meta.changes ?? 0) === 0) {
      throw new ApiError(409, "already_registered", `course ${canvasCourseId} is already registered`);
    }
    const row = await getCourse(openDatabase(c.env.DB), canvasCourseId);
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
    const rows = await listCourses(openDatabase(c.env.DB), after, limit + 1);
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
    const orm = openDatabase(c.env.DB);
    const row = await getCourse(orm, canvasCourseId);
    if (!row) throw new ApiError(404, "not_found", `course ${canvasCourseId} is not registered`);
    const [itemCounts, status] = await Promise.all([
      countItemsByType(orm, canvasCourseId),
      c.env.COURSE_SYNC.getByName(String(canvasCourseId)).status(),
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
    const orm = openDatabase(c.env.DB);
    if (!(await getCourse(orm, canvasCourseId))) {
      throw new ApiError(404, "not_found", `course ${canvasCourseId} is not registered`);
    }
    const [jobId] = await enqueueSyncJobs(
      c.env.DB,
      c.env.SYNC_QUEUE,
      [{ courseId: canvasCourseId, mode: body?.mode ?? "incremental", trigger: "api" }],
      Date.now(),
    );
    return c.json({ jobId: jobId ?? "" }, 202);
  },
);
