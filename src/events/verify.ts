/**
 * Authenticates and validates one Live Event delivery (the raw POST body of `/webhooks/canvas`).
 * A body that looks like a compact JWS is a signed delivery and is always verified (RS256 only, key
 * from the JWKS by `kid`, `exp` required, exp/nbf/iat with a small clock skew, and with `maxAgeSeconds` a bound on
 * the token's age so an old token cannot be replayed); a JSON body is an unsigned delivery and is accepted only
 * when the deployment allows it (its `event_time` is held to the same age). A signed delivery is never downgraded
 * to unsigned. Which institution the event belongs to is checked by the caller (institution.ts) on what this
 * returns: the verified event and the verified `iss`.
 * The verified claims are re-decoded with exact integers before the envelope schema runs.
 * Failures are typed values; `failureStatus` is the one place that maps them to HTTP statuses.
 */
import { base64url, createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { CryptoKey, JSONWebKeySet, JWTVerifyOptions, KeyObject } from "jose";
import { parseCanvasEvent } from "./envelope";
import type { CanvasEvent } from "./envelope";
import type { JwksSource } from "./jwks-cache";
import { parseJsonPrecise } from "./precise-json";

/** Seconds of clock difference tolerated on exp, nbf and iat. */
export const CLOCK_SKEW_SECONDS = 60;
/** Deliveries above this size are refused before any parsing (bodies are truncated at 8 KiB per field). */
export const MAX_DELIVERY_BYTES = 512 * 1024;

export type VerifyOptions = {
  /** Key source for signed deliveries; null when signing is not configured. */
  jwks: JwksSource | null;
  /** Accept plain-JSON deliveries. Only for deployments that cannot receive signed events. */
  allowUnsigned: boolean;
  /** Clock for exp/iat checks and the JWKS cache; defaults to the current time. */
  now?: Date;
  /**
   * When set, signed tokens must carry `iat` and be at most this old, and an unsigned event's readable
   * `event_time` at most this old (replay bound).
   */
  maxAgeSeconds?: number;
};

export type VerifyFailure =
  | { kind: "too_large" }
  | { kind: "malformed"; detail: string }
  | { kind: "unsigned_not_allowed" }
  | { kind: "signing_not_configured" }
  | { kind: "unsupported_alg"; alg: string }
  | { kind: "unknown_kid"; kid: string | null }
  | { kind: "bad_signature" }
  | { kind: "expired" }
  | { kind: "claims_invalid"; detail: string }
  | { kind: "jwks_unavailable"; detail: string };

export type VerifiedDelivery = {
  event: CanvasEvent;
  signed: boolean;
  kid: string | null;
  /** The verified token's `iss` claim; null for unsigned deliveries and tokens without one. */
  issuer: string | null;
};
export type VerifyResult = { ok: true; value: VerifiedDelivery } | { ok: false; error: VerifyFailure };

/**
 * HTTP status for a failure. 4xx means "this delivery is bad, do not retry"; 503 is reserved for our
 * own key endpoint being unreachable, where Canvas's retry is exactly what we want.
 */
export function failureStatus(failure: VerifyFailure): 400 | 401 | 413 | 503 {
  return STATUS_BY_KIND[failure.kind];
}

// A total record: a new failure kind does not compile until it has a status.
const STATUS_BY_KIND: Readonly<Record<VerifyFailure["kind"], 400 | 401 | 413 | 503>> = {
  too_large: 413,
  malformed: 400,
  unsigned_not_allowed: 401,
  signing_not_configured: 401,
  unsupported_alg: 401,
  unknown_kid: 401,
  bad_signature: 401,
  expired: 401,
  claims_invalid: 401,
  jwks_unavailable: 503,
};

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Verifies and parses one delivery. Never throws for bad input; every rejection is a `VerifyFailure`. */
export async function verifyDelivery(
  rawBody: string,
  contentType: string | null,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  const now = opts.now ?? new Date();
  if (rawBody.length > MAX_DELIVERY_BYTES) return fail({ kind: "too_large" });
  const body = rawBody.trim();
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

  if (COMPACT_JWS.test(body)) return verifySigned(body, now, opts);
  if (mediaType === "application/jwt")
    return fail({ kind: "malformed", detail: "body is not a compact JWS" });
  if (!body.startsWith("{")) return fail({ kind: "malformed", detail: "body is neither JSON nor a JWS" });
  if (!opts.allowUnsigned) return fail({ kind: "unsigned_not_allowed" });

  const json = parseJsonPrecise(body);
  if (!json.ok) return fail({ kind: "malformed", detail: "body is not valid JSON" });
  const delivery = toDelivery(json.value, now, false, null, null);
  if (
    delivery.ok &&
    opts.maxAgeSeconds !== undefined &&
    tooOld(delivery.value.event, now, opts.maxAgeSeconds)
  ) {
    return fail({ kind: "expired" });
  }
  return delivery;
}

/** An unsigned event whose own time is older than the age bound (an unreadable time stands for the receipt). */
function tooOld(event: CanvasEvent, now: Date, maxAgeSeconds: number): boolean {
  if (event.eventTimeFromReceipt) return false;
  return Date.parse(event.eventTime) < now.getTime() - (maxAgeSeconds + CLOCK_SKEW_SECONDS) * 1000;
}

async function verifySigned(token: string, now: Date, opts: VerifyOptions): Promise<VerifyResult> {
  if (opts.jwks === null) return fail({ kind: "signing_not_configured" });
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return fail({ kind: "malformed", detail: "unreadable JWS header" });
  }
  // Checked before any key lookup, so `none`, HS256-with-the-public-key and friends never reach crypto.
  if (header.alg !== "RS256") return fail({ kind: "unsupported_alg", alg: header.alg ?? "" });
  const kid = typeof header.kid === "string" ? header.kid : null;

  const verifyOptions: JWTVerifyOptions = {
    algorithms: ["RS256"],
    clockTolerance: CLOCK_SKEW_SECONDS,
    currentDate: now,
    // A token without an expiry would stay valid for ever.
    requiredClaims: ["exp"],
    ...(opts.maxAgeSeconds === undefined ? {} : { maxTokenAge: opts.maxAgeSeconds }),
  };

  const initial = await opts.jwks.getKeys(now);
  if (!initial.ok) return fail({ kind: "jwks_unavailable", detail: initial.error });
  let outcome = await verifyWith(token, initial.keys, verifyOptions);
  if (outcome === "no_matching_key") {
    const refreshed = await opts.jwks.refreshForUnknownKid(now);
    if (!refreshed.ok) return fail({ kind: "jwks_unavailable", detail: refreshed.error });
    if (!refreshed.refreshed) return fail({ kind: "unknown_kid", kid });
    outcome = await verifyWith(token, refreshed.keys, verifyOptions);
    if (outcome === "no_matching_key") return fail({ kind: "unknown_kid", kid });
  }
  if (typeof outcome === "object") return fail(outcome);

  // jose checks a future iat only when maxTokenAge is set; a token from the future is always suspect.
  const claims = decodeClaims(token);
  if (claims === null) return fail({ kind: "malformed", detail: "claims are not a JSON object" });
  const iat = claims["iat"];
  if (typeof iat === "number" && iat > now.getTime() / 1000 + CLOCK_SKEW_SECONDS) {
    return fail({ kind: "claims_invalid", detail: "iat is in the future" });
  }
  const issuer = typeof claims["iss"] === "string" ? claims["iss"] : null;
  return toDelivery(extractEvent(claims), now, true, kid, issuer);
}

