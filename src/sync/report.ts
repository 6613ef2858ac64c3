/**
 * The job report: what a sync observed and what it cost. It is carried in the job checkpoint so that a job resumed
 * after a crash or redelivery ends with the same report an uninterrupted run would have produced.
 */
import type { ChangeKind } from "../detect/classify";
import type { ItemType } from "../detect/item-types";

export interface TypeCounts {
  added: number;
  updated: { timestamp: number; content: number; modified: number };
  unchanged: number;
  deleted: number;
  replaced: number;
  restored: number;
  /** permanent, object-specific: forbidden, malformed (listed in sync_issues) */
  skipped: number;
  /** a transient failure outlasted the job's retries: retried first by the next sync */
  leftBehind: number;
  /** missing from a listing that lost too much at once: kept until Canvas confirms */
  held: number;
}

export interface JobReport {
  types: Partial<Record<ItemType, TypeCounts>>;
  canvasRequests: number;
  listRequests: number;
  throttled: number;
  retries: number;
  /** file content bytes downloaded from Canvas's storage hosts */
  bytesDownloaded: number;
  /** JSON bytes read from the Canvas API */
  apiBytes: number;
  d1RowsWritten: number;
  itemRowsWritten: number;
  r2Writes: number;
  dedup: { blobHits: number; textHits: number; nearDuplicates: number };
  errors: { category: string; count: number; samples: string[] }[];
  /** collections whose listing could not be completed (nothing was deleted from them), with why */
  incomplete: { collection: string; reason: string }[];
  /** collections skipped on purpose (their API answered that this course or token has none), with why */
  skippedCollections: { collection: string; reason: string }[];
  durationMs: number;
}

export function emptyReport(): JobReport {
  return {
    types: {},
    canvasRequests: 0,
    listRequests: 0,
    throttled: 0,
    retries: 0,
    bytesDownloaded: 0,
    apiBytes: 0,
    d1RowsWritten: 0,
    itemRowsWritten: 0,
    r2Writes: 0,
    dedup: { blobHits: 0, textHits: 0, nearDuplicates: 0 },
    errors: [],
    incomplete: [],
    skippedCollections: [],
    durationMs: 0,
  };
}

export function countsFor(report: JobReport, type: ItemType): TypeCounts {
  const existing = report.types[type];
  if (existing) return existing;
  const created = emptyCounts();
  report.types[type] = created;
  return created;
}

/** Every way an object can end a sync, as counted in the report. */
export type Outcome = ChangeKind | "deleted" | "replaced" | "skipped" | "left_behind" | "held";

export function emptyCounts(): TypeCounts {
  return {
    added: 0,
    updated: { timestamp: 0, content: 0, modified: 0 },
    unchanged: 0,
    deleted: 0,
    replaced: 0,
    restored: 0,
    skipped: 0,
    leftBehind: 0,
    held: 0,
  };
}

export function addOutcome(counts: TypeCounts, outcome: Outcome): void {
  switch (outcome) {
    case "deleted":
      counts.deleted++;
      return;
    case "replaced":
      counts.replaced++;
      return;
    case "skipped":
      counts.skipped++;
      return;
    case "left_behind":
      counts.leftBehind++;
      return;
    case "held":
      counts.held++;
      return;
    default:
      addClassification(counts, outcome);
  }
}

export function recordClassification(report: JobReport, type: ItemType, kind: ChangeKind): void {
  addClassification(countsFor(report, type), kind);
}

function addClassification(counts: TypeCounts, kind: ChangeKind): void {
  switch (kind) {
    case "added":
      counts.added++;
      break;
    case "unchanged":
      counts.unchanged++;
      break;
    case "timestamp_updated":
      counts.updated.timestamp++;
      break;
    case "content_updated":
      counts.updated.content++;
      break;
    case "content_modified":
      counts.updated.modified++;
      break;
    case "restored":
      counts.restored++;
      break;
  }
}

const MAX_SAMPLES = 5;

/** Records an error by category, keeping a few token-free samples. */
export function recordError(report: JobReport, category: string, message: string): void {
  let entry = report.errors.find((candidate) => candidate.category === category);
  if (!entry) {
    entry = { category, count: 0, samples: [] };
    report.errors.push(entry);
  }
  entry.count++;
  if (entry.samples.length < MAX_SAMPLES) entry.samples.push(message.slice(0, 300));
}

/** Totals over all types, for the jobs API and metrics. */
export function totals(report: JobReport): { changed: number; unchanged: number; processed: number } {
  let changed = 0;
  let unchanged = 0;
  for (const counts of Object.values(report.types)) {
    changed +=
      counts.added +
      counts.updated.content +
      counts.updated.modified +
      counts.updated.timestamp +
      counts.deleted +
      counts.restored;
    unchanged += counts.unchanged;
  }
  return { changed, unchanged, processed: changed + unchanged };
}
