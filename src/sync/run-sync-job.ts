/**
 * The sync pipeline for one course, in order: course and syllabus, folders, files, pages, assignments, discussions,
 * announcements, quizzes, modules. Each collection is listed, classified, written and checkpointed by
 * processCollection; a resumed job skips the collections its checkpoint marks done and carries on with the report
 * it had, so it ends exactly where an uninterrupted run would.
 */
import type { CanvasClient } from "../canvas/client";
import type { Database } from "../storage/d1/client";
import { COLLECTORS } from "./collectors";
import {
  COLLECTION_ORDER,
  type Checkpoint,
  type FileStore,
  type SyncConfig,
  type SyncContext,
} from "./context";
import { processCollection } from "./process-collection";
import { collectorsForScope, type TargetScope } from "./targeted";
import { emptyReport, type JobReport } from "./report";

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
  db: D1Database;
  orm: Database;
  client: CanvasClient;
  files: FileStore;
  config: SyncConfig;
  now: () => number;
  fileBytes: () => number;
  onProgress: (done: number, total: number, collection: string) => Promise<void>;
}

export function freshCheckpoint(): Checkpoint {
  return { v: 1, done: [], current: null, report: emptyReport() };
}

export async function runSyncJob(deps: SyncDeps, input: SyncJobInput): Promise<JobReport> {
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
  const collectors =
    input.scope && input.scope.kind !== "full_reconcile"
      ? collectorsForScope(input.scope)
      : COLLECTION_ORDER.map((name) => COLLECTORS[name]);
  for (const collector of collectors) {
    if (checkpoint.done.includes(collector.name)) continue;
    await processCollection(ctx, deps.orm, collector);
  }
  ctx.beforeCommit();
  return report;
}
