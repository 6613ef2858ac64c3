/** Fault injection: statuses, latency, hangs until abort, cut and garbled bodies, resets, forced throttling. */
import { describe, expect, it } from "vitest";
import { get, getJson, sim } from "../support/simulator-harness";

async function coinFlips(): Promise<number[]> {
  const s = sim({ seed: 42 });
  s.control.addFault({ probability: 0.5, action: { type: "status", status: 502 } });
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await get(s, "/api/v1/courses/101")).status);
  return statuses;
}

describe("faults", () => {
  it("answers with an injected status for a limited count, matched by path prefix and method", async () => {
    const s = sim();
    s.control.addFault({
      match: { pathPrefix: "/api/v1/courses/101/pages", method: "GET" },
      count: 2,
      action: { type: "status", status: 503 },
    });
    expect((await get(s, "/api/v1/courses/101/pages")).status).toBe(503);
    expect((await get(s, "/api/v1/courses/101/assignments")).status).toBe(200);
    const second = await get(s, "/api/v1/courses/101/pages/page_id:1001");
    expect(second.status).toBe(503);
    expect((await second.json<{ errors: unknown[] }>()).errors).toHaveLength(1);
    expect((await get(s, "/api/v1/courses/101/pages")).status).toBe(200);
    expect(s.control.listFaults()).toHaveLength(0);
  });

  it("matches by regex and carries a custom body", async () => {
    const s = sim();
    s.control.addFault({
      match: { pathRegex: "/files/\\d+$" },
      action: { type: "status", status: 500, body: "boom" },
    });
    const response = await get(s, "/api/v1/files/2001");
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("boom");
    expect((await get(s, "/api/v1/courses/101/files")).status).toBe(200);
    s.control.clearFaults();
    expect((await get(s, "/api/v1/files/2001")).status).toBe(200);
  });

  it("fires with a seeded probability: the same seed gives the same sequence", async () => {
    const first = await coinFlips();
    expect(await coinFlips()).toEqual(first);
    const failures = first.filter((st) => st === 502).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it("hangs a request until its signal aborts", async () => {
    const s = sim();
    s.control.addFault({ count: 1, action: { type: "timeout" } });
    const controller = new AbortController();
    const pending = get(s, "/api/v1/courses/101", "sim-token", { signal: controller.signal });
    let settled = false;
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect((await get(s, "/api/v1/courses/101")).status).toBe(200);
  });

  it("adds latency and still answers", async () => {
    const s = sim();
    s.control.addFault({ count: 1, action: { type: "latency", ms: 20 } });
    let done = false;
    const pending = get(s, "/api/v1/courses/101").then((r) => ((done = true), r));
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(done).toBe(false);
    expect((await pending).status).toBe(200);
  });

  it("cuts a JSON body (valid start) or garbles it", async () => {
    const s = sim();
    const full = await (await get(s, "/api/v1/courses/101/pages")).text();
    s.control.addFault({ count: 1, action: { type: "truncateBody" } });
    const cut = await (await get(s, "/api/v1/courses/101/pages")).text();
    expect(full.startsWith(cut)).toBe(true);
    expect(cut.length).toBeLessThan(full.length);
    expect(() => JSON.parse(cut) as unknown).toThrow(SyntaxError);
    s.control.addFault({ count: 1, action: { type: "truncateBody", error: true } });
    await expect((await get(s, "/api/v1/courses/101/pages")).text()).rejects.toThrow(/connection lost/);
    s.control.addFault({ count: 1, action: { type: "malformedBody" } });
    const garbled = await get(s, "/api/v1/courses/101/pages");
    expect(garbled.status).toBe(200);
    expect(garbled.headers.get("content-type")).toContain("application/json");
    await expect(garbled.json()).rejects.toThrow(SyntaxError);
  });

  it("resets the connection like a network error, and can force a rate-limit answer", async () => {
    const s = sim();
    s.control.addFault({ count: 1, action: { type: "resetConnection" } });
    await expect(get(s, "/api/v1/courses/101")).rejects.toBeInstanceOf(TypeError);
    s.control.addFault({ count: 1, action: { type: "throttle" } });
    const throttled = await get(s, "/api/v1/courses/101");
    expect(throttled.status).toBe(403);
    expect(await throttled.text()).toBe("403 Forbidden (Rate Limit Exceeded)\n");
    expect((await get(s, "/api/v1/courses/101")).status).toBe(200);
  });

  it("targets the storage origin separately from the API", async () => {
    const s = sim();
    const file = await getJson<{ url: string }>(s, "/api/v1/files/2010");
    s.control.addFault({
      match: { origin: "storage" },
      count: 1,
      action: { type: "truncateBody", keepFraction: 0.25 },
    });
    const redirect = await s.fetch(file.url, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const bytes = await s.fetch(redirect.headers.get("location") ?? "");
    const declared = Number(bytes.headers.get("content-length"));
    const body = await bytes.arrayBuffer();
    expect(body.byteLength).toBe(Math.floor(declared * 0.25));
  });
});
