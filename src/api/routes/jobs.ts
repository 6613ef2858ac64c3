/** Job status and per-course job history. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import { listJobDeliveries } from "../../storage/d1/job-deliveries";
import { decodeCursor, encodeCursor, isJobCursor, getJob, listJobs } from "../../storage/d1/queries";
import { listJobIssues } from "../../storage/d1/sync-issues";
import { ApiError } from "../../http/errors";
import { presentDelivery, presentIssue, presentJob } from "../../http/present";
import {
  CourseIdParamSchema,
  ErrorSchema,
  JobDetailSchema,
  JobSchema,
  json,
  pageOf,
  PageQuerySchema,
} from "../schemas";

/** At most this many left-behind and skipped objects are listed with a job (the report counts all of them). */
const ISSUES_LISTED = 500;
import { validationHook } from "../validation";

export const jobRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

jobRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/jobs/{jobId}",
    summary:
      "One job: status (succeeded only when nothing was left behind; partial when something was), progress, attempts, counts, its report, its deliveries and what it left behind or skipped",
    request: {
      params: z.object({
        jobId: z
          .string()
          .regex(/^[0-9a-f-]{36}$/i, "jobId must be a job id (UUID)")
          .openapi({ param: { name: "jobId", in: "path" } }),
      }),
    },
    responses: {
      200: json(JobDetailSchema, "The job"),
      400: json(ErrorSchema, "Invalid id"),
      401: json(ErrorSchema, "Missing or invalid token"),
      404: json(ErrorSchema, "No such job"),
    },
  }),
  async (c) => {
    const { jobId } = c.req.valid("param");
    const db = c.var.db;
    const row = await getJob(db, jobId.toLowerCase());
    if (!row) throw new ApiError(404, "not_found", `job ${jobId} does not exist`);
    const [deliveries, leftBehind, skipped] = await Promise.all([
      listJobDeliveries(db, row.id),
      listJobIssues(db, row.id, ["left_behind", "held"], ISSUES_LISTED),
      listJobIssues(db, row.id, ["skipped"], ISSUES_LISTED),
    ]);
    return c.json(
      {
        ...presentJob(row),
        deliveries: deliveries.map(presentDelivery),
        leftBehind: leftBehind.map(presentIssue),
        skipped: skipped.map(presentIssue),
      },
      200,
    );
  },
);

jobRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}/jobs",
    summary: "A course's jobs with their reports, newest first (paged)",
    request: { params: CourseIdParamSchema, query: PageQuerySchema },
    responses: {
      200: json(pageOf(JobSchema, "JobPage"), "Jobs, newest first"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
    },
  }),
  async (c) => {
    const { canvasCourseId } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    const before = decodeCursor(cursor, isJobCursor);
    if (cursor && !before) throw new ApiError(400, "invalid_cursor", "cursor is not valid");
    const rows = await listJobs(c.var.db, canvasCourseId, before, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json(
      {
        items: page.map(presentJob),
        nextCursor:
          rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
      },
      200,
    );
  },
);
