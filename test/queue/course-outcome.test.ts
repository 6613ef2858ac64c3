/**
 * The adaptive scheduler as the consumer applies it: after each outcome, next_sync_at follows the rules of
 * src/resilience/scheduler.ts with the configured intervals (base 60 min, min 15, max 360 by default): failures
 * back off exponentially only past three in a row, a busy course syncs at half the base interval, and a learned
 * activity pattern shortens the interval in the course's active hours and lengthens it in quiet ones. The expected
 * intervals are derived from those rules and the configuration, not read back from the code.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { openDatabase } from "../../src/storage/d1/client";
import { recordCourseFailure, recordCourseSuccess } from "../../src/queue/course-outcome";
import {
  ActivityModelSchema,
  emptyActivityModel,
  hourOfWeek,
  HOURS_PER_WEEK,
  type ActivityModel,
} from "../../src/resilience/activity-model";
import { emptyReport, type JobReport } from "../../src/sync/report";
import { resetStorage, startSimulator } from "../support/harness";
import { courseRow, deliver, newJobs, registerCourses, syncEnv, testQueues } from "../support/sync-harness";

const COURSE = 801;
const MINUTE = 60_000;

function reportWith(changed: number, unchanged: number): JobReport {
  const report = emptyReport();
  report.types.page = {
    added: changed,
    updated: { timestamp: 0, content: 0, modified: 0 },
    unchanged,
    deleted: 0,
    replaced: 0,
    restored: 0,
    skipped: 0,
    leftBehind: 0,
    held: 0,
  };
  return report;
}

async function jobFor(id: string): Promise<void> {
  await env.DB.prepare(
    "INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at) VALUES (?1, ?2, 'incremental', 'api', 'running', ?3)",
  )
    .bind(id, COURSE, Date.now())
    .run();
}

/** The interval the course was given, bracketed by the clock before and after the call. */
async function intervalAfter(action: () => Promise<void>): Promise<{ min: number; max: number }> {
  const before = Date.now();
  await action();
  const after = Date.now();
  const next = (await courseRow(COURSE))?.next_sync_at ?? 0;
  return { min: next - after, max: next - before };
}

function minutes(count: number): number {
  return count * MINUTE;
}

/** `ms` when the measured bracket contains it, else the nearer end of the bracket (so a mismatch shows it). */
function nearest(measured: { min: number; max: number }, ms: number): number {
  return Math.min(Math.max(ms, measured.min), measured.max);
}

/** A model whose whole weight sits in one hour of the week. */
function modelIn(hour: number, weight: number, now: number): ActivityModel {
  const model = emptyActivityModel(now);
  model.buckets[hour % HOURS_PER_WEEK] = weight;
  return model;
}

async function setActivity(model: ActivityModel): Promise<void> {
  await env.DB.prepare("UPDATE courses SET activity = ?2 WHERE canvas_course_id = ?1")
    .bind(COURSE, JSON.stringify(model))
    .run();
}

