/**
 * CSRF protection for what the dashboard session may change. A session cookie is sent by the browser with any
 * request to this origin, including one a hostile page makes it send, so the cookie alone authorises only safe
 * methods (GET, HEAD). A change also needs a token only our own pages know: an HMAC of the session value under the
 * API token, put into each dashboard form and the page's <meta name="csrf-token">. It needs no storage, dies with
 * the session, and stops working when the token is rotated. A cross-origin `Origin` header is refused outright.
 */
import type { Context } from "hono";
import { constantTimeEqual } from "./constant-time";
import { hmacBase64url } from "./hmac";

export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";

/** The CSRF token bound to one session value. */
export async function csrfTokenFor(session: string, secret: string): Promise<string> {
  return hmacBase64url(secret, `canvas-sync-csrf:v1:${session}`);
}

/** True when `presented` is the CSRF token of `session` under one of `secrets`. */
export async function verifyCsrfToken(
  presented: string | undefined,
  session: string,
  secrets: string[],
): Promise<boolean> {
  if (!presented || !/^[A-Za-z0-9_-]{43}$/.test(presented)) return false;
  let valid = false;
  for (const secret of secrets) {
    if (constantTimeEqual(await csrfTokenFor(session, secret), presented)) valid = true;
  }
  return valid;
}

export const isSafeMethod = (method: string): boolean => method === "GET" || method === "HEAD";

/** A browser names the page that sent the request; another origin's page is never allowed to change anything. */
export function crossOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined || origin === "null") return origin === "null";
  return origin !== new URL(c.req.url).origin;
}
