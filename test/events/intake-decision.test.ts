import { describe, expect, it } from "vitest";
import { outcomeLabels } from "../../src/events/event-counters";
import { decideIntake } from "../../src/events/intake-decision";
import type { MarkState } from "../../src/events/intake-decision";
import { objectKeyFor } from "../../src/events/map-event";
import type { TargetedWork, WorkScope } from "../../src/events/map-event";

const T1 = "2026-03-01T10:00:00.000Z";
const T2 = "2026-03-01T10:00:05.000Z";

function work(eventTime: string, scope: WorkScope = { kind: "page", pageId: 901 }): TargetedWork {
  return {
    courseId: 42,
    scope,
    eventTime,
    eventName: "wiki_page_updated",
    objectKey: objectKeyFor(42, scope),
  };
}

const mark = (eventTime: string, jobId: string | null, jobPending: boolean): MarkState => ({
  eventTime,
  jobId,
  jobPending,
});

describe("decideIntake", () => {
  it("enqueues the first event for an object", () => {
    expect(decideIntake({ work: work(T1), mark: null, coveringJobId: null })).toEqual({
      action: "enqueue",
      eventTime: T1,
    });
  });

  it("drops a redelivery and an older event, whatever the job's state", () => {
    for (const pending of [true, false]) {
      expect(decideIntake({ work: work(T1), mark: mark(T1, "job-1", pending), coveringJobId: null })).toEqual(
        {
          action: "drop",
          reason: "duplicate",
        },
      );
      expect(
        decideIntake({ work: work(T1), mark: mark(T2, "job-1", pending), coveringJobId: "full-1" }),
      ).toEqual({ action: "drop", reason: "stale" });
    }
  });

  it("attaches a newer event to the object's job while that job has not started", () => {
    expect(decideIntake({ work: work(T2), mark: mark(T1, "job-1", true), coveringJobId: null })).toEqual({
      action: "attach",
      jobId: "job-1",
      eventTime: T2,
    });
  });

  it("enqueues again once the object's job has started (it may have read the object already)", () => {
    expect(decideIntake({ work: work(T2), mark: mark(T1, "job-1", false), coveringJobId: null })).toEqual({
      action: "enqueue",
      eventTime: T2,
    });
    // A mark whose job could not be recorded (null) is no reason to skip work.
    expect(decideIntake({ work: work(T2), mark: mark(T1, null, true), coveringJobId: null })).toEqual({
      action: "enqueue",
      eventTime: T2,
    });
  });

  it("attaches to an unstarted full sync of the course, preferring the object's own pending job", () => {
    expect(decideIntake({ work: work(T1), mark: null, coveringJobId: "full-1" })).toEqual({
      action: "attach",
      jobId: "full-1",
      eventTime: T1,
    });
    expect(decideIntake({ work: work(T2), mark: mark(T1, "job-1", true), coveringJobId: "full-1" })).toEqual({
      action: "attach",
      jobId: "job-1",
      eventTime: T2,
    });
  });
});

describe("outcomeLabels", () => {
  it("writes stable, ordered label strings", () => {
    expect(outcomeLabels({ outcome: "ignored", reason: "course_not_registered" })).toBe(
      "outcome=ignored,reason=course_not_registered",
    );
    expect(outcomeLabels({ outcome: "enqueued", scope: "page" })).toBe("outcome=enqueued,scope=page");
    expect(outcomeLabels({ outcome: "dropped", reason: "stale" })).toBe("outcome=dropped,reason=stale");
  });
});
