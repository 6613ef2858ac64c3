/** The Analytics Engine data point of a finished job: layout, values from the report, and the unbound case. */
import { describe, expect, it, vi } from "vitest";
import {
  ANALYTICS_BLOBS,
  ANALYTICS_DOUBLES,
  jobDataPoint,
  writeJobAnalytics,
  type FinishedJob,
} from "../../src/observability/analytics";
import { reportWith } from "./seed-rows";

const job: FinishedJob = {
  jobId: "job-1",
  courseId: 42,
  status: "failed",
  mode: "incremental",
  trigger: "cron",
  errorCategory: "timeout",
  durationMs: 1234,
  report: reportWith({
    added: { page: 2 },
    contentUpdated: { file: 1 },
    unchanged: { page: 7 },
    canvasRequests: 19,
    throttled: 3,
    retries: 4,
    bytesDownloaded: 5000,
    blobHits: 2,
    textHits: 1,
    errors: [
      { category: "content", count: 2 },
      { category: "permission", count: 1 },
    ],
  }),
};

describe("jobDataPoint", () => {
  it("puts named values at their documented positions", () => {
    const point = jobDataPoint(job);
    const doubles = Object.fromEntries(
      ANALYTICS_DOUBLES.map((name, index) => [name, point.doubles?.[index]]),
    );
    const blobs = Object.fromEntries(ANALYTICS_BLOBS.map((name, index) => [name, point.blobs?.[index]]));
    expect(point.indexes).toEqual(["42"]);
    expect(blobs).toEqual({
      status: "failed",
      mode: "incremental",
      trigger: "cron",
      error_category: "timeout",
      job_id: "job-1",
    });
    expect(doubles).toMatchObject({
      duration_ms: 1234,
      canvas_requests: 19,
      throttled: 3,
      request_retries: 4,
      file_bytes: 5000,
      changed: 3,
      unchanged: 7,
      blob_hits: 2,
      text_hits: 1,
      item_errors: 3,
    });
    // Analytics Engine limits: at most 20 blobs and 20 doubles.
    expect(point.blobs?.length).toBeLessThanOrEqual(20);
    expect(point.doubles?.length).toBeLessThanOrEqual(20);
  });

  it("writes zeros when a job has no report", () => {
    const point = jobDataPoint({ ...job, report: null, errorCategory: null });
    expect(point.doubles?.slice(1).every((value) => value === 0)).toBe(true);
    expect(point.blobs?.[3]).toBe("");
  });
});

describe("writeJobAnalytics", () => {
  it("writes one point when bound, nothing when not, and swallows a failing dataset", () => {
    const writeDataPoint = vi.fn<(point?: AnalyticsEngineDataPoint) => void>();
    expect(writeJobAnalytics({ writeDataPoint }, job)).toBe(true);
    expect(writeDataPoint).toHaveBeenCalledExactlyOnceWith(jobDataPoint(job));
    expect(writeJobAnalytics(undefined, job)).toBe(false);
    const failing = {
      writeDataPoint: () => {
        throw new Error("limit exceeded");
      },
    };
    expect(writeJobAnalytics(failing, job)).toBe(false);
  });
});
