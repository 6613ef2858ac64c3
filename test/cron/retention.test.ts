/**
 * Retention through the real Cron Trigger handler against real D1 and R2: for every table, rows older than their
 * window go and nothing newer does; running, queued and each course's latest job stay; a purged tombstone takes its
 * change log along and its released blob is deleted by the blob GC in the same run; windows of 0 keep everything;
 * a backlog is drained in bounded batches over several runs.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/env";
import { runRetention, type RetentionWindows } from "../../src/cron/retention";
import { API_TOKEN, CANVAS_TOKEN, resetStorage, runCron } from "../support/harness";
import { seedJob } from "../support/seed-rows";
import { openDatabase } from "../../src/storage/d1/client";

const DAY = 86_400_000;
const HOUR = 3_600_000;
let now = 0;

const ago = (days: number) => now - days * DAY;

async function ids(sql: string): Promise<string[]> {
  const { results } = await env.DB.prepare(sql).all<{ id: string | number }>();
  return results.map((row) => String(row.id)).sort();
}

async function seedCourse(id: number, lastJobId: string | null): Promise<void> {
  // next_sync_at in the future: the cron must not enqueue syncs in these tests.
  await env.DB.prepare(
    `INSERT INTO courses (canvas_course_id, state, registered_at, next_sync_at, last_job_id)
     VALUES (?1, 'idle', ?2, ?3, ?4)`,
  )
    .bind(id, ago(400), now + DAY, lastJobId)
    .run();
}

async function seedItem(
  id: string,
  fields: { deletedAt: number | null; dedupHash?: string | null; blob?: string | null },
): Promise<void> {
  const [course, type, canvasId] = id.split(":");
  await env.DB.prepare(
    `INSERT INTO items (id, course_id, type, canvas_id, title, content_hash, data, blob_sha256, dedup_hash,
       first_seen_at, changed_at, deleted_at)
     VALUES (?1, ?2, ?3, ?4, 't', 'h', '{}', ?5, ?6, ?7, COALESCE(?8, ?7), ?8)`,
  )
    .bind(
      id,
      Number(course),
      type,
      canvasId,
      fields.blob ?? null,
      fields.dedupHash ?? null,
      ago(400),
      fields.deletedAt,
    )
    .run();
}

async function seedChange(itemId: string, at: number): Promise<void> {
  await env.DB.prepare(
    "INSERT INTO item_changes (item_id, course_id, job_id, kind, fields, at) VALUES (?1, 1, NULL, 'added', NULL, ?2)",
  )
    .bind(itemId, at)
    .run();
}

async function seedBlob(sha: string, orphanedAt: number | null): Promise<void> {
  await env.DB.prepare(
    "INSERT INTO blobs (sha256, r2_key, size, content_type, created_at, orphaned_at) VALUES (?1, ?2, 1, 'text/plain', ?3, ?4)",
  )
    .bind(sha, `blobs/${sha}`, ago(400), orphanedAt)
    .run();
  await env.BLOBS.put(`blobs/${sha}`, "x");
}

/** Row builders for the table-by-table test. */
const job = (
  id: string,
  courseId: number,
  status: "queued" | "running" | "succeeded" | "partial" | "failed",
  created: number,
  finished: number | null,
) => seedJob(env.DB, { id, courseId, status, createdAt: created, startedAt: created, finishedAt: finished });

const mark = (key: string, at: number, jobId: string | null) =>
  env.DB.prepare(
    "INSERT INTO event_marks (object_key, course_id, event_time, event_name, job_id, at) VALUES (?1, 1, 't', 'e', ?2, ?3)",
  )
    .bind(key, jobId, at)
    .run();

const deadLetter = (at: number) =>
  env.DB.prepare(
    "INSERT INTO dead_letters (job_id, course_id, reason, body, at) VALUES (NULL, 1, 'r', '{}', ?1)",
  )
    .bind(at)
    .run();

const counter = (labels: string, updatedAt: number | null) =>
  env.DB.prepare("INSERT INTO metric_counters (name, labels, value, updated_at) VALUES ('c', ?1, 3, ?2)")
    .bind(labels, updatedAt)
    .run();

beforeEach(async () => {
  await resetStorage();
  now = Date.now();
});

