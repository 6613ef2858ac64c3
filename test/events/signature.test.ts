/**
 * Route-level authentication of Live Event deliveries: valid signed events are accepted and enqueued; forged,
 * expired, `alg: none`, malformed and (unless allowed) unsigned deliveries are refused with the right status and
 * store nothing; an unknown kid refreshes the JWKS once; an unreachable key endpoint answers 503 so Canvas retries.
 */
import { base64url } from "jose";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateSigningKey, signEvent } from "../local/simulator/live-event-signing";
import type { TestSigningKey } from "../local/simulator/live-event-signing";
import { api, resetStorage, startSimulator } from "../support/harness";
import { envelope, globalId, requestMetadata } from "../support/sample-events";
import {
  KeyEndpoint,
  jobRow,
  postDelivery,
  routeOutboundFetch,
  storedCounts,
  webhookFetch,
} from "../support/webhook-harness";

const COURSE = 101;

/** A request-triggered page update in COURSE (shard 1 ids, as the simulator writes them). */
function pageEvent(pageId: number, eventTime = new Date().toISOString()) {
  return envelope(
    requestMetadata("wiki_page_updated", eventTime, { type: "Course", id: globalId(1, COURSE) }),
    { wiki_page_id: globalId(1, pageId), title: "Week 1", body: "<p>hi</p>" },
  );
}

let keyA: TestSigningKey;
let keyB: TestSigningKey;
let endpoints: KeyEndpoint[] = [];

beforeAll(async () => {
  keyA = await generateSigningKey("key-a");
  keyB = await generateSigningKey("key-b");
});

beforeEach(async () => {
  await resetStorage();
  const simulator = startSimulator({ institution: { courses: [{ id: COURSE, items: 10 }] } });
  endpoints = [];
  routeOutboundFetch(
    simulator,
    (url) => endpoints.find((endpoint) => endpoint.url === url)?.respond() ?? null,
  );
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
  if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
});

function keyEndpoint(keys: TestSigningKey[]): KeyEndpoint {
  const endpoint = new KeyEndpoint(keys);
  endpoints.push(endpoint);
  return endpoint;
}

async function errorReason(response: Response): Promise<unknown> {
  const body: { error: { details: { reason?: unknown } | null } } = await response.json();
  return body.error.details?.reason;
}

const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));

type Refusal = { status: number; reason: unknown; stored: "unchanged" | "changed" };

/** Posts a delivery and reports its status, the failure kind and whether anything was stored. */
async function refusal(
  send: (request: Request) => Promise<Response>,
  body: string,
  contentType: string,
): Promise<Refusal> {
  const before = JSON.stringify(await storedCounts());
  const response = await postDelivery(send, body, contentType);
  const reason = await errorReason(response);
  const unchanged = JSON.stringify(await storedCounts()) === before;
  return { status: response.status, reason, stored: unchanged ? "unchanged" : "changed" };
}

const refused = (status: number, reason: string): Refusal => ({ status, reason, stored: "unchanged" });

