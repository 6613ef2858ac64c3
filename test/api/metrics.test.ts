/**
 * GET /metrics: who may read it, and that every family reports what the stored jobs, courses and dead letters say.
 * Seeded rows give exact expectations; a real sync against the simulator checks the numbers against Canvas truth.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app";
import { tokenFingerprint } from "../../src/canvas/token-fingerprint";
import { DURATION_BUCKETS_SECONDS } from "../../src/observability/metric-families";
import { api, API_TOKEN, CANVAS_TOKEN, startSimulator, syncNow } from "../support/harness";
import { parseExposition, seriesKey, valueOf, type Exposition } from "../support/exposition-parser";
import { reportWith, seedCourse, seedJob } from "../support/seed-rows";

const METRICS_TOKEN = "metrics-token-abcdefghijklmnop";
/** The test bindings with the secrets the worker sees, typed as the worker's Env. */
const workerEnv: Env = { ...env, CANVAS_TOKEN, API_TOKEN };

async function fetchWith(environment: Env, path: string, token: string | null): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = token === null ? {} : { authorization: `Bearer ${token}` };
  const response = await createApp().fetch(
    new Request(`https://sync.test${path}`, { headers }),
    environment,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

async function scrape(): Promise<Exposition> {
  const response = await api("/metrics");
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

/** Durations of the seeded succeeded jobs, in seconds. */
const SUCCEEDED_SECONDS = [3, 700, 0.5];

/** Counter increase between two scrapes (storage is shared by the tests of a file). */
function increase(before: Exposition, after: Exposition) {
  return (name: string, labels: Record<string, string> = {}) =>
    valueOf(after, name, labels) - (before.get(seriesKey(name, labels)) ?? 0);
}

describe("GET /metrics access", () => {
  it("answers the API token with the Prometheus text format and refuses missing or wrong tokens", async () => {
    const ok = await api("/metrics");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await ok.text();
    expect(text).toContain("# TYPE canvas_sync_job_duration_seconds histogram");

    for (const token of [null, "wrong-token-0123456789", `${API_TOKEN}x`, API_TOKEN.slice(0, -1)]) {
      const denied = await fetchWith(workerEnv, "/metrics", token);
      expect({ token, status: denied.status }).toEqual({ token, status: 401 });
      const body = await denied.json<{ error: { code: string } }>();
      expect(body.error.code).toBe("unauthorized");
    }
  });

  it("also accepts METRICS_TOKEN when configured, which opens nothing else", async () => {
    const withMetricsToken: Env = { ...workerEnv, METRICS_TOKEN };
    expect((await fetchWith(withMetricsToken, "/metrics", METRICS_TOKEN)).status).toBe(200);
    expect((await fetchWith(withMetricsToken, "/metrics", API_TOKEN)).status).toBe(200);
    expect((await fetchWith(withMetricsToken, "/api/courses", METRICS_TOKEN)).status).toBe(401);
    // Without METRICS_TOKEN configured, that value is just a wrong token.
    expect((await fetchWith(workerEnv, "/metrics", METRICS_TOKEN)).status).toBe(401);
  });
});

describe("metric values from stored rows", () => {
  it("sums reports (final or checkpointed), buckets durations and reports courses, breakers and dead letters", async () => {
    const before = await scrape();
    const now = Date.now();
    await seedCourse(env.DB, {
      id: 501,
      registeredAt: now - 10 * 3_600_000,
      lastSuccessAt: now - 7_200_000,
      breakerOpenUntil: now + 60_000,
      failures: 5,
      state: "failing",
    });
    await seedCourse(env.DB, { id: 502, registeredAt: now - 1_800_000 });
    const a = reportWith({
      added: { page: 4, file: 2 },
      unchanged: { page: 10 },
      canvasRequests: 20,
      throttled: 1,
      retries: 2,
      bytesDownloaded: 1000,
      blobHits: 1,
      errors: [{ category: "content", count: 2 }],
    });
    const b = reportWith({
      added: { assignment: 3 },
      canvasRequests: 7,
      errors: [{ category: "timeout", count: 1 }],
    });
    const c = reportWith({
      unchanged: { page: 5 },
      contentUpdated: { page: 1 },
      canvasRequests: 5,
      textHits: 2,
    });
    const d = reportWith({ added: { quiz: 2 }, canvasRequests: 3 });
    const jobs = [
      {
        id: "j1",
        courseId: 501,
        status: "succeeded" as const,
        createdAt: now - 3 * 3_600_000,
        startedAt: now - 3 * 3_600_000,
        finishedAt: now - 3 * 3_600_000 + 3_000,
        report: a,
      },
      {
        id: "j2",
        courseId: 501,
        status: "failed" as const,
        createdAt: now - 7_200_000,
        startedAt: now - 7_200_000,
        finishedAt: now - 7_200_000 + 45_000,
        checkpointReport: b,
        attempts: 3,
        errorCategory: "timeout",
      },
      {
        id: "j3",
        courseId: 502,
        status: "succeeded" as const,
        createdAt: now - 1_500_000,
        startedAt: now - 1_500_000,
        finishedAt: now - 800_000,
        report: c,
      },
      {
        id: "j4",
        courseId: 502,
        status: "running" as const,
        createdAt: now - 60_000,
        startedAt: now - 60_000,
        checkpointReport: d,
      },
      { id: "j5", courseId: 502, status: "queued" as const, createdAt: now - 1_000 },
      {
        id: "j6",
        courseId: 502,
        status: "succeeded" as const,
        createdAt: now - 100_000,
        startedAt: now - 100_000,
        finishedAt: now - 99_500,
        report: "not json{",
      },
    ];
    for (const job of jobs) await seedJob(env.DB, job);
    await env.DB.batch(
      [1, 2].map((n) =>
        env.DB.prepare(
          "INSERT INTO dead_letters (job_id, course_id, reason, at) VALUES (?1, 501, 'gave up', ?2)",
        ).bind(`dl-${n}`, now),
      ),
    );

    const metrics = await scrape();
    const delta = increase(before, metrics);
    const reports = [a, b, c, d];
    const sum = (pick: (report: typeof a) => number) =>
      reports.reduce((total, report) => total + pick(report), 0);

    expect(delta("canvas_sync_items_processed_total", { type: "page", outcome: "added" })).toBe(4);
    expect(delta("canvas_sync_items_processed_total", { type: "assignment", outcome: "added" })).toBe(3);
    expect(delta("canvas_sync_items_processed_total", { type: "quiz", outcome: "added" })).toBe(2);
    expect(delta("canvas_sync_items_processed_total", { type: "page", outcome: "unchanged" })).toBe(15);
    expect(delta("canvas_sync_items_processed_total", { type: "page", outcome: "updated_content" })).toBe(1);
    expect(delta("canvas_sync_canvas_requests_total")).toBe(sum((r) => r.canvasRequests));
    expect(delta("canvas_sync_canvas_throttled_total")).toBe(1);
    expect(delta("canvas_sync_canvas_request_retries_total")).toBe(2);
    expect(delta("canvas_sync_file_bytes_downloaded_total")).toBe(1000);
    expect(delta("canvas_sync_dedup_hits_total", { tier: "blob" })).toBe(1);
    expect(delta("canvas_sync_dedup_hits_total", { tier: "text" })).toBe(2);
    expect(delta("canvas_sync_cache_hits_total", { cache: "item" })).toBe(15);
    expect(delta("canvas_sync_errors_total", { category: "content", level: "item" })).toBe(2);
    expect(delta("canvas_sync_errors_total", { category: "timeout", level: "item" })).toBe(1);
    expect(delta("canvas_sync_errors_total", { category: "timeout", level: "job" })).toBe(1);
    expect(delta("canvas_sync_queue_retries_total")).toBe(2);
    expect(delta("canvas_sync_dead_letters_total")).toBe(2);

    // Durations: succeeded 3 s, 700 s and 0.5 s; failed 45 s.
    const bucket = (status: string, le: number | "+Inf") =>
      delta("canvas_sync_job_duration_seconds_bucket", { status, le: String(le) });
    for (const bound of DURATION_BUCKETS_SECONDS) {
      expect({ bound, succeeded: bucket("succeeded", bound), failed: bucket("failed", bound) }).toEqual({
        bound,
        succeeded: SUCCEEDED_SECONDS.filter((seconds) => seconds <= bound).length,
        failed: 45 <= bound ? 1 : 0,
      });
    }
    expect(bucket("succeeded", "+Inf")).toBe(3);
    expect(delta("canvas_sync_job_duration_seconds_sum", { status: "succeeded" })).toBeCloseTo(703.5);
    expect(delta("canvas_sync_job_duration_seconds_count", { status: "failed" })).toBe(1);

    expect(delta("canvas_sync_jobs", { status: "succeeded", mode: "incremental" })).toBe(3);
    expect(delta("canvas_sync_jobs", { status: "running", mode: "incremental" })).toBe(1);
    expect(delta("canvas_sync_jobs", { status: "queued", mode: "incremental" })).toBe(1);

    expect(valueOf(metrics, "canvas_sync_breaker_open", { course_id: "501" })).toBe(1);
    expect(valueOf(metrics, "canvas_sync_breaker_open", { course_id: "502" })).toBe(0);
    expect(valueOf(metrics, "canvas_sync_course_consecutive_failures", { course_id: "501" })).toBe(5);
    expect(
      Math.abs(valueOf(metrics, "canvas_sync_course_lag_seconds", { course_id: "501" }) - 7200),
    ).toBeLessThanOrEqual(5);
    expect(
      Math.abs(valueOf(metrics, "canvas_sync_course_lag_seconds", { course_id: "502" }) - 1800),
    ).toBeLessThanOrEqual(5);
    expect(delta("canvas_sync_courses", { state: "failing" })).toBe(1);
    expect(delta("canvas_sync_courses", { state: "idle" })).toBe(1);
    // 2 h lag is above the 1.5 h degraded threshold; nothing is stuck (the running job started a minute ago).
    expect(valueOf(metrics, "canvas_sync_health_status")).toBe(1);
    expect(valueOf(metrics, "canvas_sync_stuck_jobs")).toBe(0);
  });
});

describe("metric values after a real sync", () => {
  it("match the simulator's truth and the token's gate, without revealing the token", async () => {
    const simulator = startSimulator({ seed: 3, institution: { courses: [{ id: 301, items: 40 }] } });
    const before = await scrape();
    expect((await api("/api/courses", { method: "POST", json: { canvasCourseId: 301 } })).status).toBe(201);
    const job = await syncNow(301);
    expect(job.status).toBe("succeeded");
    const truth = await simulator.control.truth(301);
    const apiRequests = Object.entries(simulator.control.counters().byEndpoint)
      // Requests to the Canvas host: the API and the file-download redirects, not the storage host's bytes.
      .filter(([endpoint]) => !endpoint.includes(" /blobs/"))
      .reduce((total, [, counters]) => total + counters.requests, 0);

    const response = await api("/metrics");
    const text = await response.text();
    const metrics = parseExposition(text);
    const delta = increase(before, metrics);
    expect(delta("canvas_sync_items_processed_total", { type: "page", outcome: "added" })).toBe(
      truth.pages.length,
    );
    expect(delta("canvas_sync_items_processed_total", { type: "file", outcome: "added" })).toBe(
      truth.files.length,
    );
    expect(delta("canvas_sync_file_bytes_downloaded_total")).toBe(
      truth.files.reduce((total, file) => total + file.size, 0),
    );
    expect(delta("canvas_sync_canvas_requests_total")).toBe(apiRequests);
    expect(delta("canvas_sync_job_duration_seconds_count", { status: "succeeded" })).toBe(1);

    const labels = { host: "canvas.test", token: await tokenFingerprint(CANVAS_TOKEN) };
    const remaining = valueOf(metrics, "canvas_sync_rate_limit_remaining", labels);
    expect(remaining).toBeGreaterThan(0);
    // One sync alone on the token: nobody else was seen spending on it.
    expect(valueOf(metrics, "canvas_sync_rate_limit_shared", labels)).toBe(0);
    expect(text).not.toContain(CANVAS_TOKEN);
    expect(text).not.toContain(API_TOKEN);
  });
});
