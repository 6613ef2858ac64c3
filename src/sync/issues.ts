/**
 * The issue book of one sync delivery: the course's open issues as the job found them (objects left behind by a
 * transient failure, held after a mass disappearance, skipped for a permanent reason), plus what this delivery
 * learns. Changes are flushed with each commit, so an issue appears or goes away in the same atomic batch as the
 * rows of the objects concerned. The book also answers the questions a job's outcome depends on.
 */
import { isItemType, type ItemType } from "../detect/item-types";
import type { IssueChanges } from "../storage/d1/delivery-commit";
import {
  isIssueStatus,
  type IssueRecord,
  type IssueStatus,
  type IssueWrite,
} from "../storage/d1/sync-issues";

export interface IssueInput {
  type: ItemType;
  canvasId: string;
  status: IssueStatus;
  category: string;
  reason: string;
  canvasUpdatedAt: string | null;
  parentId: string | null;
}

export interface OpenIssue extends IssueInput {
  itemId: string;
  jobId: string;
}

export class IssueBook {
  private readonly open = new Map<string, OpenIssue>();
  private readonly pendingWrites = new Map<string, IssueWrite>();
  private readonly pendingDeletes = new Set<string>();

  constructor(
    private readonly courseId: number,
    private readonly jobId: string,
    records: readonly IssueRecord[],
    private readonly now: () => number,
  ) {
    for (const record of records) {
      const { type, status } = record;
      if (!isItemType(type) || !isIssueStatus(status)) continue;
      this.open.set(record.itemId, {
        itemId: record.itemId,
        type,
        canvasId: record.canvasId,
        status,
        category: record.category,
        reason: record.reason,
        canvasUpdatedAt: record.canvasUpdatedAt,
        parentId: record.parentId,
        jobId: record.jobId,
      });
    }
  }

  get(itemId: string): OpenIssue | undefined {
    return this.open.get(itemId);
  }

  /** Objects that a transient failure left behind: every job retries them first. */
  leftBehind(): OpenIssue[] {
    return [...this.open.values()].filter((issue) => issue.status === "left_behind");
  }

  /** Records (or refreshes) a problem with an object, attributed to this job. */
  record(itemId: string, input: IssueInput): void {
    const issue: OpenIssue = { ...input, itemId, jobId: this.jobId };
    this.open.set(itemId, issue);
    this.pendingDeletes.delete(itemId);
    this.pendingWrites.set(itemId, {
      courseId: this.courseId,
      itemId,
      type: input.type,
      canvasId: input.canvasId,
      status: input.status,
      category: input.category,
      reason: input.reason.slice(0, 500),
      jobId: this.jobId,
      canvasUpdatedAt: input.canvasUpdatedAt,
      parentId: input.parentId,
      at: this.now(),
    });
  }

  /** The object is mirrored now (or confirmed gone): its issue, if any, goes away. */
  resolve(itemId: string): void {
    if (!this.open.has(itemId)) return;
    this.open.delete(itemId);
    this.pendingWrites.delete(itemId);
    this.pendingDeletes.add(itemId);
  }

  /** True when something changed since the last flush (the next commit has issue statements to write). */
  get dirty(): boolean {
    return this.pendingWrites.size + this.pendingDeletes.size > 0;
  }

  /** What changed since the last flush (for the next commit's batch); the book then starts afresh. */
  flush(): IssueChanges {
    const changes: IssueChanges = {
      courseId: this.courseId,
      writes: [...this.pendingWrites.values()],
      resolved: [...this.pendingDeletes],
    };
    this.pendingWrites.clear();
    this.pendingDeletes.clear();
    return changes;
  }

  /** Issues this job met, of some types (for the report's counts). */
  ofJob(types: readonly ItemType[]): OpenIssue[] {
    return [...this.open.values()].filter(
      (issue) => issue.jobId === this.jobId && types.includes(issue.type),
    );
  }

  /** True when this job leaves something behind or held: it cannot claim an exact mirror. */
  jobLeavesHoles(): boolean {
    for (const issue of this.open.values()) {
      if (issue.jobId === this.jobId && issue.status !== "skipped") return true;
    }
    return false;
  }

  /** The oldest listed time among files not yet stored: the files watermark must not pass it. */
  oldestUnstoredFile(): string | null {
    let oldest: string | null = null;
    for (const issue of this.open.values()) {
      if (issue.type !== "file" || issue.status === "skipped" || issue.canvasUpdatedAt === null) continue;
      if (oldest === null || Date.parse(issue.canvasUpdatedAt) < Date.parse(oldest))
        oldest = issue.canvasUpdatedAt;
    }
    return oldest;
  }
}