/** Runs jose's verification against one key set; `"verified"` or the reason it failed. */
async function verifyWith(
  token: string,
  keys: JSONWebKeySet,
  options: JWTVerifyOptions,
): Promise<"verified" | "no_matching_key" | VerifyFailure> {
  let keySet: ReturnType<typeof createLocalJWKSet>;
  try {
    keySet = createLocalJWKSet(keys);
  } catch {
    return { kind: "jwks_unavailable", detail: "key set is malformed" };
  }
  try {
    await jwtVerify(token, keySet, options);
    return "verified";
  } catch (error) {
    if (error instanceof errors.JWKSMultipleMatchingKeys) return tryEachKey(token, error, options);
    return classify(error);
  }
}

/** Several keys match (no `kid` in the header): the token is valid if any of them verifies it. */
async function tryEachKey(
  token: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  options: JWTVerifyOptions,
): Promise<"verified" | VerifyFailure> {
  let last: VerifyFailure = { kind: "bad_signature" };
  for await (const key of candidates as AsyncIterable<CryptoKey | KeyObject>) {
    try {
      await jwtVerify(token, key, options);
      return "verified";
    } catch (error) {
      const reason = classify(error);
      if (reason === "no_matching_key") continue;
      // A valid signature with failing claims is the definitive answer for this token.
      if (reason.kind !== "bad_signature") return reason;
      last = reason;
    }
  }
  return last;
}

function classify(error: unknown): "no_matching_key" | VerifyFailure {
  if (error instanceof errors.JWKSNoMatchingKey) return "no_matching_key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return { kind: "bad_signature" };
  if (error instanceof errors.JWTExpired) return { kind: "expired" };
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { kind: "claims_invalid", detail: `${error.claim}: ${error.reason}` };
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return { kind: "unsupported_alg", alg: "RS256 with an unusable key" };
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return { kind: "malformed", detail: error.message };
  }
  // Anything else (e.g. a key too short for RS256 raises a TypeError) is a failed verification.
  return { kind: "bad_signature" };
}

/** Decodes the (already verified) payload segment, keeping large integers exact. */
function decodeClaims(token: string): Record<string, unknown> | null {
  const segment = token.split(".")[1] ?? "";
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64url.decode(segment));
  } catch {
    return null;
  }
  const parsed = parseJsonPrecise(text);
  if (!parsed.ok || !isRecord(parsed.value)) return null;
  return parsed.value;
}

/**
 * The claims "are the event or contain it": Canvas's exact claim layout is not documented, so accept
 * the envelope at the top level or under one of a few wrapper keys (object or JSON string).
 */
function extractEvent(claims: Record<string, unknown>): unknown {
  if ("metadata" in claims && "body" in claims) return claims;
  for (const key of ["event", "data", "payload", "message"]) {
    const value = claims[key];
    const candidate = typeof value === "string" ? parseJsonPrecise(value) : { ok: true, value };
    if (candidate.ok && isRecord(candidate.value) && "metadata" in candidate.value) return candidate.value;
  }
  return claims;
}

function toDelivery(
  raw: unknown,
  now: Date,
  signed: boolean,
  kid: string | null,
  issuer: string | null,
): VerifyResult {
  const parsed = parseCanvasEvent(raw, now);
  if (!parsed.ok) return fail({ kind: "malformed", detail: parsed.issue });
  return { ok: true, value: { event: parsed.event, signed, kid, issuer } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(error: VerifyFailure): VerifyResult {
  return { ok: false, error };
}