describe("retention run by the cron (default windows)", () => {
  it("deletes what is older than each window and nothing newer, for every table", async () => {
    // Jobs (30 days): course 1 has old and new jobs; course 2's only job is old (its latest, kept).
    await seedCourse(1, "pointed-at");
    await seedCourse(2, null);
    await job("old-succeeded", 1, "succeeded", ago(41), ago(40));
    await job("old-failed", 1, "failed", ago(41), ago(31));
    await job("old-partial", 1, "partial", ago(41), ago(35));
    // A deleted job's delivery records go with it.
    for (const jobId of ["old-partial", "new-succeeded"]) {
      await env.DB.prepare(
        `INSERT INTO job_deliveries (job_id, started_at, ended_at, canvas_requests, d1_statements, subrequests, outcome)
         VALUES (?1, 0, 0, 1, 1, 1, 'finished')`,
      )
        .bind(jobId)
        .run();
    }
    await job("pointed-at", 1, "succeeded", ago(39), ago(38));
    await job("old-queued", 1, "queued", ago(45), null);
    await job("old-running", 1, "running", ago(44), null);
    await job("new-succeeded", 1, "succeeded", ago(30) + HOUR, ago(29));
    await job("just-queued", 1, "queued", now - 60_000, null);
    await job("course-2-latest", 2, "succeeded", ago(60), ago(59));

    // Change log (90 days), on a live item so the tombstone purge does not touch it.
    await seedItem("1:page:1", { deletedAt: null });
    await seedChange("1:page:1", ago(91));
    await seedChange("1:page:1", ago(90) - HOUR);
    await seedChange("1:page:1", ago(89));
    await seedChange("1:page:1", ago(1));

    // Event marks (7 days); an old mark whose job is still queued stays.
    await mark("old", ago(8), "old-succeeded");
    await mark("old-no-job", ago(30), null);
    await mark("old-pending", ago(9), "just-queued");
    await mark("new", ago(6), null);

    // Dead letters (30 days).
    await deadLetter(ago(31));
    await deadLetter(ago(29));

    // Counters (90 days idle); a row never stamped stays until it moves.
    await counter("idle", ago(91));
    await counter("recent", ago(89));
    await counter("unstamped", null);

    // Tombstones (90 days): purged with their whole change log; the blob only they held is collected.
    await seedBlob("a".repeat(64), ago(90)); // released when its file was deleted
    await seedBlob("b".repeat(64), null); // still held by a live file
    await seedItem("1:file:10", { deletedAt: ago(91), blob: "a".repeat(64) });
    await seedChange("1:file:10", ago(91));
    await seedChange("1:file:10", ago(1));
    await seedItem("1:file:11", { deletedAt: ago(91), dedupHash: "h" }); // vector not removed yet: kept
    await seedItem("1:file:12", { deletedAt: ago(89) });
    await seedItem("1:file:13", { deletedAt: null, blob: "b".repeat(64) });

    await runCron();

    expect(await ids("SELECT id FROM sync_jobs")).toEqual(
      ["course-2-latest", "just-queued", "new-succeeded", "old-queued", "old-running", "pointed-at"].sort(),
    );
    expect(await ids("SELECT job_id AS id FROM job_deliveries")).toEqual(["new-succeeded"]);
    expect(await ids("SELECT at AS id FROM item_changes WHERE item_id = '1:page:1'")).toEqual(
      [ago(89), ago(1)].map(String).sort(),
    );
    expect(await ids("SELECT object_key AS id FROM event_marks")).toEqual(["new", "old-pending"]);
    expect(await ids("SELECT at AS id FROM dead_letters")).toEqual([String(ago(29))]);
    expect(await ids("SELECT labels AS id FROM metric_counters")).toEqual(["recent", "unstamped"]);
    expect(await ids("SELECT id FROM items")).toEqual(["1:file:11", "1:file:12", "1:file:13", "1:page:1"]);
    expect(await ids("SELECT item_id AS id FROM item_changes WHERE item_id = '1:file:10'")).toEqual([]);
    expect(await ids("SELECT sha256 AS id FROM blobs")).toEqual(["b".repeat(64)]);
    expect(await env.BLOBS.head(`blobs/${"a".repeat(64)}`)).toBeNull();
    expect(await env.BLOBS.head(`blobs/${"b".repeat(64)}`)).not.toBeNull();
  });

  it("keeps everything when every window is 0", async () => {
    await seedCourse(1, null);
    await seedJob(env.DB, {
      id: "a",
      courseId: 1,
      status: "succeeded",
      createdAt: ago(400),
      finishedAt: ago(399),
    });
    await seedJob(env.DB, {
      id: "b",
      courseId: 1,
      status: "succeeded",
      createdAt: ago(300),
      finishedAt: ago(299),
    });
    await seedItem("1:page:2", { deletedAt: ago(400) });
    await seedChange("1:page:2", ago(400));
    const windows: RetentionWindows = {
      tombstones: 0,
      sync_jobs: 0,
      item_changes: 0,
      event_marks: 0,
      dead_letters: 0,
      metric_counters: 0,
    };
    const result = await runRetention(openDatabase(env.DB), windows, now);
    expect(result.statements).toBe(0);
    expect(await ids("SELECT id FROM sync_jobs")).toEqual(["a", "b"]);
    expect(await ids("SELECT id FROM items")).toEqual(["1:page:2"]);
  });
});

