/**
 * The sync pipeline for one course, in order: the objects earlier syncs left behind, then course and syllabus,
 * folders, files, pages, assignments, discussions, announcements, quizzes, modules (or a targeted job's one scope).
 * Each collection is listed, classified, written and checkpointed by processCollection; a delivery whose budget
 * runs out stops at the next safe point ("paused") and the next delivery resumes from the checkpoint, skipping the
 * collections marked done, so the job ends exactly where an uninterrupted run would.
 */
import type { CanvasClient } from "../canvas/client";
import type { FileStore } from "../ports/file-store";
import type { Database } from "../storage/d1/client";
import { loadCourseIssues } from "../storage/d1/sync-issues";
import { COLLECTORS } from "./collectors";
import {
  COLLECTION_ORDER,
  type AlertSink,
  type Checkpoint,
  type SyncConfig,
  type SyncContext,
} from "./context";
import type { DeliveryBudget } from "./delivery-budget";
import { IssueBook } from "./issues";
import { isFetchable } from "./object-fetch";
import { processCollection } from "./process-collection";
import { emptyReport, type JobReport } from "./report";
import { collectorsForScope, leftBehindCollector, type TargetScope } from "./targeted";

export interface SyncJobInput {
  jobId: string;
  courseId: number;
  mode: "incremental" | "full";
  reconcile: boolean;
  checkpoint: Checkpoint | null;
  /** a targeted job refreshes only this scope (Live Events); null runs every collection */
  scope?: TargetScope | null;
}

export interface SyncDeps {
  /** the one D1 handle (drizzle over the invocation's metered binding) */
  db: Database;
  client: CanvasClient;
  files: FileStore;
  config: SyncConfig;
  budget: DeliveryBudget;
  alert: AlertSink;
  now: () => number;
  fileBytes: () => number;
  onProgress: (done: number, total: number, collection: string) => Promise<void>;
}

/**
 * How a delivery of the job ended: `finished` (with `holes` true when objects were left behind or held, or a listing
 * could not be completed: the job is then `partial`) or `paused` (the budget ran out; the checkpoint is committed).
 */
export type SyncJobResult =
  | { status: "finished"; report: JobReport; holes: boolean }
  | { status: "paused"; report: JobReport };

export function freshCheckpoint(): Checkpoint {
  return { v: 2, done: [], current: null, report: emptyReport() };
}

export async function runSyncJob(deps: SyncDeps, input: SyncJobInput): Promise<SyncJobResult> {
  const checkpoint = input.checkpoint ?? freshCheckpoint();
  const report = checkpoint.report;
  const started = deps.now();
  const base = {
    requests: report.canvasRequests,
    throttled: report.throttled,
    retries: report.retries,
    apiBytes: report.apiBytes,
    fileBytes: report.bytesDownloaded,
    durationMs: report.durationMs,
  };
  const stats = deps.client.stats;
  const issues = new IssueBook(
    input.courseId,
    input.jobId,
    await loadCourseIssues(deps.db, input.courseId),
    deps.now,
  );
  const ctx: SyncContext = {
    courseId: input.courseId,
    jobId: input.jobId,
    mode: input.mode,
    reconcile: input.reconcile,
    client: deps.client,
    db: deps.db,
    files: deps.files,
    config: deps.config,
    now: deps.now,
    checkpoint,
    issues,
    budget: deps.budget,
    alert: deps.alert,
    onProgress: deps.onProgress,
    beforeCommit: () => {
      report.canvasRequests = base.requests + stats.requests;
      report.throttled = base.throttled + stats.throttled;
      report.retries = base.retries + stats.retries;
      report.apiBytes = base.apiBytes + stats.bytes;
      report.bytesDownloaded = base.fileBytes + deps.fileBytes();
      report.durationMs = base.durationMs + (deps.now() - started);
    },
  };
  const scoped =
    input.scope && input.scope.kind !== "full_reconcile"
      ? collectorsForScope(input.scope)
      : COLLECTION_ORDER.map((name) => COLLECTORS[name]);
  const leftBehind = issues.leftBehind().filter((issue) => isFetchable(issue.type));
  const collectors = leftBehind.length > 0 ? [leftBehindCollector(leftBehind), ...scoped] : scoped;
  for (const collector of collectors) {
    if (checkpoint.done.includes(collector.name)) continue;
    if ((await processCollection(ctx, collector)) === "paused") {
      ctx.beforeCommit();
      return { status: "paused", report };
    }
  }
  ctx.beforeCommit();
  return { status: "finished", report, holes: issues.jobLeavesHoles() || report.incomplete.length > 0 };
}
