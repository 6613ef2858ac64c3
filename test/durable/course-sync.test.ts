/**
 * CourseSync in workerd: the course's circuit breaker (open after five consecutive failures, half-open by the alarm
 * after 300 s, one trial that closes or reopens it, mirrored into D1 for the cron), the sync lease, and the per-job
 * delivery history the queue settlement reads.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetStorage } from "../support/harness";
import { courseRow, registerCourses } from "../support/sync-harness";

const COURSE = 501;
const COOL_DOWN_MS = 300_000;

function course() {
  return env.COURSE_SYNC.getByName(String(COURSE));
}

async function failTimes(times: number): Promise<void> {
  for (let i = 0; i < times; i++) await course().recordOutcome("failure");
}

async function scheduledAlarm(): Promise<number | null> {
  return runInDurableObject(course(), (_instance, state) => state.storage.getAlarm());
}

describe("CourseSync circuit breaker", () => {
  let start: number;

  beforeEach(async () => {
    await resetStorage();
    await registerCourses([COURSE]);
    start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("stays closed through four failures and a success resets the count", async () => {
    await failTimes(4);
    expect((await course().status()).breaker).toEqual({ status: "closed", consecutiveFailures: 4 });
    await course().recordOutcome("success");
    await failTimes(4);
    expect((await course().status()).breaker).toEqual({ status: "closed", consecutiveFailures: 4 });
    expect((await course().breakerPermits()).allowed).toBe(true);
  });

  it("opens on the fifth consecutive failure for 300 s, mirrored into D1, with the alarm set for the end", async () => {
    await failTimes(5);
    const { breaker } = await course().status();
    expect(breaker).toEqual({
      status: "open",
      consecutiveFailures: 5,
      openedAt: start,
      openUntil: start + COOL_DOWN_MS,
    });
    expect((await courseRow(COURSE))?.breaker_open_until).toBe(start + COOL_DOWN_MS);
    expect(await scheduledAlarm()).toBe(start + COOL_DOWN_MS);
    const permit = await course().breakerPermits();
    expect(permit).toMatchObject({ allowed: false, retryAt: start + COOL_DOWN_MS });
  });

  it("an early alarm keeps it open; after 300 s the alarm makes it half-open and exactly one trial runs", async () => {
    await failTimes(5);
    vi.setSystemTime(start + 10_000);
    expect(await runDurableObjectAlarm(course())).toBe(true);
    expect((await course().status()).breaker.status).toBe("open");
    expect(await scheduledAlarm()).toBe(start + COOL_DOWN_MS);

    vi.setSystemTime(start + COOL_DOWN_MS);
    expect(await runDurableObjectAlarm(course())).toBe(true);
    expect((await course().status()).breaker).toMatchObject({ status: "half_open", trialUntil: null });
    expect((await courseRow(COURSE))?.breaker_open_until).toBeNull();

    // Peeking does not take the trial; the first permit does, the second is told to ask again within a minute.
    expect((await course().breakerPeek()).allowed).toBe(true);
    expect((await course().breakerPermits()).allowed).toBe(true);
    const second = await course().breakerPermits();
    expect(second.allowed).toBe(false);
    expect(second.allowed ? 0 : second.retryAt).toBeLessThanOrEqual(start + COOL_DOWN_MS + 60_000);
  });

  it("a successful trial closes it", async () => {
    await failTimes(5);
    vi.setSystemTime(start + COOL_DOWN_MS);
    await runDurableObjectAlarm(course());
    expect((await course().breakerPermits()).allowed).toBe(true);
    expect(await course().recordOutcome("success")).toEqual({ status: "closed", consecutiveFailures: 0 });
    expect((await course().breakerPermits()).allowed).toBe(true);
  });

  it("a failed trial reopens it with a fresh cool-down", async () => {
    await failTimes(5);
    const trialAt = start + COOL_DOWN_MS + 5_000;
    vi.setSystemTime(trialAt);
    await runDurableObjectAlarm(course());
    expect((await course().breakerPermits()).allowed).toBe(true);
    const reopened = await course().recordOutcome("failure");
    expect(reopened).toEqual({
      status: "open",
      consecutiveFailures: 6,
      openedAt: trialAt,
      openUntil: trialAt + COOL_DOWN_MS,
    });
    expect((await courseRow(COURSE))?.breaker_open_until).toBe(trialAt + COOL_DOWN_MS);
    expect(await scheduledAlarm()).toBe(trialAt + COOL_DOWN_MS);
  });

  it("a trial whose worker died frees its slot at the trial deadline, even without the alarm", async () => {
    await failTimes(5);
    vi.setSystemTime(start + COOL_DOWN_MS);
    expect((await course().breakerPermits()).allowed).toBe(true);
    expect((await course().breakerPermits()).allowed).toBe(false);
    vi.setSystemTime(start + COOL_DOWN_MS + 16 * 60_000);
    expect((await course().breakerPermits()).allowed).toBe(true);
  });
});

describe("CourseSync lease and delivery history", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("the lease is exclusive, re-entrant for the same job, and expires", async () => {
    expect(await course().acquireLease("job-a", 1_000)).toEqual({ ok: true });
    expect(await course().acquireLease("job-a", 1_000)).toEqual({ ok: true });
    const refused = await course().acquireLease("job-b", 1_000);
    expect(refused).toMatchObject({ ok: false, heldBy: "job-a" });
    await course().releaseLease("job-b");
    expect((await course().acquireLease("job-b", 1_000)).ok).toBe(false);
    await course().releaseLease("job-a");
    expect(await course().acquireLease("job-b", 50)).toEqual({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await course().acquireLease("job-c", 1_000)).toEqual({ ok: true });
  });

  it("keeps how each job's deliveries ended until the job is forgotten", async () => {
    await course().recordDelivery("job-a", "rate_limited");
    await course().recordDelivery("job-a", "timeout");
    await course().recordDelivery("job-a", "unknown");
    await course().recordDelivery("job-b", "transient");
    expect(await course().deliveryHistory("job-a")).toEqual({
      settled: 3,
      rateLimited: 1,
      timeouts: 1,
      unknown: 1,
    });
    expect(await course().deliveryHistory("job-b")).toEqual({
      settled: 1,
      rateLimited: 0,
      timeouts: 0,
      unknown: 0,
    });
    await course().forgetJob("job-a");
    expect(await course().deliveryHistory("job-a")).toEqual({
      settled: 0,
      rateLimited: 0,
      timeouts: 0,
      unknown: 0,
    });
    expect((await course().deliveryHistory("job-b")).settled).toBe(1);
  });
});
