/**
 * The JWKS that signed Live Events are verified against, fetched from a configured URL through an
 * injected fetch and cached in isolate memory. Canvas rotates keys monthly and serves previous, current
 * and next keys, so a cached set is almost always sufficient; a token naming an unknown `kid` triggers
 * one re-fetch, rate-limited so a burst of forged tokens with random kids cannot turn into a fetch storm
 * against the key endpoint. Concurrent fetches are coalesced into one.
 *
 * jose's `createRemoteJWKSet` can take a custom fetch, but it reads the wall clock itself and folds
 * fetch failures into verification errors; this cache takes `now` from the caller (testable TTL and
 * rate limit) and reports an unreachable key endpoint separately, so the route can answer 503 (Canvas
 * retries) instead of 401 (which would drop a genuine event).
 */
import type { JSONWebKeySet, JWK } from "jose";
import { z } from "zod";

/** Where verify.ts gets keys. `createJwksCache` is the production implementation. */
export interface JwksSource {
  /** The current key set; fetched when nothing is cached or the cached copy is older than the TTL. */
  getKeys(now: Date): Promise<JwksResult>;
  /**
   * Re-fetches because a token named a kid the cached set lacks. Returns the cached set with
   * `refreshed: false` when a fetch already happened within the rate-limit window.
   */
  refreshForUnknownKid(now: Date): Promise<JwksRefreshResult>;
}

export type JwksResult = { ok: true; keys: JSONWebKeySet } | { ok: false; error: string };
export type JwksRefreshResult =
  | { ok: true; keys: JSONWebKeySet; refreshed: boolean }
  | { ok: false; error: string };

/** The subset of `fetch` the cache uses; `globalThis.fetch` satisfies it. */
export type JwksFetch = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal; redirect: "manual" },
) => Promise<Response>;

export type JwksCacheOptions = {
  url: string;
  fetch: JwksFetch;
  /** Cached keys are re-fetched after this long. Default 10 minutes. */
  ttlSeconds?: number;
  /** Minimum time between fetches triggered by unknown kids or failures. Default 30 seconds. */
  minRefreshIntervalSeconds?: number;
  /** Per-fetch timeout. Default 5 seconds. */
  timeoutMs?: number;
};

// Only RSA signature keys can verify RS256, so others are dropped here, and the kept ones are rebuilt
// from the members WebCrypto needs. A key whose alg, use or key_ops rules out RS256 verification is
// dropped too (jose would skip it anyway).
const JwkSchema = z.looseObject({
  kty: z.string(),
  kid: z.string().optional(),
  n: z.string().optional(),
  e: z.string().optional(),
  alg: z.string().optional(),
  use: z.string().optional(),
  key_ops: z.array(z.string()).optional(),
});
const JwksSchema = z.object({ keys: z.array(JwkSchema).max(100) });

function toRs256Jwk(key: z.infer<typeof JwkSchema>): JWK | null {
  if (key.kty !== "RSA" || key.n === undefined || key.e === undefined) return null;
  if (key.alg !== undefined && key.alg !== "RS256") return null;
  if (key.use !== undefined && key.use !== "sig") return null;
  if (key.key_ops !== undefined && !key.key_ops.includes("verify")) return null;
  const jwk: JWK = { kty: "RSA", n: key.n, e: key.e };
  if (key.kid !== undefined) jwk.kid = key.kid;
  if (key.alg !== undefined) jwk.alg = key.alg;
  return jwk;
}

/** Upper bound on a JWKS response; the real one is a few kilobytes. */
const MAX_JWKS_BYTES = 256 * 1024;

/**
 * Creates a JWKS cache. Keep one instance per URL for the life of the isolate (e.g. in a module-level
 * map in the route adapter); a new instance per request would defeat the cache.
 */
export function createJwksCache(options: JwksCacheOptions): JwksSource {
  const ttlMs = (options.ttlSeconds ?? 600) * 1000;
  const minIntervalMs = (options.minRefreshIntervalSeconds ?? 30) * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;

  let cached: { keys: JSONWebKeySet; fetchedAtMs: number } | null = null;
  // Two separate throttles: unknown-kid refreshes (so forged kids cannot cause a fetch storm) and
  // failed fetches (so a down endpoint is not hammered). A TTL reload does not block the first
  // refresh after it, so a key published just after a reload is still picked up at once.
  let lastRefreshMs = Number.NEGATIVE_INFINITY;
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<JwksResult> | null = null;

  const fetchKeys = (nowMs: number): Promise<JwksResult> => {
    if (inFlight !== null) return inFlight;
    inFlight = downloadJwks(options.url, options.fetch, timeoutMs)
      .then((result) => {
        if (result.ok) cached = { keys: result.keys, fetchedAtMs: nowMs };
        else lastFailureMs = nowMs;
        return result;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const coolingDown = (nowMs: number, sinceMs: number): boolean =>
    inFlight === null && nowMs - sinceMs < minIntervalMs;

  return {
    async getKeys(now) {
      const nowMs = now.getTime();
      if (cached !== null && nowMs - cached.fetchedAtMs < ttlMs) return { ok: true, keys: cached.keys };
      if (coolingDown(nowMs, lastFailureMs)) {
        return cached !== null
          ? { ok: true, keys: cached.keys }
          : { ok: false, error: "jwks fetch cooling down" };
      }
      const result = await fetchKeys(nowMs);
      // Rotation is monthly, so a stale set beats none when the endpoint is briefly down.
      if (!result.ok && cached !== null) return { ok: true, keys: cached.keys };
      return result;
    },
    async refreshForUnknownKid(now) {
      const nowMs = now.getTime();
      if (coolingDown(nowMs, lastRefreshMs) || coolingDown(nowMs, lastFailureMs)) {
        return cached !== null
          ? { ok: true, keys: cached.keys, refreshed: false }
          : { ok: false, error: "jwks fetch cooling down" };
      }
      if (inFlight === null) lastRefreshMs = nowMs;
      const result = await fetchKeys(nowMs);
      return result.ok ? { ok: true, keys: result.keys, refreshed: true } : result;
    },
  };
}

/** A fixed key set (tests, or a JWKS pinned in configuration). Never refreshes. */
export function staticJwks(keys: JSONWebKeySet): JwksSource {
  return {
    getKeys: () => Promise.resolve({ ok: true, keys }),
    refreshForUnknownKid: () => Promise.resolve({ ok: true, keys, refreshed: false }),
  };
}

async function downloadJwks(url: string, fetchFn: JwksFetch, timeoutMs: number): Promise<JwksResult> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect could lead off the https URL that was validated; it counts as a failed fetch.
      redirect: "manual",
    });
  } catch (cause) {
    return {
      ok: false,
      error: `jwks fetch failed: ${cause instanceof Error ? cause.name : "unknown error"}`,
    };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return { ok: false, error: `jwks endpoint answered ${response.status}` };
  }
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) return { ok: false, error: "jwks response too large" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "jwks response is not JSON" };
  }
  const parsed = JwksSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: "jwks response has no valid keys array" };
  const keys = parsed.data.keys.map(toRs256Jwk).filter((key): key is JWK => key !== null);
  return { ok: true, keys: { keys } };
}
