/**
 * What one sync job works with: the Canvas client, storage bindings, configuration, the running report and the
 * checkpoint. Built once per job by the queue consumer from the bindings it was given.
 */
import type { CanvasClient } from "../canvas/client";
import type { ItemType } from "../detect/item-types";
import type { JobReport } from "./report";

export type CollectionName =
  | "course"
  | "folders"
  | "files"
  | "pages"
  | "assignments"
  | "discussion_topics"
  | "announcements"
  | "quizzes"
  | "modules";

export const COLLECTION_ORDER: readonly CollectionName[] = [
  "course",
  "folders",
  "files",
  "pages",
  "assignments",
  "discussion_topics",
  "announcements",
  "quizzes",
  "modules",
];

export interface Checkpoint {
  v: 1;
  /** collections finished in this job (their rows and watermarks are committed) */
  done: CollectionName[];
  /** the collection in progress and the item keys already accounted for in the report */
  current: { collection: CollectionName; accounted: string[] } | null;
  report: JobReport;
}

export interface SyncConfig {
  batchSize: number;
  concurrency: number;
  commitEveryBatches: number;
  filesLookbackMs: number;
  /** inline extracted text up to this many characters in D1; larger goes to R2 */
  inlineTextChars: number;
  allowedFileHosts: string[];
  downloadTimeoutMs: number;
  multipartThresholdBytes: number;
}

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  batchSize: 50,
  concurrency: 6,
  commitEveryBatches: 5,
  filesLookbackMs: 10 * 60_000,
  inlineTextChars: 32_000,
  allowedFileHosts: [],
  downloadTimeoutMs: 120_000,
  multipartThresholdBytes: 100 * 1024 * 1024,
};

/** Storage-side effects for file bytes (implemented over R2 + D1 blobs). */
export interface FileStore {
  /**
   * Downloads a Canvas file and stores its bytes content-addressed; returns its SHA-256. `isNew` is false when the
   * same bytes were already stored (a dedup hit: nothing new is kept).
   */
  storeFile(input: {
    courseId: number;
    fileId: number;
    url: string;
    size: number | null;
    contentType: string | null;
    version: string;
  }): Promise<{ sha256: string; size: number; r2Key: string; isNew: boolean; contentType: string | null }>;
  /** Stores a large extracted text and returns its key. */
  storeText(textHash: string, text: string): Promise<string>;
}

export interface SyncContext {
  courseId: number;
  jobId: string;
  mode: "incremental" | "full";
  /** true when this run must prove deletions from complete listings of every collection (full or reconcile) */
  reconcile: boolean;
  client: CanvasClient;
  db: D1Database;
  files: FileStore;
  config: SyncConfig;
  now: () => number;
  checkpoint: Checkpoint;
  /** called after each commit so the course's Durable Object can show live progress */
  onProgress: (done: number, total: number, collection: CollectionName) => Promise<void>;
  /** copies request counters into the report so every checkpoint carries them */
  beforeCommit: () => void;
}

export interface ListedEntry {
  type: ItemType;
  canvasId: string;
  parentId: string | null;
}

export type TypeSet = readonly ItemType[];