describe("POST /webhooks/canvas: signed deliveries", () => {
  it("accepts a validly signed event with 202 and enqueues its targeted job", async () => {
    const endpoint = keyEndpoint([keyA]);
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: false });
    const token = await signEvent(pageEvent(7), keyA.privateKey, keyA.kid);

    const response = await postDelivery(send, token, "application/jwt");
    expect(response.status).toBe(202);
    const body: { outcome: string; jobId: string } = await response.json();
    expect(body.outcome).toBe("enqueued");
    const job = await jobRow(body.jobId);
    expect(job).toMatchObject({
      course_id: COURSE,
      mode: "targeted",
      trigger: "event",
      scope: { kind: "page", pageId: 7 },
    });
  });

  it("refuses a token signed with another key under a known kid (401), storing nothing", async () => {
    const endpoint = keyEndpoint([keyA]);
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: true });
    const forged = await signEvent(pageEvent(7), keyB.privateKey, keyA.kid);
    expect(await refusal(send, forged, "application/jwt")).toEqual(refused(401, "bad_signature"));
  });

  it("refreshes the JWKS once for an unknown kid and accepts the token once the key is published", async () => {
    const endpoint = keyEndpoint([keyA]);
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: false });
    // Warm the cache with the current key.
    expect(
      (await postDelivery(send, await signEvent(pageEvent(7), keyA.privateKey, keyA.kid), "application/jwt"))
        .status,
    ).toBe(202);
    expect(endpoint.fetches).toBe(1);

    // Canvas rotates: key-b is published after the cache was filled.
    endpoint.keys = [keyA, keyB];
    const rotated = await signEvent(pageEvent(8), keyB.privateKey, keyB.kid);
    expect((await postDelivery(send, rotated, "application/jwt")).status).toBe(202);
    expect(endpoint.fetches).toBe(2);

    // A kid nobody published: refused, and the refresh rate limit keeps it from fetching again.
    const stranger = await generateSigningKey("key-x");
    expect(
      await refusal(
        send,
        await signEvent(pageEvent(9), stranger.privateKey, stranger.kid),
        "application/jwt",
      ),
    ).toEqual(refused(401, "unknown_kid"));
    expect(endpoint.fetches).toBe(2);
  });

  it("refuses an expired token (401)", async () => {
    const endpoint = keyEndpoint([keyA]);
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: false });
    const expired = await signEvent(pageEvent(7), keyA.privateKey, keyA.kid, {
      issuedAt: new Date(Date.now() - 3_600_000),
      expiresInSeconds: 300,
    });
    expect(await refusal(send, expired, "application/jwt")).toEqual(refused(401, "expired"));
  });

  it("refuses alg none, even when unsigned JSON would be allowed (401)", async () => {
    const endpoint = keyEndpoint([keyA]);
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: true });
    const unsecured = `${encode({ alg: "none", typ: "JWT", kid: keyA.kid })}.${encode(pageEvent(7))}.`;
    expect(await refusal(send, unsecured, "application/jwt")).toEqual(refused(401, "unsupported_alg"));
  });

  it("refuses a signed token when no JWKS URL is configured (401)", async () => {
    const send = webhookFetch({ allowUnsigned: true });
    expect(
      await refusal(send, await signEvent(pageEvent(7), keyA.privateKey, keyA.kid), "application/jwt"),
    ).toEqual(refused(401, "signing_not_configured"));
  });

  it("answers 503 while the key endpoint is down, so Canvas retries", async () => {
    const endpoint = keyEndpoint([keyA]);
    endpoint.down = true;
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: false });
    expect(
      await refusal(send, await signEvent(pageEvent(7), keyA.privateKey, keyA.kid), "application/jwt"),
    ).toEqual(refused(503, "jwks_unavailable"));
  });
});

describe("POST /webhooks/canvas: malformed and unsigned deliveries", () => {
  it("answers 400 for bodies that are neither an event nor a token", async () => {
    const endpoint = keyEndpoint([keyA]);
    const send = webhookFetch({ jwksUrl: endpoint.url, allowUnsigned: true });
    expect(await refusal(send, "hello", "text/plain")).toEqual(refused(400, "malformed"));
    expect(await refusal(send, '{"metadata": {', "application/json")).toEqual(refused(400, "malformed"));
    expect(await refusal(send, JSON.stringify({ body: {} }), "application/json")).toEqual(
      refused(400, "malformed"),
    );
    // A known event whose body lacks its id.
    const noId = envelope(requestMetadata("wiki_page_updated", new Date().toISOString(), null), {
      title: "x",
    });
    expect(await refusal(send, JSON.stringify(noId), "application/json")).toEqual(refused(400, "malformed"));
    // Correctly signed, but the claims are not an event.
    const notAnEvent = await signEvent({ hello: "world" }, keyA.privateKey, keyA.kid);
    expect(await refusal(send, notAnEvent, "application/jwt")).toEqual(refused(400, "malformed"));
  });

  it("refuses unsigned JSON unless ALLOW_UNSIGNED_WEBHOOKS is on", async () => {
    const event = JSON.stringify(pageEvent(7));
    expect(await refusal(webhookFetch({ allowUnsigned: false }), event, "application/json")).toEqual(
      refused(401, "unsigned_not_allowed"),
    );

    const allowed = await postDelivery(webhookFetch({ allowUnsigned: true }), event, "application/json");
    expect(allowed.status).toBe(202);
    expect(await allowed.json()).toMatchObject({ outcome: "enqueued", courseId: COURSE });
  });
});
