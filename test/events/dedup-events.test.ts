import { describe, expect, it } from "vitest";
import { coalesceWork, shouldProcess } from "../../src/events/dedup-events";
import type { LastSeen } from "../../src/events/dedup-events";
import type { TargetedWork, WorkScope } from "../../src/events/map-event";
import { objectKeyFor } from "../../src/events/map-event";

const KEY = "course:42:page:901";

function work(courseId: number, scope: WorkScope, eventTime: string, eventName = "x"): TargetedWork {
  return { courseId, scope, eventTime, eventName, objectKey: objectKeyFor(courseId, scope) };
}

/** Feeds events through shouldProcess with an in-memory LastSeen store, like the route will. */
function replay(events: Array<{ key: string; time: string }>): string[] {
  const store = new Map<string, LastSeen>();
  const processed: string[] = [];
  for (const { key, time } of events) {
    const decision = shouldProcess(key, time, store.get(key));
    if (decision.process) {
      store.set(decision.record.objectKey, { eventTime: decision.record.eventTime });
      processed.push(`${key}@${time}`);
    }
  }
  return processed;
}

describe("shouldProcess", () => {
  it("processes the first event for an object", () => {
    expect(shouldProcess(KEY, "2026-03-01T10:00:00.000Z", undefined)).toEqual({
      process: true,
      record: { objectKey: KEY, eventTime: "2026-03-01T10:00:00.000Z" },
      supersedes: false,
    });
  });

  it("drops a redelivery with the same event time", () => {
    const last = { eventTime: "2026-03-01T10:00:00.000Z" };
    expect(shouldProcess(KEY, "2026-03-01T10:00:00.000Z", last)).toEqual({
      process: false,
      reason: "duplicate",
    });
  });

  it("drops an older event that arrives late, and lets a newer one supersede", () => {
    const last = { eventTime: "2026-03-01T10:00:00.000Z" };
    expect(shouldProcess(KEY, "2026-03-01T09:59:59.999Z", last)).toEqual({ process: false, reason: "stale" });
    expect(shouldProcess(KEY, "2026-03-01T10:00:00.001Z", last)).toMatchObject({
      process: true,
      supersedes: true,
    });
  });

  it("compares instants, not strings", () => {
    // Same instant written with an offset: a duplicate, though the strings differ.
    const last = { eventTime: "2026-03-01T10:00:00.000Z" };
    expect(shouldProcess(KEY, "2026-03-01T11:00:00.000+01:00", last)).toMatchObject({ reason: "duplicate" });
  });

  it("processes when the stored time is unreadable, and never stores an unreadable time over a good one", () => {
    expect(shouldProcess(KEY, "2026-03-01T10:00:00.000Z", { eventTime: "garbage" })).toMatchObject({
      process: true,
    });
    const decision = shouldProcess(KEY, "garbage", { eventTime: "2026-03-01T10:00:00.000Z" });
    expect(decision).toMatchObject({ process: true, record: { eventTime: "2026-03-01T10:00:00.000Z" } });
  });

  it("turns duplicated, reordered deliveries into one piece of work per change, never a regression", () => {
    const t1 = "2026-03-01T10:00:01.000Z";
    const t2 = "2026-03-01T10:00:02.000Z";
    const t3 = "2026-03-01T10:00:03.000Z";
    const other = "course:42:page:902";
    const processed = replay([
      { key: KEY, time: t2 },
      { key: KEY, time: t1 }, // late, older: the t2 work already read the newer state
      { key: KEY, time: t2 }, // Canvas retry of the same delivery
      { key: other, time: t1 }, // another object is independent
      { key: KEY, time: t3 },
      { key: KEY, time: t3 },
    ]);
    expect(processed).toEqual([`${KEY}@${t2}`, `${other}@${t1}`, `${KEY}@${t3}`]);
  });
});

describe("coalesceWork", () => {
  it("keeps only the newest work per object, in first-seen order", () => {
    const batch = [
      work(42, { kind: "page", pageId: 1 }, "2026-03-01T10:00:01.000Z", "wiki_page_updated"),
      work(42, { kind: "modules" }, "2026-03-01T10:00:01.000Z"),
      work(42, { kind: "page", pageId: 1 }, "2026-03-01T10:00:03.000Z", "wiki_page_deleted"),
      work(42, { kind: "page", pageId: 1 }, "2026-03-01T10:00:02.000Z", "wiki_page_updated"),
    ];
    const result = coalesceWork(batch);
    expect(result.map((w) => `${w.objectKey}:${w.eventName}`)).toEqual([
      "course:42:page:1:wiki_page_deleted",
      "course:42:modules:x",
    ]);
  });

  it("lets a full reconciliation subsume the rest of that course's work only", () => {
    const batch = [
      work(42, { kind: "page", pageId: 1 }, "2026-03-01T10:00:05.000Z"),
      work(43, { kind: "file", fileId: 9 }, "2026-03-01T10:00:01.000Z"),
      work(42, { kind: "full_reconcile" }, "2026-03-01T10:00:02.000Z"),
      work(42, { kind: "quiz", id: 3 }, "2026-03-01T10:00:06.000Z"),
    ];
    expect(coalesceWork(batch).map((w) => w.objectKey)).toEqual([
      "course:43:file:9",
      "course:42:full_reconcile",
    ]);
  });
});
