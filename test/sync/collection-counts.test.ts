/**
 * A collection's counts come from what is true at its end: this delivery's outcomes win, then what earlier
 * deliveries of the same job recorded on the rows they wrote, then the issues the job recorded; each object once.
 */
import { describe, expect, it } from "vitest";
import { collectionCounts } from "../../src/sync/collection-counts";

describe("collectionCounts", () => {
  it("counts each object once, from the delivery, the rows the job wrote earlier, or its issues", () => {
    const counts = collectionCounts({
      types: ["page"],
      jobId: "job-1",
      outcomes: new Map([
        ["1:page:1", { type: "page", outcome: "unchanged" }],
        ["1:page:2", { type: "page", outcome: "content_modified" }],
        ["1:page:9", { type: "page", outcome: "deleted" }],
      ]),
      stored: [
        // written by an earlier delivery of this job: counted from its row
        { id: "1:page:3", type: "page", lastJobId: "job-1", lastChangeKind: "added" },
        { id: "1:page:4", type: "page", lastJobId: "job-1", lastChangeKind: "deleted" },
        // this delivery's outcome wins over the row
        { id: "1:page:2", type: "page", lastJobId: "job-1", lastChangeKind: "added" },
        // written by another job: not this job's business
        { id: "1:page:5", type: "page", lastJobId: "job-0", lastChangeKind: "added" },
      ],
      issues: [
        { itemId: "1:page:6", type: "page", status: "left_behind" },
        { itemId: "1:page:7", type: "page", status: "skipped" },
        { itemId: "1:page:8", type: "page", status: "held" },
        // handled by this delivery after the issue was recorded: the outcome wins
        { itemId: "1:page:1", type: "page", status: "left_behind" },
      ],
    });
    expect(counts.page).toEqual({
      added: 1,
      updated: { timestamp: 0, content: 0, modified: 1 },
      unchanged: 1,
      deleted: 2,
      replaced: 0,
      restored: 0,
      skipped: 1,
      leftBehind: 1,
      held: 1,
    });
  });

  it("gives every type of the collection counts, even when nothing happened", () => {
    const counts = collectionCounts({
      types: ["module", "module_item"],
      jobId: "j",
      outcomes: new Map(),
      stored: [],
      issues: [],
    });
    expect(Object.keys(counts).sort()).toEqual(["module", "module_item"]);
  });
});
