/**
 * Malformed and hostile Live Event deliveries for bad-input.test.ts: forged, tampered, wrongly signed, expired, too
 * old (replayed), from another institution, oversized and malformed bodies. Each names the status it must get and,
 * for 4xx, the failure kind; authentic events that are not ours are 202 `ignored` with the reason, and the replay of
 * an already accepted token is 202 `dropped` as a duplicate. Every body carries a canary the answer must not echo.
 */
import { base64url, CompactSign, SignJWT, type CryptoKey } from "jose";
import { signEvent, type TestSigningKey } from "../local/simulator/live-event-signing";
import { envelope, globalId, requestMetadata, TEST_ROOT_ACCOUNT_ID } from "./sample-events";
import { COURSE } from "./bad-input-cases";

export const WEBHOOK_CANARY = "<script>canary-webhook</script>";
export const ISSUER = "https://school.instructure.test";

export interface WebhookCase {
  name: string;
  method?: string;
  body: string | Uint8Array;
  contentType: string;
  status: number;
  /** 4xx: `details.reason`; 202: the `reason` of the accepted answer. */
  reason?: string;
  /** 202 only: the outcome. */
  outcome?: "ignored" | "dropped";
}

export interface WebhookKeys {
  key: TestSigningKey;
  other: TestSigningKey;
  stranger: TestSigningKey;
}

type Envelope = ReturnType<typeof envelope>;

