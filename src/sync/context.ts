/**
 * What one sync delivery works with: the Canvas client, storage bindings, configuration, the running report, the
 * job checkpoint, the objects earlier syncs could not mirror (issues), and the delivery's budget. Built once per
 * delivery by the queue consumer from the bindings it was given.
 */
import type { CanvasClient } from "../canvas/client";
import type { ItemType } from "../detect/item-types";
import type { FileStore } from "../ports/file-store";
import type { Database } from "../storage/d1/client";
import type { DeliveryBudget } from "./delivery-budget";
import type { IssueBook } from "./issues";
import type { JobReport } from "./report";

export type CollectionName =
  | "left_behind"
  | "course"
  | "folders"
  | "files"
  | "pages"
  | "assignments"
  | "discussion_topics"
  | "announcements"
  | "quizzes"
  | "new_quizzes"
  | "modules";

/** The collections Canvas lists (every name but the retry of what earlier syncs left behind). */
export type ListedCollection = Exclude<CollectionName, "left_behind">;

/** The collections of a full or incremental job, in order (after the objects earlier syncs left behind). */
export const COLLECTION_ORDER: readonly ListedCollection[] = [
  "course",
  "folders",
  "files",
  "pages",
  "assignments",
  "discussion_topics",
  "announcements",
  "quizzes",
  "new_quizzes",
  "modules",
];

/**
 * Where a job stands between deliveries. It carries no list of processed objects: an object a job already wrote
 * carries the job's id in its row (items.last_job_id), so a later delivery skips it and counts it from there.
 */
export interface Checkpoint {
  v: 2;
  /** collections finished in this job (their rows and watermarks are committed); "left_behind" comes first */
  done: CollectionName[];
  /** the collection a paused or crashed delivery was in (informational) */
  current: CollectionName | null;
  report: JobReport;
}

export interface SyncConfig {
  batchSize: number;
  concurrency: number;
  commitEveryBatches: number;
  filesLookbackMs: number;
  /** inline extracted text up to this many characters in D1; larger goes to R2 */
  inlineTextChars: number;
  /** a projection whose JSON is larger than this (UTF-8 bytes) is kept whole in R2, its row in D1 without the text */
  inlineDataBytes: number;
  allowedFileHosts: string[];
  downloadTimeoutMs: number;
  multipartThresholdBytes: number;
  /** a complete listing that misses more than this many live objects AND this share of them deletes nothing yet */
  massDisappearance: { minCount: number; minShare: number; probes: number };
}

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  batchSize: 50,
  concurrency: 6,
  commitEveryBatches: 5,
  filesLookbackMs: 10 * 60_000,
  inlineTextChars: 32_000,
  inlineDataBytes: 256 * 1024,
  allowedFileHosts: [],
  downloadTimeoutMs: 120_000,
  multipartThresholdBytes: 100 * 1024 * 1024,
  massDisappearance: { minCount: 10, minShare: 0.2, probes: 3 },
};

/** A problem worth an operator's attention (a mass disappearance): POSTed to ALERT_WEBHOOK_URL when configured. */
export type AlertSink = (alert: {
  kind: string;
  message: string;
  details: Record<string, unknown>;
}) => Promise<void>;

export interface SyncContext {
  courseId: number;
  jobId: string;
  mode: "incremental" | "full";
  /** true when this run must prove deletions from complete listings of every collection (full or reconcile) */
  reconcile: boolean;
  client: CanvasClient;
  /** the one D1 handle (drizzle over the invocation's metered binding) */
  db: Database;
  files: FileStore;
  config: SyncConfig;
  now: () => number;
  checkpoint: Checkpoint;
  /** what earlier syncs could not mirror, and what this delivery changes about it */
  issues: IssueBook;
  budget: DeliveryBudget;
  alert: AlertSink;
  /** called after each commit so the course's Durable Object can show live progress */
  onProgress: (done: number, total: number, collection: CollectionName) => Promise<void>;
  /** copies request counters into the report so every checkpoint carries them */
  beforeCommit: () => void;
}

export type TypeSet = readonly ItemType[];
