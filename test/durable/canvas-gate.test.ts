/**
 * CanvasGate in workerd: the host's circuit breaker kept by the `health:<host>` instance (opens after five
 * consecutive jobs failed by Canvas itself, half-open by the alarm, one trial job), and the token's rate budget kept
 * by the `<host>/<fingerprint>` instance (concurrent up-front charges capped, pacing after a throttled answer,
 * settings validated).
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { budgetGateName, healthGateName } from "../../src/durable/canvas-gate";
import { resetStorage } from "../support/harness";

const HOST = "canvas.test";

function health() {
  return env.CANVAS_GATE.getByName(healthGateName(HOST));
}

function budget() {
  return env.CANVAS_GATE.getByName(budgetGateName(HOST, "fingerprint-under-test"));
}

/** Canvas's first answer: the bucket is drained (until then the gate lets one request through at a time). */
async function firstAnswer(): Promise<void> {
  const grant = await budget().reserve(0);
  if (!grant.granted) throw new Error("a lone request is always granted");
  await budget().complete(grant.leaseId, { cost: null, remaining: 600, throttled: false });
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), ms));
  return Promise.race([promise.then(() => true), timeout]);
}

/** Eleven leases: the most a drained bucket allows in flight. */
async function fillLeases(): Promise<number[]> {
  await firstAnswer();
  const leases: number[] = [];
  for (let i = 0; i < 11; i++) {
    const grant = await budget().reserve(0);
    if (!grant.granted) throw new Error(`grant ${i} refused`);
    leases.push(grant.leaseId);
  }
  return leases;
}

describe("the host circuit breaker", () => {
  let start: number;

  beforeEach(async () => {
    await resetStorage();
    start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens on the fifth consecutive host failure, of five different courses, and says so once", async () => {
    const transitions = [];
    for (let i = 0; i < 6; i++) transitions.push(await health().recordHostOutcome("failure", 100 + i));
    const opened = transitions.filter(
      ({ before, after }) => before.status !== "open" && after.status === "open",
    );
    expect(opened).toHaveLength(1);
    expect(transitions[4]?.after).toEqual({
      status: "open",
      consecutiveFailures: 5,
      openedAt: start,
      openUntil: start + 300_000,
    });
    expect(await health().hostPermits()).toMatchObject({ allowed: false, retryAt: start + 300_000 });
  });

  it("a success (Canvas answered) in between keeps it closed", async () => {
    for (let i = 0; i < 4; i++) await health().recordHostOutcome("failure", 100 + i);
    await health().recordHostOutcome("success", 200);
    for (let i = 0; i < 4; i++) await health().recordHostOutcome("failure", 100 + i);
    expect(await health().hostStatus()).toEqual({ status: "closed", consecutiveFailures: 4 });
  });

  it("one course failing again and again does not open it", async () => {
    for (let i = 0; i < 10; i++) await health().recordHostOutcome("failure", 100);
    expect(await health().hostStatus()).toEqual({ status: "closed", consecutiveFailures: 1 });
  });

  it("half-opens by the alarm after 300 s and lets one trial job through, which closes it", async () => {
    for (let i = 0; i < 5; i++) await health().recordHostOutcome("failure", 100 + i);
    vi.setSystemTime(start + 300_000);
    expect(await runDurableObjectAlarm(health())).toBe(true);
    expect((await health().hostStatus()).status).toBe("half_open");
    expect((await health().hostPeek()).allowed).toBe(true);
    expect((await health().hostPermits()).allowed).toBe(true);
    expect((await health().hostPermits()).allowed).toBe(false);
    await health().recordHostOutcome("success", 100);
    expect(await health().hostStatus()).toEqual({ status: "closed", consecutiveFailures: 0 });
  });
});

