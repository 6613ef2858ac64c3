import { base64url, CompactSign, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createJwksCache, staticJwks } from "../../src/events/jwks-cache";
import type { JwksFetch } from "../../src/events/jwks-cache";
import { generateSigningKey, jwksFor, signEvent } from "../local/simulator/live-event-signing";
import type { TestSigningKey } from "../local/simulator/live-event-signing";
import { failureStatus, verifyDelivery } from "../../src/events/verify";
import type { VerifyOptions, VerifyResult } from "../../src/events/verify";
import { envelope, globalId, requestMetadata } from "../support/sample-events";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const JWKS_URL = "https://keys.test/jwks";

const pageEvent = envelope(
  requestMetadata("wiki_page_updated", "2026-03-01T11:59:58.123Z", { type: "Course", id: globalId(7, 42) }),
  { wiki_page_id: globalId(7, 901), title: "Week 1", body: "<p>hi</p>" },
);

/** A JWKS endpoint whose key set can be rotated, counting how often it is fetched. */
function keyEndpoint(initial: readonly TestSigningKey[]) {
  const state = { keys: [...initial], fetches: 0, down: false, urls: new Set<string>() };
  const fetch: JwksFetch = (url) => {
    state.fetches += 1;
    state.urls.add(url);
    if (state.down) return Promise.reject(new TypeError("network down"));
    return Promise.resolve(Response.json(jwksFor(state.keys)));
  };
  return { state, fetch };
}

/** "ok" or the failure kind, so each case is one unconditional assertion. */
function outcome(result: VerifyResult): string {
  return result.ok ? "ok" : result.error.kind;
}

function status(result: VerifyResult): number {
  return result.ok ? 202 : failureStatus(result.error);
}

const options = (jwks: VerifyOptions["jwks"]): VerifyOptions => ({ jwks, allowUnsigned: false, now: NOW });

/** An unsigned page event stamped at `ms`. */
const unsignedAt = (ms: number) =>
  JSON.stringify(
    envelope(requestMetadata("wiki_page_updated", new Date(ms).toISOString(), null), {
      wiki_page_id: globalId(7, 901),
    }),
  );

let keyA: TestSigningKey;
let keyB: TestSigningKey;

beforeAll(async () => {
  keyA = await generateSigningKey("key-a");
  keyB = await generateSigningKey("key-b");
});

