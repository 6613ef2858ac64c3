/**
 * A consumer that dies after recording its job's outcome but before releasing the course lease must not block the
 * course for the rest of the lease's 16 minutes: the next job takes over a lease whose job has finished, and a
 * redelivery of the finished job lets the lease go. A lease held by a job still running is respected.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { SyncMessage } from "../../src/queue/message";
import { resetStorage, startSimulator } from "../support/harness";
import {
  deliver,
  jobRow,
  newJobs,
  registerCourses,
  syncEnv,
  testQueues,
  type TestQueues,
} from "../support/sync-harness";

const COURSE = 951;
const LEASE_MS = 16 * 60_000;

function course() {
  return env.COURSE_SYNC.getByName(String(COURSE));
}

async function markJob(jobId: string, status: string): Promise<void> {
  await env.DB.prepare("UPDATE sync_jobs SET status = ?2 WHERE id = ?1").bind(jobId, status).run();
}

describe("stale course leases", () => {
  let queues: TestQueues;
  let first: SyncMessage;
  let second: SyncMessage;

  beforeEach(async () => {
    await resetStorage();
    startSimulator({ seed: 51, institution: { courses: [{ id: COURSE, items: 8 }] } });
    queues = testQueues();
    await registerCourses([COURSE]);
    const [a] = await newJobs(queues, [COURSE]);
    const [b] = await newJobs(queues, [COURSE]);
    if (!a || !b) throw new Error("no jobs");
    first = a;
    second = b;
    // The first job's consumer recorded its outcome and died holding the lease.
    const taken = await course().acquireLease(first.jobId, LEASE_MS);
    if (!taken.ok) throw new Error("the first job could not take the lease");
  });

  it("the next job takes over a lease whose job has finished", async () => {
    await markJob(first.jobId, "succeeded");
    expect(await deliver(syncEnv(queues), [{ id: "b", body: second, attempts: 1 }])).toEqual([
      { id: "b", action: "ack" },
    ]);
    expect(await jobRow(second.jobId)).toMatchObject({ status: "succeeded" });
  });

  it("a redelivery of the finished job releases its lease", async () => {
    await markJob(first.jobId, "succeeded");
    expect(await deliver(syncEnv(queues), [{ id: "a", body: first, attempts: 2 }])).toEqual([
      { id: "a", action: "ack" },
    ]);
    expect(await course().acquireLease("someone-else", 1_000)).toEqual({ ok: true });
  });

  it("a lease held by a job that is still running is respected", async () => {
    await markJob(first.jobId, "running");
    const [result] = await deliver(syncEnv(queues), [{ id: "b", body: second, attempts: 1 }]);
    expect(result?.action).toBe("retry");
    expect(await jobRow(second.jobId)).toMatchObject({ status: "queued" });
  });
});
