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
import { resetStorage } from "../helpers/harness";

const HOST = "canvas.test";

function health() {
  return env.CANVAS_GATE.getByName(healthGateName(HOST));
}

function budget() {
  return env.CANVAS_GATE.getByName(budgetGateName(HOST, "fingerprint-under-test"));
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

  it("caps the up-front charges in flight: eleven grants on a drained bucket, then a wait", async () => {
    const grants = [];
    for (let i = 0; i < 12; i++) grants.push(await budget().reserve());
    expect(grants.slice(0, 11).every((grant) => grant.granted)).toBe(true);
    expect(grants[11]).toMatchObject({ granted: false });
  });

  it("after a throttled answer it waits for the bucket to drain, at the configured outflow", async () => {
    const first = await budget().reserve();
    if (!first.granted) throw new Error("a lone request is always granted");
    await budget().complete(first.leaseId, { cost: null, remaining: 0, throttled: true });
    const wait = await budget().reserve();
    // Full bucket (600) + one up-front charge (50) must fall to 550: 100 units at 10 per second.
    expect(wait).toMatchObject({ granted: false });
    expect(wait.granted ? 0 : wait.waitMs).toBeGreaterThan(9_000);
    expect(wait.granted ? 0 : wait.waitMs).toBeLessThanOrEqual(10_000);

    expect(await budget().configure({ outflow: 100 })).toEqual({ ok: true });
    const faster = await budget().reserve();
    expect(faster.granted ? 0 : faster.waitMs).toBeLessThanOrEqual(1_000);
  });

  it("rejects settings that are not budget settings", async () => {
    expect(await budget().configure({ outflow: -1 })).toMatchObject({ ok: false });
    const notASetting: Record<string, number> = { level: 0 };
    expect(await budget().configure(notASetting)).toMatchObject({ ok: false });
    // Nothing was changed by the refused calls: a lone request on a fresh budget is still granted at once.
    expect((await budget().reserve()).granted).toBe(true);
  });
});