describe("next_sync_at after an outcome", () => {
  const workerEnv = syncEnv(testQueues());
  const config = loadConfig(workerEnv);

  beforeEach(async () => {
    await resetStorage();
    await registerCourses([COURSE]);
  });

  it("a quiet course without a learned pattern syncs again after the base interval", async () => {
    await jobFor("j1");
    const measured = await intervalAfter(() =>
      recordCourseSuccess(openDatabase(workerEnv.DB), workerEnv, config, {
        courseId: COURSE,
        jobId: "j1",
        report: reportWith(0, 40),
        full: false,
        partial: false,
      }),
    );
    expect(nearest(measured, config.SYNC_BASE_INTERVAL_MINUTES * MINUTE)).toBe(
      config.SYNC_BASE_INTERVAL_MINUTES * MINUTE,
    );
  });

  it("a course where more than 10% changed syncs at half the base interval, never under the minimum", async () => {
    await jobFor("j1");
    const measured = await intervalAfter(() =>
      recordCourseSuccess(openDatabase(workerEnv.DB), workerEnv, config, {
        courseId: COURSE,
        jobId: "j1",
        report: reportWith(40, 0),
        full: false,
        partial: false,
      }),
    );
    expect(
      nearest(
        measured,
        minutes(Math.max(config.SYNC_MIN_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES / 2)),
      ),
    ).toBe(minutes(Math.max(config.SYNC_MIN_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES / 2)));
  });

  it("failures back off exponentially only past three in a row, capped at the maximum", async () => {
    const expected = [1, 2, 3, 4, 5].map((failures) =>
      failures > 3
        ? Math.min(config.SYNC_MAX_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES * 2 ** failures)
        : config.SYNC_BASE_INTERVAL_MINUTES,
    );
    for (const [index, expectedMinutes] of expected.entries()) {
      await jobFor(`f${index}`);
      const measured = await intervalAfter(() =>
        recordCourseFailure(
          openDatabase(workerEnv.DB),
          { courseId: COURSE, jobId: `f${index}`, reason: "x", category: "transient" },
          config,
        ),
      );
      expect(nearest(measured, minutes(expectedMinutes))).toBe(minutes(expectedMinutes));
    }
    expect(await courseRow(COURSE)).toMatchObject({ consecutive_failures: 5, state: "failing" });

    // A larger maximum lets the backoff grow further; a success resets it.
    const roomy = loadConfig(syncEnv(testQueues(), { SYNC_MAX_INTERVAL_MINUTES: "100000" }));
    await jobFor("f5");
    const sixth = await intervalAfter(() =>
      recordCourseFailure(
        openDatabase(workerEnv.DB),
        { courseId: COURSE, jobId: "f5", reason: "x", category: "transient" },
        roomy,
      ),
    );
    expect(nearest(sixth, roomy.SYNC_BASE_INTERVAL_MINUTES * 2 ** 6 * MINUTE)).toBe(
      roomy.SYNC_BASE_INTERVAL_MINUTES * 2 ** 6 * MINUTE,
    );
    await jobFor("ok");
    const reset = await intervalAfter(() =>
      recordCourseSuccess(openDatabase(workerEnv.DB), workerEnv, config, {
        courseId: COURSE,
        jobId: "ok",
        report: reportWith(0, 10),
        full: false,
        partial: false,
      }),
    );
    expect(nearest(reset, config.SYNC_BASE_INTERVAL_MINUTES * MINUTE)).toBe(
      config.SYNC_BASE_INTERVAL_MINUTES * MINUTE,
    );
    expect(await courseRow(COURSE)).toMatchObject({ consecutive_failures: 0, state: "idle" });
  });

  it("in the course's active hour it syncs twice as often; in a quiet hour half as often", async () => {
    const now = Date.now();
    await setActivity(modelIn(hourOfWeek(now, 0), 50, now));
    await jobFor("a");
    const active = await intervalAfter(() =>
      recordCourseSuccess(openDatabase(workerEnv.DB), workerEnv, config, {
        courseId: COURSE,
        jobId: "a",
        report: reportWith(0, 40),
        full: false,
        partial: false,
      }),
    );
    expect(
      nearest(
        active,
        Math.max(config.SYNC_MIN_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES / 2) * MINUTE,
      ),
    ).toBe(Math.max(config.SYNC_MIN_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES / 2) * MINUTE);

    // All activity twelve hours away: this hour and the next ones are quiet.
    await setActivity(modelIn(hourOfWeek(now, 0) + 12, 50, now));
    await jobFor("q");
    const quiet = await intervalAfter(() =>
      recordCourseSuccess(openDatabase(workerEnv.DB), workerEnv, config, {
        courseId: COURSE,
        jobId: "q",
        report: reportWith(0, 40),
        full: false,
        partial: false,
      }),
    );
    expect(
      nearest(
        quiet,
        Math.min(config.SYNC_MAX_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES * 2) * MINUTE,
      ),
    ).toBe(Math.min(config.SYNC_MAX_INTERVAL_MINUTES, config.SYNC_BASE_INTERVAL_MINUTES * 2) * MINUTE);
  });

  it("learns from the Canvas times of the changes a real sync saw", async () => {
    const simulator = startSimulator({ seed: 31, institution: { courses: [{ id: COURSE, items: 20 }] } });
    const queues = testQueues();
    const [message] = await newJobs(queues, [COURSE]);
    if (!message) throw new Error("no job");
    expect(await deliver(syncEnv(queues), [{ id: "m", body: message, attempts: 1 }])).toEqual([
      { id: "m", action: "ack" },
    ]);
    const truth = await simulator.control.truth(COURSE);
    const model = ActivityModelSchema.parse(JSON.parse((await courseRow(COURSE))?.activity ?? "null"));
    const newest = Math.max(...truth.pages.map((page) => Date.parse(page.updated_at)));
    // Objects without a Canvas timestamp (modules, topics) count as changed now, so the model is current.
    expect(model.observedThrough).toBeGreaterThanOrEqual(newest);
    // Every page's edit hour carries weight (weeks-old edits, decayed but present).
    for (const page of truth.pages)
      expect(model.buckets[hourOfWeek(Date.parse(page.updated_at), 0)]).toBeGreaterThan(0);
  });
});