describe("verifyDelivery: signed deliveries", () => {
  it("accepts a valid RS256 token and returns the event inside it", async () => {
    const token = await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    const result = await verifyDelivery(token, "application/jwt", options(staticJwks(jwksFor([keyA]))));
    expect(result.ok && result.value).toMatchObject({
      signed: true,
      kid: "key-a",
      event: {
        name: "wiki_page_updated",
        eventTime: "2026-03-01T11:59:58.123Z",
        payload: { family: "wiki_page", body: { wiki_page_id: "70000000000901" } },
      },
    });
  });

  it("recognises a JWS body even without the application/jwt content type", async () => {
    const token = await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    for (const contentType of [null, "application/json", "text/plain; charset=utf-8"]) {
      const result = await verifyDelivery(`${token}\n`, contentType, options(staticJwks(jwksFor([keyA]))));
      expect(result.ok).toBe(true);
    }
  });

  it("accepts the event nested under a wrapper claim", async () => {
    const token = await signEvent({ data: pageEvent }, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    const result = await verifyDelivery(token, "application/jwt", options(staticJwks(jwksFor([keyA]))));
    expect(result.ok && result.value.event.name).toBe("wiki_page_updated");
  });

  it("rejects a token signed with a different key under a known kid", async () => {
    const forged = await signEvent(pageEvent, keyB.privateKey, keyA.kid, { issuedAt: NOW });
    const result = await verifyDelivery(forged, "application/jwt", options(staticJwks(jwksFor([keyA]))));
    expect(outcome(result)).toBe("bad_signature");
    expect(status(result)).toBe(401);
  });

  it("rejects a token whose payload was swapped after signing", async () => {
    const token = await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    const [header, , signature] = token.split(".");
    const altered = { ...pageEvent, body: { ...pageEvent.body, wiki_page_id: globalId(7, 902) } };
    const payload = base64url.encode(JSON.stringify({ ...altered, iat: NOW.getTime() / 1000 }));
    const result = await verifyDelivery(
      `${header}.${payload}.${signature}`,
      "application/jwt",
      options(staticJwks(jwksFor([keyA]))),
    );
    expect(outcome(result)).toBe("bad_signature");
  });

  it("refreshes the JWKS once on an unknown kid and picks up a rotated key", async () => {
    const endpoint = keyEndpoint([keyA]);
    const jwks = createJwksCache({ url: JWKS_URL, fetch: endpoint.fetch });
    const first = await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    expect((await verifyDelivery(first, "application/jwt", options(jwks))).ok).toBe(true);
    expect(endpoint.state.fetches).toBe(1);

    endpoint.state.keys = [keyA, keyB]; // Canvas publishes the next key
    const rotated = await signEvent(pageEvent, keyB.privateKey, keyB.kid, { issuedAt: NOW });
    const result = await verifyDelivery(rotated, "application/jwt", options(jwks));
    expect(result.ok && result.value.kid).toBe("key-b");
    expect(endpoint.state.fetches).toBe(2);
    expect([...endpoint.state.urls]).toEqual([JWKS_URL]);

    // The refreshed set is cached: the next token with the new kid needs no fetch.
    expect((await verifyDelivery(rotated, "application/jwt", options(jwks))).ok).toBe(true);
    expect(endpoint.state.fetches).toBe(2);
  });

  it("answers unknown_kid without a fetch storm when the kid is really unknown", async () => {
    const endpoint = keyEndpoint([keyA]);
    const jwks = createJwksCache({ url: JWKS_URL, fetch: endpoint.fetch, minRefreshIntervalSeconds: 30 });
    const stranger = await signEvent(pageEvent, keyB.privateKey, "key-unknown", { issuedAt: NOW });
    expect(outcome(await verifyDelivery(stranger, "application/jwt", options(jwks)))).toBe("unknown_kid");
    expect(endpoint.state.fetches).toBe(2); // initial load + one refresh
    for (let i = 0; i < 5; i += 1) {
      expect(outcome(await verifyDelivery(stranger, "application/jwt", options(jwks)))).toBe("unknown_kid");
    }
    expect(endpoint.state.fetches).toBe(2);
    const later = new Date(NOW.getTime() + 31_000);
    const laterToken = await signEvent(pageEvent, keyB.privateKey, "key-unknown", { issuedAt: later });
    expect(
      outcome(await verifyDelivery(laterToken, "application/jwt", { ...options(jwks), now: later })),
    ).toBe("unknown_kid");
    expect(endpoint.state.fetches).toBe(3);
  });

  it("rejects an expired token but tolerates small clock skew", async () => {
    const jwks = staticJwks(jwksFor([keyA]));
    const issuedAt = new Date(NOW.getTime() - 3_600_000);
    const expired = await signEvent(pageEvent, keyA.privateKey, keyA.kid, {
      issuedAt,
      expiresInSeconds: 300,
    });
    const result = await verifyDelivery(expired, "application/jwt", options(jwks));
    expect(outcome(result)).toBe("expired");

    const barely = new Date(NOW.getTime() - 330_000); // expired 30 s ago, inside the 60 s skew
    const skewed = await signEvent(pageEvent, keyA.privateKey, keyA.kid, {
      issuedAt: barely,
      expiresInSeconds: 300,
    });
    expect((await verifyDelivery(skewed, "application/jwt", options(jwks))).ok).toBe(true);
  });

  it("enforces maxAgeSeconds on iat, and rejects tokens issued in the future", async () => {
    const jwks = staticJwks(jwksFor([keyA]));
    // Issued two hours ago and valid for a day: only the age bound refuses it (a replayed old token).
    const old = await signEvent(pageEvent, keyA.privateKey, keyA.kid, {
      issuedAt: new Date(NOW.getTime() - 7_200_000),
      expiresInSeconds: 86_400,
    });
    expect((await verifyDelivery(old, "application/jwt", options(jwks))).ok).toBe(true);
    expect(
      outcome(await verifyDelivery(old, "application/jwt", { ...options(jwks), maxAgeSeconds: 3600 })),
    ).toBe("expired");

    const noIat = await new SignJWT(pageEvent)
      .setProtectedHeader({ alg: "RS256", kid: keyA.kid })
      .setExpirationTime(NOW.getTime() / 1000 + 300)
      .sign(keyA.privateKey);
    const missing = await verifyDelivery(noIat, "application/jwt", { ...options(jwks), maxAgeSeconds: 3600 });
    expect(outcome(missing)).toBe("claims_invalid");

    const future = await signEvent(pageEvent, keyA.privateKey, keyA.kid, {
      issuedAt: new Date(NOW.getTime() + 600_000),
    });
    expect(outcome(await verifyDelivery(future, "application/jwt", options(jwks)))).toBe("claims_invalid");
  });

  it("requires exp: a token that never expires is refused (401)", async () => {
    const jwks = staticJwks(jwksFor([keyA]));
    const forever = await signEvent(pageEvent, keyA.privateKey, keyA.kid, {
      issuedAt: NOW,
      expiresInSeconds: null,
    });
    const result = await verifyDelivery(forever, "application/jwt", options(jwks));
    expect(result).toEqual({
      ok: false,
      error: { kind: "claims_invalid", detail: expect.stringMatching(/^exp:/) },
    });
    expect(status(result)).toBe(401);
  });

  it("returns the verified iss, and null without one", async () => {
    const jwks = staticJwks(jwksFor([keyA]));
    const withIssuer = await signEvent(pageEvent, keyA.privateKey, keyA.kid, {
      issuedAt: NOW,
      issuer: "https://school.instructure.com",
    });
    const verified = await verifyDelivery(withIssuer, "application/jwt", options(jwks));
    expect(verified.ok && verified.value.issuer).toBe("https://school.instructure.com");
    const plain = await verifyDelivery(
      await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW }),
      "application/jwt",
      options(jwks),
    );
    expect(plain.ok && plain.value.issuer).toBeNull();
  });

  it("holds an unsigned event's own time to maxAgeSeconds", async () => {
    const opts = { jwks: null, allowUnsigned: true, now: NOW, maxAgeSeconds: 900 };
    expect(outcome(await verifyDelivery(unsignedAt(NOW.getTime() - 60_000), null, opts))).toBe("ok");
    expect(outcome(await verifyDelivery(unsignedAt(NOW.getTime() - 3_600_000), null, opts))).toBe("expired");
  });

  it("rejects alg none before looking up any key", async () => {
    const endpoint = keyEndpoint([keyA]);
    const jwks = createJwksCache({ url: JWKS_URL, fetch: endpoint.fetch });
    const header = base64url.encode(JSON.stringify({ alg: "none", kid: keyA.kid }));
    const payload = base64url.encode(JSON.stringify({ ...pageEvent, iat: NOW.getTime() / 1000 }));
    const result = await verifyDelivery(`${header}.${payload}.`, "application/jwt", options(jwks));
    expect(outcome(result)).toBe("unsupported_alg");
    expect(endpoint.state.fetches).toBe(0);
  });

  it("rejects HS256 signed with the public key as the HMAC secret", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(keyA.publicJwk));
    const token = await new SignJWT(pageEvent)
      .setProtectedHeader({ alg: "HS256", kid: keyA.kid })
      .setIssuedAt(NOW.getTime() / 1000)
      .sign(secret);
    expect(
      outcome(await verifyDelivery(token, "application/jwt", options(staticJwks(jwksFor([keyA]))))),
    ).toBe("unsupported_alg");
  });

  it("rejects malformed tokens and claims that are not an event", async () => {
    const jwks = staticJwks(jwksFor([keyA]));
    expect(outcome(await verifyDelivery("abc.def.ghi", "application/jwt", options(jwks)))).toBe("malformed");
    expect(outcome(await verifyDelivery('{"metadata":{}}', "application/jwt", options(jwks)))).toBe(
      "malformed",
    );
    expect(outcome(await verifyDelivery("hello there", null, options(jwks)))).toBe("malformed");
    const notAnEvent = await signEvent({ hello: "world" }, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    const result = await verifyDelivery(notAnEvent, "application/jwt", options(jwks));
    expect(outcome(result)).toBe("malformed");
    expect(status(result)).toBe(400);
  });

  it("keeps ids above 2^53 exact when the claims carry them as bare numbers", async () => {
    const bigId = "123450000000000678"; // shard 12345, local 678; not representable as a double
    const json = `{"metadata":{"event_name":"wiki_page_deleted","event_time":"2026-03-01T11:00:00.000Z"},"body":{"wiki_page_id":${bigId}},"iat":${NOW.getTime() / 1000},"exp":${NOW.getTime() / 1000 + 300}}`;
    const token = await new CompactSign(new TextEncoder().encode(json))
      .setProtectedHeader({ alg: "RS256", kid: keyA.kid })
      .sign(keyA.privateKey);
    const result = await verifyDelivery(token, "application/jwt", options(staticJwks(jwksFor([keyA]))));
    expect(result.ok && result.value.event.payload).toMatchObject({
      family: "wiki_page",
      body: { wiki_page_id: bigId },
    });
  });

  it("reports an unreachable key endpoint as jwks_unavailable (503, so Canvas retries)", async () => {
    const endpoint = keyEndpoint([keyA]);
    endpoint.state.down = true;
    const jwks = createJwksCache({ url: JWKS_URL, fetch: endpoint.fetch });
    const token = await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    const result = await verifyDelivery(token, "application/jwt", options(jwks));
    expect(outcome(result)).toBe("jwks_unavailable");
    expect(status(result)).toBe(503);
  });

  it("refuses signed deliveries when no JWKS is configured", async () => {
    const token = await signEvent(pageEvent, keyA.privateKey, keyA.kid, { issuedAt: NOW });
    expect(
      outcome(await verifyDelivery(token, "application/jwt", { jwks: null, allowUnsigned: true, now: NOW })),
    ).toBe("signing_not_configured");
  });
});