describe("jobs", () => {
  it("never deletes a queued or running job, even one carrying an old finish time from an earlier attempt", async () => {
    await seedCourse(1, null);
    const windows: RetentionWindows = {
      tombstones: 90,
      sync_jobs: 30,
      item_changes: 90,
      event_marks: 7,
      dead_letters: 30,
      metric_counters: 90,
    };
    await seedJob(env.DB, {
      id: "retrying",
      courseId: 1,
      status: "queued",
      createdAt: ago(50),
      finishedAt: ago(49),
    });
    await seedJob(env.DB, {
      id: "rerunning",
      courseId: 1,
      status: "running",
      createdAt: ago(48),
      finishedAt: ago(47),
    });
    await seedJob(env.DB, {
      id: "done",
      courseId: 1,
      status: "succeeded",
      createdAt: ago(46),
      finishedAt: ago(45),
    });
    await seedJob(env.DB, {
      id: "latest",
      courseId: 1,
      status: "failed",
      createdAt: ago(44),
      finishedAt: ago(43),
    });
    const result = await runRetention(openDatabase(env.DB), windows, now);
    expect(result.deleted.sync_jobs).toBe(1);
    expect(await ids("SELECT id FROM sync_jobs")).toEqual(["latest", "rerunning", "retrying"]);
  });
});

describe("bounded batches", () => {
  it("drains a backlog over several runs within the per-run cap, never touching newer rows", async () => {
    await seedItem("1:page:3", { deletedAt: null });
    const rows = Array.from({ length: 1200 }, (_, index) => ago(200) + index);
    for (let start = 0; start < rows.length; start += 100) {
      const chunk = rows.slice(start, start + 100);
      await env.DB.prepare(
        `INSERT INTO item_changes (item_id, course_id, job_id, kind, fields, at)
         SELECT '1:page:3', 1, NULL, 'added', NULL, value FROM json_each(?1)`,
      )
        .bind(JSON.stringify(chunk))
        .run();
    }
    await seedChange("1:page:3", ago(1));
    const windows: RetentionWindows = {
      tombstones: 90,
      sync_jobs: 30,
      item_changes: 90,
      event_marks: 7,
      dead_letters: 30,
      metric_counters: 90,
    };
    const limits = { batchSize: 500, maxStatementsPerTable: 2 };
    const first = await runRetention(openDatabase(env.DB), windows, now, limits);
    expect(first.deleted.item_changes).toBe(1000);
    expect(first.capped).toEqual(["item_changes"]);
    const second = await runRetention(openDatabase(env.DB), windows, now, limits);
    expect(second.deleted.item_changes).toBe(200);
    expect(second.capped).toEqual([]);
    expect(await ids("SELECT at AS id FROM item_changes")).toEqual([String(ago(1))]);
  });
});

describe("retention settings", () => {
  const base = { ...env, CANVAS_TOKEN, API_TOKEN };
  it("have documented defaults and refuse negative or non-numeric values", () => {
    const config = loadConfig(base);
    expect([
      config.RETENTION_JOBS_DAYS,
      config.RETENTION_CHANGES_DAYS,
      config.RETENTION_EVENT_MARKS_DAYS,
      config.RETENTION_DEAD_LETTERS_DAYS,
      config.RETENTION_COUNTERS_DAYS,
      config.TOMBSTONE_PURGE_DAYS,
    ]).toEqual([30, 90, 7, 30, 90, 90]);
    expect(() => loadConfig({ ...base, RETENTION_JOBS_DAYS: "-1" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TOMBSTONE_PURGE_DAYS: "forever" })).toThrow(/TOMBSTONE_PURGE_DAYS/);
  });
});
