/** zod schemas of the HTTP contract: request bodies, params, queries and response shapes (also the OpenAPI source). */
import { z } from "@hono/zod-openapi";
import { ITEM_TYPES } from "../detect/item-types";

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().nullable() }),
  })
  .openapi("Error");

export const CourseIdParamSchema = z.object({
  canvasCourseId: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, "canvasCourseId must be a positive integer")
    .transform(Number)
    .openapi({ param: { name: "canvasCourseId", in: "path" }, example: "101" }),
});

export const RegisterCourseSchema = z
  .object({ canvasCourseId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
  .strict()
  .openapi("RegisterCourse");

export const SyncRequestSchema = z
  .object({ mode: z.enum(["incremental", "full"]).default("incremental") })
  .strict()
  .openapi("SyncRequest");

export const PageQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ItemsQuerySchema = PageQuerySchema.extend({
  type: z.enum(ITEM_TYPES).optional(),
  changedSince: z.iso.datetime({ offset: true }).optional(),
  includeDeleted: z.enum(["true", "false"]).optional(),
});

export const CourseSchema = z
  .object({
    canvasCourseId: z.number(),
    name: z.string().nullable(),
    state: z.string(),
    registeredAt: z.string(),
    lastSyncAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    nextSyncAt: z.string().nullable(),
    lagSeconds: z.number().nullable(),
    consecutiveFailures: z.number(),
    lastError: z.string().nullable(),
    lastErrorCategory: z.string().nullable(),
    lastJobId: z.string().nullable(),
  })
  .openapi("Course");

export const JobSchema = z
  .object({
    jobId: z.string(),
    canvasCourseId: z.number(),
    status: z.enum(["queued", "running", "succeeded", "partial", "failed"]),
    type: z.string(),
    trigger: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    attempts: z.number(),
    progress: z.object({ done: z.number(), total: z.number() }),
    counts: z.record(z.string(), z.unknown()),
    report: z.unknown().nullable(),
    error: z.string().nullable(),
    errorCategory: z.string().nullable(),
  })
  .openapi("Job");

export const DeliverySchema = z
  .object({
    startedAt: z.string(),
    endedAt: z.string(),
    canvasRequests: z.number(),
    d1Statements: z.number(),
    subrequests: z.number(),
    outcome: z.enum(["continued", "finished", "retried", "dead-lettered"]),
    /** what ended a continued delivery: wall_time, canvas_requests, d1_statements or subrequests */
    stoppedBy: z.string().nullable(),
  })
  .openapi("Delivery");

export const JobIssueSchema = z
  .object({
    itemId: z.string(),
    type: z.string(),
    canvasId: z.string(),
    status: z.enum(["left_behind", "held", "skipped"]),
    category: z.string(),
    reason: z.string(),
    attempts: z.number(),
    firstSeenAt: z.string(),
  })
  .openapi("JobIssue");

export const JobDetailSchema = JobSchema.extend({
  deliveries: z.array(DeliverySchema),
  /** objects this job could not mirror (retried first by the next sync) or held (missing, not yet confirmed gone) */
  leftBehind: z.array(JobIssueSchema),
  /** objects skipped for a permanent, object-specific reason (forbidden, malformed) */
  skipped: z.array(JobIssueSchema),
}).openapi("JobDetail");

export const ItemSchema = z
  .object({
    id: z.string(),
    type: z.enum(ITEM_TYPES),
    canvasId: z.string(),
    parentId: z.string().nullable(),
    title: z.string().nullable(),
    contentHash: z.string(),
    updatedAt: z.string(),
    canvasUpdatedAt: z.string().nullable(),
    deletedAt: z.string().nullable(),
    version: z.number(),
    data: z.record(z.string(), z.unknown()),
    blobSha256: z.string().nullable(),
    textHash: z.string().nullable(),
    textStatus: z.string().nullable(),
    text: z.string().nullable(),
    replacesId: z.string().nullable(),
    replacedById: z.string().nullable(),
  })
  .openapi("Item");

export const ChangeSchema = z
  .object({
    id: z.number(),
    kind: z.string(),
    jobId: z.string().nullable(),
    at: z.string(),
    fields: z.unknown(),
  })
  .openapi("Change");

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

export const HealthCheckSchema = z
  .object({
    name: z.string(),
    status: z.enum(["healthy", "degraded", "unhealthy"]),
    value: z.number().nullable(),
    degradedAbove: z.number().nullable(),
    unhealthyAbove: z.number().nullable(),
  })
  .openapi("HealthCheck");

export const HealthSchema = z
  .object({
    status: z.enum(["healthy", "degraded", "unhealthy"]),
    checks: z.array(HealthCheckSchema),
    checkedAt: z.string(),
  })
  .openapi("Health");

/** An OpenAPI response (or body) description with a JSON schema. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
