/**
 * The dashboard's session cookie. It never holds the API token itself (a response must not carry a secret): its
 * value is `<expiry>.<HMAC-SHA256(API token, expiry)>`, so it proves the holder once presented the token, expires
 * on its own, and stops working when the token is rotated.
 */
import { constantTimeEqual } from "./constant-time";
import { hmacBase64url } from "./hmac";

export const SESSION_COOKIE = "canvas_sync_token";
export const SESSION_TTL_SECONDS = 12 * 3600;

async function mac(secret: string, expiresAt: number): Promise<string> {
  return hmacBase64url(secret, `canvas-sync-session:v1:${expiresAt}`);
}

/** A session value for `secret` valid until `nowMs + ttlSeconds`. */
export async function createSession(
  secret: string,
  nowMs: number,
  ttlSeconds = SESSION_TTL_SECONDS,
): Promise<string> {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  return `${expiresAt}.${await mac(secret, expiresAt)}`;
}

/** True when `value` is an unexpired session minted with one of `secrets`. */
export async function verifySession(value: string, secrets: string[], nowMs: number): Promise<boolean> {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match?.[1] || !match[2]) return false;
  const expiresAt = Number(match[1]);
  if (expiresAt * 1000 <= nowMs) return false;
  let valid = false;
  for (const secret of secrets) {
    // Every secret is checked, so timing does not reveal which one matched.
    if (constantTimeEqual(await mac(secret, expiresAt), match[2])) valid = true;
  }
  return valid;
}