/** A page update in the fixture course, from our institution, with the canary in its text. */
export function pageEvent(
  overrides: { metadata?: Record<string, unknown>; body?: Record<string, unknown> } = {},
): Envelope {
  const base = envelope(
    requestMetadata("wiki_page_updated", new Date().toISOString(), {
      type: "Course",
      id: globalId(1, COURSE),
    }),
    { wiki_page_id: globalId(1, 77), title: WEBHOOK_CANARY, body: WEBHOOK_CANARY },
  );
  return { metadata: { ...base.metadata, ...overrides.metadata }, body: { ...base.body, ...overrides.body } };
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function rawToken(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
  signer: CryptoKey,
  alg = "RS256",
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(signer);
}

/** The token every "valid but ..." case starts from: ours, fresh, with our issuer. */
export function goodToken(keys: WebhookKeys, event: Envelope = pageEvent()): Promise<string> {
  return signEvent(event, keys.key.privateKey, keys.key.kid, { issuer: ISSUER });
}

export async function hostileWebhookCases(keys: WebhookKeys, accepted: string): Promise<WebhookCase[]> {
  const { key, other, stranger } = keys;
  const jwt = "application/jwt";
  const good = await goodToken(keys);
  const [header = "", payload = "", signature = ""] = good.split(".");
  const claims = { ...pageEvent(), iat: nowSeconds(), exp: nowSeconds() + 300, iss: ISSUER };
  const signed = (event: Envelope) => goodToken(keys, event);
  const withClaims = (extra: Record<string, unknown>) =>
    rawToken({ ...claims, ...extra }, { kid: key.kid }, key.privateKey);
  const big = (bytes: number) => `${good}${"A".repeat(bytes)}`;

  return [
    // Forged and tampered
    {
      name: "signed with another key under our kid",
      body: await signEvent(pageEvent(), other.privateKey, key.kid, { issuer: ISSUER }),
      contentType: jwt,
      status: 401,
      reason: "bad_signature",
    },
    {
      name: "payload swapped after signing",
      body: `${header}.${encode({ ...claims, metadata: { ...claims.metadata, root_account_id: "1" } })}.${signature}`,
      contentType: jwt,
      status: 401,
      reason: "bad_signature",
    },
    {
      name: "signature stripped",
      body: `${header}.${payload}.`,
      contentType: jwt,
      status: 401,
      reason: "bad_signature",
    },
    {
      name: "signature truncated",
      body: good.slice(0, -12),
      contentType: jwt,
      status: 401,
      reason: "bad_signature",
    },
    {
      name: "signature of another token",
      body: `${header}.${payload}.${(await signed(pageEvent({ body: { wiki_page_id: "2" } }))).split(".")[2] ?? ""}`,
      contentType: jwt,
      status: 401,
      reason: "bad_signature",
    },
    {
      name: "alg none",
      body: `${encode({ alg: "none", kid: key.kid })}.${payload}.`,
      contentType: jwt,
      status: 401,
      reason: "unsupported_alg",
    },
    {
      name: "alg HS256 keyed with the public key",
      body: await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: key.kid })
        .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk))),
      contentType: jwt,
      status: 401,
      reason: "unsupported_alg",
    },
    {
      name: "alg RS512 claimed over an RS256 signature",
      body: `${encode({ alg: "RS512", kid: key.kid })}.${payload}.${signature}`,
      contentType: jwt,
      status: 401,
      reason: "unsupported_alg",
    },
    {
      name: "alg ES256 claimed over an RSA signature",
      body: `${encode({ alg: "ES256", kid: key.kid })}.${payload}.${signature}`,
      contentType: jwt,
      status: 401,
      reason: "unsupported_alg",
    },
    {
      name: "alg missing",
      body: `${encode({ kid: key.kid })}.${payload}.${signature}`,
      contentType: jwt,
      status: 401,
      reason: "unsupported_alg",
    },
    // Wrong or odd kid
    {
      name: "unknown kid",
      body: await signEvent(pageEvent(), stranger.privateKey, stranger.kid, { issuer: ISSUER }),
      contentType: jwt,
      status: 401,
      reason: "unknown_kid",
    },
    {
      name: "no kid, signed by a stranger",
      body: await rawToken(claims, {}, stranger.privateKey),
      contentType: jwt,
      status: 401,
      reason: "bad_signature",
    },
    {
      name: "kid with a path traversal",
      body: await rawToken(claims, { kid: "../../etc/passwd" }, key.privateKey),
      contentType: jwt,
      status: 401,
      reason: "unknown_kid",
    },
    {
      name: "kid with markup",
      body: await rawToken(claims, { kid: WEBHOOK_CANARY }, key.privateKey),
      contentType: jwt,
      status: 401,
      reason: "unknown_kid",
    },
    {
      name: "kid of 8 KB",
      body: await rawToken(claims, { kid: "k".repeat(8192) }, key.privateKey),
      contentType: jwt,
      status: 401,
      reason: "unknown_kid",
    },
    // Time claims
    {
      name: "expired an hour ago",
      body: await signEvent(pageEvent(), key.privateKey, key.kid, {
        issuer: ISSUER,
        issuedAt: new Date(Date.now() - 3_900_000),
      }),
      contentType: jwt,
      status: 401,
      reason: "expired",
    },
    {
      name: "no exp",
      body: await signEvent(pageEvent(), key.privateKey, key.kid, { issuer: ISSUER, expiresInSeconds: null }),
      contentType: jwt,
      status: 401,
      reason: "claims_invalid",
    },
    {
      name: "exp as a string",
      body: await withClaims({ exp: String(nowSeconds() + 300) }),
      contentType: jwt,
      status: 401,
      reason: "claims_invalid",
    },
    {
      name: "iat in the future",
      body: await withClaims({ iat: nowSeconds() + 3600 }),
      contentType: jwt,
      status: 401,
      reason: "claims_invalid",
    },
    {
      name: "nbf in the future",
      body: await withClaims({ nbf: nowSeconds() + 3600 }),
      contentType: jwt,
      status: 401,
      reason: "claims_invalid",
    },
    {
      name: "replayed old token (unexpired, older than the age bound)",
      body: await signEvent(pageEvent(), key.privateKey, key.kid, {
        issuer: ISSUER,
        issuedAt: new Date(Date.now() - 7_200_000),
        expiresInSeconds: 86_400,
      }),
      contentType: jwt,
      status: 401,
      reason: "expired",
    },
    {
      name: "no iat",
      body: await rawToken({ ...claims, iat: undefined }, { kid: key.kid }, key.privateKey),
      contentType: jwt,
      status: 401,
      reason: "claims_invalid",
    },
    // Authentic, but not our institution's
    {
      name: "another issuer",
      body: await signEvent(pageEvent(), key.privateKey, key.kid, {
        issuer: "https://other.instructure.test",
      }),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_issuer",
    },
    {
      name: "no issuer",
      body: await signEvent(pageEvent(), key.privateKey, key.kid),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_issuer",
    },
    {
      name: "another root account",
      body: await signed(pageEvent({ metadata: { root_account_id: globalId(3, 7) } })),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_institution",
    },
    {
      name: "same local root account on another shard",
      body: await signed(pageEvent({ metadata: { root_account_id: globalId(2, 1) } })),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_institution",
    },
    {
      name: "root account missing",
      body: await signed(pageEvent({ metadata: { root_account_id: undefined } })),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_institution",
    },
    {
      name: "root account as an object",
      body: await signed(pageEvent({ metadata: { root_account_id: { id: TEST_ROOT_ACCOUNT_ID } } })),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_institution",
    },
    {
      name: "root account with markup",
      body: await signed(pageEvent({ metadata: { root_account_id: WEBHOOK_CANARY } })),
      contentType: jwt,
      status: 202,
      outcome: "ignored",
      reason: "wrong_institution",
    },
    // Replays of an accepted delivery
    {
      name: "replay of the accepted token",
      body: accepted,
      contentType: jwt,
      status: 202,
      outcome: "dropped",
      reason: "duplicate",
    },
    // Signed, but not an event
    {
      name: "claims that are not an event",
      body: await rawToken(
        { hello: WEBHOOK_CANARY, iat: nowSeconds(), exp: nowSeconds() + 300, iss: ISSUER },
        { kid: key.kid },
        key.privateKey,
      ),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "metadata missing",
      body: await withClaims({ metadata: undefined }),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "event_name empty",
      body: await signed(pageEvent({ metadata: { event_name: "" } })),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "event_name of 300 characters",
      body: await signed(pageEvent({ metadata: { event_name: "e".repeat(300) } })),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "page id missing",
      body: await signed(pageEvent({ body: { wiki_page_id: undefined } })),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "page id with markup",
      body: await signed(pageEvent({ body: { wiki_page_id: WEBHOOK_CANARY } })),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "page id negative",
      body: await signed(pageEvent({ body: { wiki_page_id: -5 } })),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "page id of 31 digits",
      body: await signed(pageEvent({ body: { wiki_page_id: "1".repeat(31) } })),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "payload not JSON",
      body: await new CompactSign(new TextEncoder().encode(`not json ${WEBHOOK_CANARY}`))
        .setProtectedHeader({ alg: "RS256", kid: key.kid })
        .sign(key.privateKey),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    // Oversized
    { name: "token padded to 70 KB", body: big(70 * 1024), contentType: jwt, status: 413 },
    { name: "body of 1 MB", body: big(1024 * 1024), contentType: jwt, status: 413 },
    // Not signed, or not a token at all
    {
      name: "unsigned JSON (not allowed)",
      body: JSON.stringify(pageEvent()),
      contentType: "application/json",
      status: 401,
      reason: "unsigned_not_allowed",
    },
    {
      name: "unsigned JSON without a content type",
      body: JSON.stringify(pageEvent()),
      contentType: "text/plain",
      status: 401,
      reason: "unsigned_not_allowed",
    },
    {
      name: "plain text",
      body: `hello ${WEBHOOK_CANARY}`,
      contentType: "text/plain",
      status: 400,
      reason: "malformed",
    },
    {
      name: "three garbage segments",
      body: "abc.def.ghi",
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "two segments",
      body: `${header}.${payload}`,
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    { name: "four segments", body: `${good}.extra`, contentType: jwt, status: 400, reason: "malformed" },
    {
      name: "characters outside base64url",
      body: `${header}.${payload}+/=.${signature}`,
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "header not JSON",
      body: `${base64url.encode("not json")}.${payload}.${signature}`,
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    { name: "empty body", body: "", contentType: jwt, status: 400, reason: "malformed" },
    {
      name: "invalid UTF-8",
      body: Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0x7b]),
      contentType: "application/json",
      status: 400,
      reason: "malformed",
    },
    {
      name: "JSON sent as application/jwt",
      body: JSON.stringify(pageEvent()),
      contentType: jwt,
      status: 400,
      reason: "malformed",
    },
    {
      name: "JSON with a token inside",
      body: JSON.stringify({ token: good }),
      contentType: "application/json",
      status: 401,
      reason: "unsigned_not_allowed",
    },
    // Wrong methods
    { name: "GET the webhook", method: "GET", body: "", contentType: jwt, status: 404 },
    { name: "PUT a token", method: "PUT", body: good, contentType: jwt, status: 404 },
  ];
}
