/**
 * Bearer authentication for /api/*, /metrics (which also takes METRICS_TOKEN) and the dashboard, compared in
 * constant time so response timing does not reveal how much of a guess was right. Where `allowCookie` is set, the
 * dashboard's signed session cookie (src/api/session.ts) is accepted instead of the header.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { constantTimeEqual } from "./constant-time";
import { errorBody } from "./errors";
import { SESSION_COOKIE, verifySession } from "./session";

export { constantTimeEqual } from "./constant-time";
export { SESSION_COOKIE } from "./session";

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

type TokenSource = (env: Env) => (string | undefined)[];

/** Whether the request carries one of `tokens()` as a bearer token, or (with `allowCookie`) a valid session. */
export async function isAuthenticated(
  c: Context<{ Bindings: Env }>,
  tokens: TokenSource,
  options: { allowCookie?: boolean } = {},
): Promise<boolean> {
  const accepted = tokens(c.env).filter(
    (token): token is string => typeof token === "string" && token.length > 0,
  );
  if (accepted.length === 0) return false;
  const presented = bearerToken(c.req.header("authorization"));
  if (presented !== null) {
    let valid = false;
    for (const token of accepted) if (constantTimeEqual(presented, token)) valid = true;
    return valid;
  }
  const session = options.allowCookie ? getCookie(c, SESSION_COOKIE) : undefined;
  return session ? verifySession(session, accepted, Date.now()) : false;
}

/** Requires `Authorization: Bearer <one of tokens()>` (or the session cookie when `allowCookie`); else a JSON 401. */
export function requireToken(
  tokens: TokenSource,
  options: { allowCookie?: boolean } = {},
): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (!(await isAuthenticated(c, tokens, options))) {
      c.header("www-authenticate", 'Bearer realm="canvas-sync"');
      return c.json(errorBody("unauthorized", "missing or invalid bearer token"), 401);
    }
    await next();
    return undefined;
  };
}
