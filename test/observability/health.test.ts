/**
 * Health (the seed design's SyncHealthChecker): the grading thresholds at their boundaries, the D1 inputs (stuck
 * jobs, largest lag, recent error rate), and GET /health's status codes and body, which must carry no course content.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app";
import { HealthSchema } from "../../src/api/schemas";
import { evaluateHealth, readHealthInput, type HealthInput } from "../../src/observability/health";
import { ConfigError, loadConfig } from "../../src/env";
import { stuckJobLimitMs } from "../../src/http/config-inputs";
import { openDatabase } from "../../src/storage/d1/client";
import { API_TOKEN, CANVAS_TOKEN } from "../support/harness";
import { reportWith, seedCourse, seedJob } from "../support/seed-rows";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const base: HealthInput = { stuckJobs: 0, maxLagSeconds: 0, recentJobs: 0, recentFailures: 0 };

describe("evaluateHealth", () => {
  it.each([
    [{}, "healthy"],
    [{ maxLagSeconds: null }, "healthy"],
    [{ maxLagSeconds: 5400 }, "healthy"],
    [{ maxLagSeconds: 5401 }, "degraded"],
    [{ maxLagSeconds: 10_800 }, "degraded"],
    [{ maxLagSeconds: 10_801 }, "unhealthy"],
    [{ recentJobs: 100, recentFailures: 5 }, "healthy"],
    [{ recentJobs: 100, recentFailures: 6 }, "degraded"],
    [{ recentJobs: 100, recentFailures: 10 }, "degraded"],
    [{ recentJobs: 100, recentFailures: 11 }, "unhealthy"],
    [{ recentJobs: 0, recentFailures: 0 }, "healthy"],
    [{ stuckJobs: 1 }, "unhealthy"],
    [{ stuckJobs: 1, maxLagSeconds: 6000 }, "unhealthy"],
    [{ maxLagSeconds: 6000, recentJobs: 10, recentFailures: 2 }, "unhealthy"],
  ] as const)("%o is %s", (overrides, expected) => {
    expect(evaluateHealth({ ...base, ...overrides }).status).toBe(expected);
  });

  it("reports each check with its value and thresholds", () => {
    const { checks } = evaluateHealth({
      stuckJobs: 2,
      maxLagSeconds: 6000,
      recentJobs: 8,
      recentFailures: 1,
    });
    expect(checks).toEqual([
      { name: "stuck_jobs", status: "unhealthy", value: 2, degradedAbove: null, unhealthyAbove: 0 },
      {
        name: "max_sync_lag_seconds",
        status: "degraded",
        value: 6000,
        degradedAbove: 5400,
        unhealthyAbove: 10_800,
      },
      {
        name: "recent_error_rate",
        status: "unhealthy",
        value: 0.125,
        degradedAbove: 0.05,
        unhealthyAbove: 0.1,
      },
    ]);
  });

  it("reads the stuck-job limit from the checked STUCK_JOB_MINUTES (30 minutes unset); a bad value is refused", () => {
    const settings = { ...env, CANVAS_TOKEN, API_TOKEN };
    expect(stuckJobLimitMs(loadConfig({ ...settings, STUCK_JOB_MINUTES: "45" }))).toBe(45 * MINUTE);
    expect(stuckJobLimitMs(loadConfig({ ...settings, STUCK_JOB_MINUTES: undefined }))).toBe(30 * MINUTE);
    // The configuration check refuses these before anything reads the limit (every request answers 503).
    expect(() => loadConfig({ ...settings, STUCK_JOB_MINUTES: "-3" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...settings, STUCK_JOB_MINUTES: "soon" })).toThrow(ConfigError);
  });
});

async function getHealth(overrides: Partial<Env> = {}) {
  const ctx = createExecutionContext();
  const workerEnv: Env = { ...env, CANVAS_TOKEN, API_TOKEN, ...overrides };
  const response = await createApp().fetch(new Request("https://sync.test/health"), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return { status: response.status, text: await response.text() };
}

describe("health from D1", () => {
  beforeEach(async () => {
    await env.DB.batch([
      env.DB.prepare("DELETE FROM sync_jobs"),
      env.DB.prepare("DELETE FROM courses"),
      env.DB.prepare("DELETE FROM items"),
    ]);
  });

  it("counts a running job as stuck only when neither its start nor its last checkpoint is within the limit", async () => {
    const now = Date.now();
    await seedCourse(env.DB, { id: 11, registeredAt: now - HOUR, lastSuccessAt: now - MINUTE });
    await seedJob(env.DB, {
      id: "stuck",
      courseId: 11,
      status: "running",
      createdAt: now - 2 * HOUR,
      startedAt: now - 31 * MINUTE,
    });
    await seedJob(env.DB, {
      id: "checkpointed",
      courseId: 11,
      status: "running",
      createdAt: now - 3 * HOUR,
      startedAt: now - 3 * HOUR,
      checkpointAt: now - 5 * MINUTE,
    });
    await seedJob(env.DB, {
      id: "young",
      courseId: 11,
      status: "running",
      createdAt: now - 29 * MINUTE,
      startedAt: now - 29 * MINUTE,
    });
    await seedJob(env.DB, { id: "old-queued", courseId: 11, status: "queued", createdAt: now - 5 * HOUR });
    const input = await readHealthInput(openDatabase(env.DB), now, 30 * MINUTE);
    expect(input.stuckJobs).toBe(1);
    expect((await readHealthInput(openDatabase(env.DB), now, 60 * MINUTE)).stuckJobs).toBe(0);
  });

  it("takes the largest lag over courses (since registration when never synced) and the last hour's failures", async () => {
    const now = Date.now();
    await seedCourse(env.DB, { id: 21, registeredAt: now - 10 * HOUR, lastSuccessAt: now - 2 * HOUR });
    await seedCourse(env.DB, { id: 22, registeredAt: now - 4 * HOUR });
    await seedCourse(env.DB, { id: 23, registeredAt: now - 20 * HOUR, lastSuccessAt: now - MINUTE });
    const finished = (id: string, status: "succeeded" | "failed", agoMs: number) =>
      seedJob(env.DB, {
        id,
        courseId: 21,
        status,
        createdAt: now - agoMs - MINUTE,
        startedAt: now - agoMs - MINUTE,
        finishedAt: now - agoMs,
      });
    await finished("ok-1", "succeeded", 10 * MINUTE);
    await finished("ok-2", "succeeded", 20 * MINUTE);
    await finished("bad-recent", "failed", 30 * MINUTE);
    await finished("bad-old", "failed", 2 * HOUR);
    const input = await readHealthInput(openDatabase(env.DB), now, 30 * MINUTE);
    expect(input.maxLagSeconds).toBe(4 * 3600);
    expect(input.recentJobs).toBe(3);
    expect(input.recentFailures).toBe(1);
  });

  it("GET /health answers 503 when unhealthy, 200 otherwise, without course content", async () => {
    const now = Date.now();
    await seedCourse(env.DB, {
      id: 31,
      registeredAt: now - HOUR,
      lastSuccessAt: now - MINUTE,
      name: "Secret Seminar on Zebras",
    });
    await env.DB.prepare(
      `INSERT INTO items (id, course_id, type, canvas_id, title, content_hash, data, first_seen_at, changed_at)
       VALUES ('31:page:1', 31, 'page', '1', 'Private page title', 'h', '{"body":"private body"}', ?1, ?1)`,
    )
      .bind(now)
      .run();
    await seedJob(env.DB, {
      id: "job-31",
      courseId: 31,
      status: "succeeded",
      createdAt: now - 2 * MINUTE,
      startedAt: now - 2 * MINUTE,
      finishedAt: now - MINUTE,
      report: reportWith({ added: { page: 1 } }),
    });

    const healthy = await getHealth();
    expect(healthy.status).toBe(200);
    // The body follows the documented schema.
    const body = HealthSchema.parse(JSON.parse(healthy.text));
    expect(body.status).toBe("healthy");
    expect(body.checks.map((check) => check.name)).toEqual([
      "stuck_jobs",
      "max_sync_lag_seconds",
      "recent_error_rate",
      "live_events_institution_unset",
    ]);
    expect(Date.parse(body.checkedAt)).toBeGreaterThan(now - MINUTE);

    await seedJob(env.DB, {
      id: "job-stuck",
      courseId: 31,
      status: "running",
      createdAt: now - HOUR,
      startedAt: now - 40 * MINUTE,
    });
    const unhealthy = await getHealth();
    expect(unhealthy.status).toBe(503);
    expect(JSON.parse(unhealthy.text)).toMatchObject({ status: "unhealthy" });
    // A longer configured limit means the same job is not stuck yet.
    expect((await getHealth({ STUCK_JOB_MINUTES: "60" })).status).toBe(200);

    for (const text of [healthy.text, unhealthy.text]) {
      for (const content of [
        "Zebras",
        "Private page title",
        "private body",
        "job-31",
        "job-stuck",
        "31:page",
      ]) {
        expect(text).not.toContain(content);
      }
    }
  });

  it("a lag above 1.5 h is degraded but still answers 200", async () => {
    const now = Date.now();
    await seedCourse(env.DB, { id: 41, registeredAt: now - 5 * HOUR, lastSuccessAt: now - 2 * HOUR });
    const response = await getHealth();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ status: "degraded" });
  });
});
