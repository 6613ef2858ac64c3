/** Maps stored rows to the API's JSON shapes (ISO timestamps, parsed JSON, no internal columns). */
import type { CourseRecord, ItemRecord, JobRecord } from "../storage/d1/queries";
import type { ItemType } from "../detect/item-types";
import type { JobReport } from "../sync/report";

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
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function presentJob(row: JobRecord) {
  const report = parseJson(row.report) as JobReport | null;
  const checkpoint = parseJson(row.checkpoint) as { report?: JobReport } | null;
  const live = report ?? checkpoint?.report ?? null;
  return {
    jobId: row.id,
    canvasCourseId: row.courseId,
    status: row.status as "queued" | "running" | "succeeded" | "failed",
    type: row.mode,
    trigger: row.trigger,
    createdAt: new Date(row.createdAt).toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.startedAt !== null && row.finishedAt !== null ? row.finishedAt - row.startedAt : null,
    attempts: row.attempts,
    progress: { done: row.progressDone, total: row.progressTotal },
    counts: Object.fromEntries(Object.entries(live?.types ?? {})) as Record<string, unknown>,
    report: live as unknown,
    error: row.error,
    errorCategory: row.errorCategory,
  };
}

export function presentItem(row: ItemRecord) {
  return {
    id: row.id,
    type: row.type as ItemType,
    canvasId: row.canvasId,
    parentId: row.parentId,
    title: row.title,
    contentHash: row.contentHash,
    updatedAt: new Date(row.changedAt).toISOString(),
    canvasUpdatedAt: row.canvasUpdatedAt,
    deletedAt: iso(row.deletedAt),
    version: row.version,
    data: (parseJson(row.data) as Record<string, unknown> | null) ?? {},
    blobSha256: row.blobSha256,
    textHash: row.textHash,
    textStatus: row.textStatus,
    text: row.text,
    replacesId: row.replacesId,
    replacedById: row.replacedById,
  };
}
