/**
 * Route level: duplicate and out-of-order Live Events cause no duplicate work and never move the dedup mark
 * backwards; a newer event joins a job that has not started yet, but gets its own job once that one is running;
 * concurrent redeliveries enqueue exactly one job.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, resetStorage, startSimulator, waitForJob } from "../support/harness";
import { envelope, globalId, requestMetadata } from "../support/sample-events";
import { eventCounter, eventJobs, postUnsigned, webhookFetch } from "../support/webhook-harness";

const COURSE = 101;
const send = webhookFetch({ allowUnsigned: true });

// Recent times: events older than LIVE_EVENTS_MAX_AGE_SECONDS are refused as replays.
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const T1 = new Date(BASE).toISOString();
const T2 = new Date(BASE + 5_000).toISOString();
const T3 = new Date(BASE + 9_000).toISOString();

function assignmentEvent(id: number, eventTime: string) {
  return envelope(
    requestMetadata("assignment_updated", eventTime, { type: "Course", id: globalId(1, COURSE) }),
    { assignment_id: globalId(1, id), context_type: "Course", context_id: globalId(1, COURSE) },
  );
}

async function markOf(assignmentId: number): Promise<{ event_time: string; job_id: string | null } | null> {
  return env.DB.prepare("SELECT event_time, job_id FROM event_marks WHERE object_key = ?1")
    .bind(`course:${COURSE}:assignment:${assignmentId}`)
    .first();
}

/** A job row as the intake would find it, without a queue message (so no consumer ever picks it up). */
async function insertJob(
  id: string,
  fields: { mode: string; scope: unknown; status: string; startedAt: number | null },
) {
  await env.DB.prepare(
    `INSERT INTO sync_jobs (id, course_id, mode, trigger, scope, status, created_at, started_at)
     VALUES (?1, ?2, ?3, 'event', ?4, ?5, ?6, ?7)`,
  )
    .bind(id, COURSE, fields.mode, JSON.stringify(fields.scope), fields.status, Date.now(), fields.startedAt)
    .run();
}

async function insertMark(assignmentId: number, eventTime: string, jobId: string) {
  await env.DB.prepare(
    `INSERT INTO event_marks (object_key, course_id, event_time, event_name, job_id, at)
     VALUES (?1, ?2, ?3, 'assignment_updated', ?4, ?5)`,
  )
    .bind(`course:${COURSE}:assignment:${assignmentId}`, COURSE, eventTime, jobId, Date.now())
    .run();
}

beforeEach(async () => {
  await resetStorage();
  startSimulator({ institution: { courses: [{ id: COURSE, items: 10 }] } });
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
  if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
});

describe("duplicates and reordering", () => {
  it("a redelivered event causes no second job", async () => {
    const first = await postUnsigned(send, assignmentEvent(8001, T1));
    const again = await postUnsigned(send, assignmentEvent(8001, T1));
    expect(first.outcome).toBe("enqueued");
    expect(again).toMatchObject({ outcome: "dropped", reason: "duplicate", jobId: null });
    expect((await eventJobs()).length).toBe(1);
    expect(await eventCounter("outcome=dropped,reason=duplicate")).toBe(1);
  });

  it("concurrent redeliveries of one event enqueue exactly one job", async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => postUnsigned(send, assignmentEvent(8002, T1))),
    );
    const outcomes = answers.map((answer) => answer.outcome).sort();
    expect(outcomes).toEqual(["dropped", "dropped", "dropped", "dropped", "dropped", "enqueued"]);
    expect((await eventJobs()).length).toBe(1);
  });

  it("an older event arriving after a newer one is dropped and leaves the mark at the newer time", async () => {
    const newer = await postUnsigned(send, assignmentEvent(8003, T2));
    const older = await postUnsigned(send, assignmentEvent(8003, T1));
    expect(newer.outcome).toBe("enqueued");
    expect(older).toMatchObject({ outcome: "dropped", reason: "stale" });
    expect(await markOf(8003)).toEqual({ event_time: T2, job_id: newer.jobId });
    expect((await eventJobs()).length).toBe(1);
  });

  it("a newer event after the first job finished is synced again", async () => {
    const first = await postUnsigned(send, assignmentEvent(8004, T1));
    await waitForJob(first.jobId ?? "");
    const second = await postUnsigned(send, assignmentEvent(8004, T2));
    expect(second.outcome).toBe("enqueued");
    expect(second.jobId).not.toBe(first.jobId);
    expect(await markOf(8004)).toEqual({ event_time: T2, job_id: second.jobId });
  });
});

describe("joining pending work", () => {
  it("a newer event joins the object's job while that job is still queued", async () => {
    await insertJob("11111111-1111-4111-8111-111111111111", {
      mode: "targeted",
      scope: { kind: "assignment", id: 8010 },
      status: "queued",
      startedAt: null,
    });
    await insertMark(8010, T1, "11111111-1111-4111-8111-111111111111");

    const joined = await postUnsigned(send, assignmentEvent(8010, T2));
    expect(joined).toMatchObject({ outcome: "coalesced", jobId: "11111111-1111-4111-8111-111111111111" });
    expect((await eventJobs()).length).toBe(1);
    expect(await markOf(8010)).toEqual({ event_time: T2, job_id: "11111111-1111-4111-8111-111111111111" });
    expect(await eventCounter("outcome=coalesced,scope=assignment")).toBe(1);
  });

  it("a newer event gets its own job once the object's job is running (it may have read the old state)", async () => {
    await insertJob("22222222-2222-4222-8222-222222222222", {
      mode: "targeted",
      scope: { kind: "assignment", id: 8011 },
      status: "running",
      startedAt: Date.now(),
    });
    await insertMark(8011, T1, "22222222-2222-4222-8222-222222222222");

    const own = await postUnsigned(send, assignmentEvent(8011, T2));
    expect(own.outcome).toBe("enqueued");
    expect(own.jobId).not.toBe("22222222-2222-4222-8222-222222222222");
    expect(await markOf(8011)).toEqual({ event_time: T2, job_id: own.jobId });
  });

  it("a queued, unstarted full reconciliation of the course absorbs object events", async () => {
    await insertJob("33333333-3333-4333-8333-333333333333", {
      mode: "targeted",
      scope: { kind: "full_reconcile" },
      status: "queued",
      startedAt: null,
    });
    const absorbed = await postUnsigned(send, assignmentEvent(8012, T3));
    expect(absorbed).toMatchObject({ outcome: "coalesced", jobId: "33333333-3333-4333-8333-333333333333" });
    expect((await eventJobs()).length).toBe(1);
    // Redelivery of the absorbed event is still a duplicate.
    expect(await postUnsigned(send, assignmentEvent(8012, T3))).toMatchObject({ outcome: "dropped" });
  });
});
