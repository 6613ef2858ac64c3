/**
 * Bearer authentication for /api/* (and /metrics with its own token when configured), compared in constant time so
 * response timing does not reveal how much of a guess was right. Also accepts the dashboard's session cookie.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { errorBody } from "./errors";

export const SESSION_COOKIE = "canvas_sync_token";

/** Constant-time string equality (length differences are also handled without early exit). */
export function constantTimeEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  const length = Math.max(left.length, right.length);
  let difference = left.length ^ right.length;
  for (let index = 0; index < length; index++) {
    difference |= (left[index] ?? 0) ^ (right[index] ?? 0);
  }
  return difference === 0;
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Requires `Authorization: Bearer <one of tokens()>` (or the session cookie when `allowCookie`). */
export function requireToken(
  tokens: (env: Env) => (string | undefined)[],
  options: { allowCookie?: boolean } = {},
): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const presented =
      bearerToken(c.req.header("authorization")) ??
      (options.allowCookie ? getCookie(c, SESSION_COOKIE) : undefined);
    const accepted = tokens(c.env).filter(
      (token): token is string => typeof token === "string" && token.length > 0,
    );
    if (!presented || !accepted.some((token) => constantTimeEqual(presented, token))) {
      c.header("www-authenticate", 'Bearer realm="canvas-sync"');
      return c.json(errorBody("unauthorized", "missing or invalid bearer token"), 401);
    }
    await next();
    return undefined;
  };
}
