/** Maps stored rows to the JSON shapes of the API and the MCP tools (ISO timestamps, parsed JSON, no internal columns). */
import { z } from "zod";
import { ITEM_TYPES } from "../detect/item-types";
import { parseJsonOrNull } from "../shared/parse-json";
import type { DeliveryRecord } from "../storage/d1/job-deliveries";
import type { CourseRecord, ItemRecord, JobRecord } from "../storage/d1/queries";
import type { IssueRecord } from "../storage/d1/sync-issues";

// Stored values are written by this worker; a value outside these sets is corruption and fails loudly.
const JobStatusSchema = z.enum(["queued", "running", "succeeded", "partial", "failed"]);
const DeliveryOutcomeSchema = z.enum(["continued", "finished", "retried", "dead-lettered"]);
const IssueStatusSchema = z.enum(["left_behind", "held", "skipped"]);
const ItemTypeSchema = z.enum(ITEM_TYPES);

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function presentCourse(row: CourseRecord, now: number) {
  return {
    canvasCourseId: row.canvasCourseId,
    name: row.name,
    state: row.state,
    registeredAt: new Date(row.registeredAt).toISOString(),
    lastSyncAt: iso(row.lastSyncAt),
    lastSuccessAt: iso(row.lastSuccessAt),
    nextSyncAt: iso(row.nextSyncAt),
    lagSeconds: row.lastSuccessAt === null ? null : Math.round((now - row.lastSuccessAt) / 1000),
    consecutiveFailures: row.consecutiveFailures,
    lastError: row.lastError,
    lastErrorCategory: row.lastErrorCategory,
    lastJobId: row.lastJobId,
  };
}

function parseJson(text: string | null): unknown {
  return text === null ? null : parseJsonOrNull(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The final report, else the report carried in the checkpoint of a job still running (or failed mid-way). */
function liveReport(row: JobRecord): Record<string, unknown> | null {
  const report = parseJson(row.report);
  if (isRecord(report)) return report;
  const checkpoint = parseJson(row.checkpoint);
  return isRecord(checkpoint) && isRecord(checkpoint["report"]) ? checkpoint["report"] : null;
}

export function presentJob(row: JobRecord) {
  const live = liveReport(row);
  const types = live?.["types"];
  return {
    jobId: row.id,
    canvasCourseId: row.courseId,
    status: JobStatusSchema.parse(row.status),
    type: row.mode,
    trigger: row.trigger,
    createdAt: new Date(row.createdAt).toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.startedAt !== null && row.finishedAt !== null ? row.finishedAt - row.startedAt : null,
    attempts: row.attempts,
    progress: { done: row.progressDone, total: row.progressTotal },
    counts: asRecord(types),
    report: live,
    error: row.error,
    errorCategory: row.errorCategory,
  };
}

export function presentItem(row: ItemRecord) {
  return {
    id: row.id,
    type: ItemTypeSchema.parse(row.type),
    canvasId: row.canvasId,
    parentId: row.parentId,
    title: row.title,
    contentHash: row.contentHash,
    updatedAt: new Date(row.changedAt).toISOString(),
    canvasUpdatedAt: row.canvasUpdatedAt,
    deletedAt: iso(row.deletedAt),
    version: row.version,
    data: asRecord(parseJson(row.data)),
    blobSha256: row.blobSha256,
    textHash: row.textHash,
    textStatus: row.textStatus,
    text: row.text,
    replacesId: row.replacesId,
    replacedById: row.replacedById,
  };
}

export function presentDelivery(row: DeliveryRecord) {
  return {
    startedAt: new Date(row.startedAt).toISOString(),
    endedAt: new Date(row.endedAt).toISOString(),
    canvasRequests: row.canvasRequests,
    d1Statements: row.d1Statements,
    subrequests: row.subrequests,
    outcome: DeliveryOutcomeSchema.parse(row.outcome),
    stoppedBy: row.stoppedBy,
  };
}

export function presentIssue(row: IssueRecord) {
  return {
    itemId: row.itemId,
    type: row.type,
    canvasId: row.canvasId,
    status: IssueStatusSchema.parse(row.status),
    category: row.category,
    reason: row.reason,
    attempts: row.attempts,
    firstSeenAt: new Date(row.firstAt).toISOString(),
  };
}