describe("verifyDelivery: unsigned deliveries", () => {
  const body = JSON.stringify(pageEvent);

  it("rejects plain JSON unless unsigned deliveries are allowed", async () => {
    const result = await verifyDelivery(body, "application/json", {
      jwks: staticJwks(jwksFor([])),
      allowUnsigned: false,
      now: NOW,
    });
    expect(outcome(result)).toBe("unsigned_not_allowed");
    expect(status(result)).toBe(401);
  });

  it("accepts plain JSON when allowed and marks it unsigned", async () => {
    const result = await verifyDelivery(body, "application/json", {
      jwks: null,
      allowUnsigned: true,
      now: NOW,
    });
    expect(result.ok && result.value.signed).toBe(false);
    expect(result.ok && result.value.event.name).toBe("wiki_page_updated");
  });

  it("rejects invalid JSON, a wrong envelope and oversized bodies", async () => {
    const opts = { jwks: null, allowUnsigned: true, now: NOW };
    expect(outcome(await verifyDelivery("{not json", "application/json", opts))).toBe("malformed");
    expect(outcome(await verifyDelivery('{"metadata":{"event_name":""},"body":{}}', null, opts))).toBe(
      "malformed",
    );
    expect(outcome(await verifyDelivery(`{"x":"${"a".repeat(600 * 1024)}"}`, null, opts))).toBe("too_large");
  });
});
