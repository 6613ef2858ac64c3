import { beforeAll, describe, expect, it } from "vitest";
import { createJwksCache } from "../../src/events/jwks-cache";
import type { JwksFetch } from "../../src/events/jwks-cache";
import { generateSigningKey, jwksFor } from "../local/simulator/live-event-signing";
import type { TestSigningKey } from "../local/simulator/live-event-signing";

const T0 = new Date("2026-03-01T12:00:00.000Z");
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

let keyA: TestSigningKey;
let keyB: TestSigningKey;
beforeAll(async () => {
  keyA = await generateSigningKey("key-a");
  keyB = await generateSigningKey("key-b");
});

/** A scripted endpoint: each fetch takes the next response factory (the last one repeats). */
function scripted(responses: Array<() => Promise<Response>>) {
  const calls: string[] = [];
  const fetch: JwksFetch = (url) => {
    calls.push(url);
    const next = responses[Math.min(calls.length - 1, responses.length - 1)];
    return next === undefined ? Promise.reject(new Error("no response")) : next();
  };
  return { calls, fetch };
}

const kids = (result: { ok: boolean; keys?: { keys: Array<{ kid?: string }> } }): Array<string | undefined> =>
  result.keys?.keys.map((key) => key.kid) ?? [];

describe("createJwksCache", () => {
  it("serves from memory within the TTL and re-fetches after it", async () => {
    const endpoint = scripted([
      () => Promise.resolve(Response.json(jwksFor([keyA]))),
      () => Promise.resolve(Response.json(jwksFor([keyA, keyB]))),
    ]);
    const cache = createJwksCache({ url: "https://keys.test/jwks", fetch: endpoint.fetch, ttlSeconds: 600 });
    expect(kids(await cache.getKeys(at(0)))).toEqual(["key-a"]);
    expect(kids(await cache.getKeys(at(599)))).toEqual(["key-a"]);
    expect(endpoint.calls).toHaveLength(1);
    expect(kids(await cache.getKeys(at(600)))).toEqual(["key-a", "key-b"]);
    expect(endpoint.calls).toEqual(["https://keys.test/jwks", "https://keys.test/jwks"]);
  });

  it("coalesces concurrent fetches into one", async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const endpoint = scripted([() => gate.then(() => Response.json(jwksFor([keyA])))]);
    const cache = createJwksCache({ url: "https://keys.test/jwks", fetch: endpoint.fetch });
    const pending = [cache.getKeys(at(0)), cache.getKeys(at(0)), cache.refreshForUnknownKid(at(0))];
    release?.();
    const results = await Promise.all(pending);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(endpoint.calls).toHaveLength(1);
  });

  it("keeps serving stale keys while the endpoint fails, and backs off between attempts", async () => {
    const endpoint = scripted([
      () => Promise.resolve(Response.json(jwksFor([keyA]))),
      () => Promise.resolve(new Response("bad gateway", { status: 502 })),
    ]);
    const cache = createJwksCache({
      url: "https://keys.test/jwks",
      fetch: endpoint.fetch,
      ttlSeconds: 60,
      minRefreshIntervalSeconds: 30,
    });
    await cache.getKeys(at(0));
    expect(kids(await cache.getKeys(at(61)))).toEqual(["key-a"]); // fetch fails, stale served
    expect(endpoint.calls).toHaveLength(2);
    expect(kids(await cache.getKeys(at(70)))).toEqual(["key-a"]); // cooling down: no fetch
    expect(endpoint.calls).toHaveLength(2);
    await cache.getKeys(at(92));
    expect(endpoint.calls).toHaveLength(3);
  });

  it("reports failure when nothing is cached, then cools down", async () => {
    const endpoint = scripted([() => Promise.reject(new TypeError("connection refused"))]);
    const cache = createJwksCache({ url: "https://keys.test/jwks", fetch: endpoint.fetch });
    const first = await cache.getKeys(at(0));
    expect(first).toEqual({ ok: false, error: "jwks fetch failed: TypeError" });
    expect((await cache.refreshForUnknownKid(at(1))).ok).toBe(false);
    expect(endpoint.calls).toHaveLength(1);
  });

  it("rejects non-JSON and shapeless responses", async () => {
    for (const body of ["<html>", JSON.stringify({ notKeys: [] }), JSON.stringify({ keys: [{ n: "x" }] })]) {
      const endpoint = scripted([() => Promise.resolve(new Response(body, { status: 200 }))]);
      const cache = createJwksCache({ url: "https://keys.test/jwks", fetch: endpoint.fetch });
      expect((await cache.getKeys(at(0))).ok).toBe(false);
    }
  });

  it("keeps only keys that can verify RS256", async () => {
    const rsa = keyA.publicJwk;
    const set = {
      keys: [
        { ...rsa, kid: "ok-no-alg", alg: undefined },
        { ...rsa, kid: "ok-rs256" },
        { ...rsa, kid: "wrong-alg", alg: "RS512" },
        { ...rsa, kid: "encryption", use: "enc" },
        { ...rsa, kid: "sign-only", key_ops: ["sign"] },
        { kty: "EC", kid: "ec-key", crv: "P-256", x: "AA", y: "AA" },
      ],
    };
    const endpoint = scripted([() => Promise.resolve(Response.json(set))]);
    const cache = createJwksCache({ url: "https://keys.test/jwks", fetch: endpoint.fetch });
    expect(kids(await cache.getKeys(at(0)))).toEqual(["ok-no-alg", "ok-rs256"]);
  });

  it("rate-limits unknown-kid refreshes per interval", async () => {
    const endpoint = scripted([() => Promise.resolve(Response.json(jwksFor([keyA])))]);
    const cache = createJwksCache({
      url: "https://keys.test/jwks",
      fetch: endpoint.fetch,
      minRefreshIntervalSeconds: 30,
    });
    await cache.getKeys(at(0));
    expect(await cache.refreshForUnknownKid(at(1))).toMatchObject({ ok: true, refreshed: true });
    expect(await cache.refreshForUnknownKid(at(20))).toMatchObject({ ok: true, refreshed: false });
    expect(await cache.refreshForUnknownKid(at(31))).toMatchObject({ ok: true, refreshed: true });
    expect(endpoint.calls).toHaveLength(3);
  });
});