describe("the token's rate budget", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("lets one request through at a time until Canvas has answered, then as many as Canvas admits", async () => {
    const first = await budget().reserve(0);
    expect(first.granted).toBe(true);
    expect(await budget().reserve(0)).toMatchObject({ granted: false });
    if (first.granted) await budget().complete(first.leaseId, { cost: 1, remaining: 599, throttled: false });
    expect((await budget().reserve(0)).granted).toBe(true);
    expect((await budget().reserve(0)).granted).toBe(true);
  });

  it("caps the up-front charges in flight as Canvas does: eleven grants on a drained bucket, then a wait", async () => {
    await firstAnswer();
    const grants = [];
    for (let i = 0; i < 12; i++) grants.push(await budget().reserve(0));
    expect(grants.slice(0, 11).every((grant) => grant.granted)).toBe(true);
    expect(grants[11]).toMatchObject({ granted: false });
  });

  it("keeps its own account of a token it has alone, and says when another client spends on it", async () => {
    const leases = await fillLeases();
    // The first lease answers at a cost of 1 while Canvas serves the ten others: 1 + 10 x 50 = 501.
    await budget().complete(leases[0] ?? 0, { cost: 1, remaining: 99, throttled: false });
    const alone = await budget().snapshot();
    expect(alone.level).toBeCloseTo(1, 0);
    expect(alone.shared).toBe(false);
    // The second answers with the bucket full: about 150 more than our account and nine requests can explain.
    await budget().complete(leases[1] ?? 0, { cost: 1, remaining: 0, throttled: false });
    const shared = await budget().snapshot();
    expect(shared.shared).toBe(true);
    expect(shared.level).toBeGreaterThan(100);
  });

  it("after a throttled answer it waits for the bucket to drain, at the configured outflow", async () => {
    const first = await budget().reserve();
    if (!first.granted) throw new Error("a lone request is always granted");
    await budget().complete(first.leaseId, { cost: null, remaining: 0, throttled: true });
    const wait = await budget().reserve(0);
    // The full bucket (600) plus 50 up front must fall below 590: 60 units at 10 per second.
    expect(wait).toMatchObject({ granted: false });
    expect(wait.granted ? 0 : wait.waitMs).toBeGreaterThan(5_500);
    expect(wait.granted ? 0 : wait.waitMs).toBeLessThanOrEqual(6_001);

    expect(await budget().configure({ outflow: 100 })).toEqual({ ok: true });
    const faster = await budget().reserve(0);
    expect(faster.granted ? 0 : faster.waitMs).toBeLessThanOrEqual(601);
  });

  it("rejects settings that are not budget settings", async () => {
    expect(await budget().configure({ outflow: -1 })).toMatchObject({ ok: false });
    const notASetting: Record<string, number> = { level: 0 };
    expect(await budget().configure(notASetting)).toMatchObject({ ok: false });
    // Nothing was changed by the refused calls: a lone request on a fresh budget is still granted at once.
    expect((await budget().reserve(0)).granted).toBe(true);
  });

  it("parks a caller while the leases in flight fill the budget, and grants it the moment one completes", async () => {
    const leases = await fillLeases();
    const parked = budget().reserve();
    expect(await settlesWithin(parked, 500)).toBe(false);
    expect(await budget().snapshot()).toMatchObject({ inFlight: 11, waiting: 1 });
    const released = Date.now();
    await budget().complete(leases[0] ?? 0, { cost: 1, remaining: 600, throttled: false });
    const grant = await parked;
    expect(grant.granted).toBe(true);
    // Woken by the completion, not by a timer: well under the old 100 ms poll, let alone a computed leak wait.
    expect(Date.now() - released).toBeLessThan(1_000);
    expect(await budget().snapshot()).toMatchObject({ inFlight: 11, waiting: 0 });
  });

  it("grants parked callers in arrival order", async () => {
    const leases = await fillLeases();
    const order: string[] = [];
    const first = budget()
      .reserve()
      .then((grant) => order.push(`first:${String(grant.granted)}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = budget()
      .reserve()
      .then((grant) => order.push(`second:${String(grant.granted)}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await budget().complete(leases[0] ?? 0, { cost: 1, remaining: 600, throttled: false });
    await first;
    expect(order).toEqual(["first:true"]);
    await budget().complete(leases[1] ?? 0, { cost: 1, remaining: 600, throttled: false });
    await second;
    expect(order).toEqual(["first:true", "second:true"]);
  });

  it("wakes a caller parked on a full bucket when the bucket has leaked enough, without a completion", async () => {
    expect(await budget().configure({ outflow: 50 })).toEqual({ ok: true });
    const first = await budget().reserve();
    if (!first.granted) throw new Error("a lone request is always granted");
    await budget().complete(first.leaseId, { cost: null, remaining: 0, throttled: true });
    const started = Date.now();
    const grant = await budget().reserve();
    // 60 units above the ceiling at 50 units/s: about 1.2 seconds.
    expect(grant.granted).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_100);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("answers a caller it cannot grant within the wait it accepts, so the caller asks again", async () => {
    await fillLeases();
    const started = Date.now();
    expect(await budget().reserve(300)).toEqual({ granted: false, waitMs: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await budget().snapshot()).toMatchObject({ waiting: 0 });
  });

  it("learns that a host whose responses never carry the throttle headers is not throttled", async () => {
    expect((await budget().snapshot()).throttle).toBe("learning");
    for (let i = 0; i < 10; i++) {
      const grant = await budget().reserve(0);
      if (!grant.granted) throw new Error("refused");
      await budget().complete(grant.leaseId, { cost: null, remaining: null, throttled: false });
    }
    const learned = await budget().snapshot();
    expect(learned.throttle).toBe("unreported");
    // The first responses were charged the assumed cost while it learned; from now on silence costs nothing.
    const level = learned.level;
    const grant = await budget().reserve(0);
    if (!grant.granted) throw new Error("refused");
    await budget().complete(grant.leaseId, { cost: null, remaining: null, throttled: false });
    expect((await budget().snapshot()).level).toBeLessThanOrEqual(level);
  });
});
