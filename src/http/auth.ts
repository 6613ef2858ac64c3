/**
 * Bearer authentication for /api/*, /metrics (which also takes METRICS_TOKEN) and the dashboard, compared in
 * constant time so response timing does not reveal how much of a guess was right. Where `allowCookie` is set, the
 * dashboard's signed session cookie (src/http/session.ts) is accepted instead of the header, for safe methods only:
 * a change made with the cookie also needs the session's CSRF token (src/http/csrf.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "./database";
import { constantTimeEqual } from "./constant-time";
import { CSRF_HEADER, crossOrigin, isSafeMethod, verifyCsrfToken } from "./csrf";
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

/** How a request proved who it is: a bearer token, the dashboard session (with its value), or not at all. */
export type Credential = { kind: "bearer" } | { kind: "session"; session: string } | { kind: "none" };

function acceptedTokens(env: Env, tokens: TokenSource): string[] {
  return tokens(env).filter((token): token is string => typeof token === "string" && token.length > 0);
}

/** Which credential the request carries that matches one of `tokens()` (the session only with `allowCookie`). */
export async function credentialOf(
  c: Context<AppEnv>,
  tokens: TokenSource,
  options: { allowCookie?: boolean } = {},
): Promise<Credential> {
  const accepted = acceptedTokens(c.env, tokens);
  if (accepted.length === 0) return { kind: "none" };
  const presented = bearerToken(c.req.header("authorization"));
  if (presented !== null) {
    let valid = false;
    for (const token of accepted) if (constantTimeEqual(presented, token)) valid = true;
    return valid ? { kind: "bearer" } : { kind: "none" };
  }
  const session = options.allowCookie ? getCookie(c, SESSION_COOKIE) : undefined;
  if (session && (await verifySession(session, accepted, Date.now()))) return { kind: "session", session };
  return { kind: "none" };
}

/** Whether the request carries one of `tokens()` as a bearer token, or (with `allowCookie`) a valid session. */
export async function isAuthenticated(
  c: Context<AppEnv>,
  tokens: TokenSource,
  options: { allowCookie?: boolean } = {},
): Promise<boolean> {
  return (await credentialOf(c, tokens, options)).kind !== "none";
}

/**
 * Requires `Authorization: Bearer <one of tokens()>`, else a JSON 401. With `allowCookie` the session cookie also
 * works: for GET and HEAD as it is, for anything else only with the session's CSRF token in `x-csrf-token` and no
 * foreign `Origin` (else a JSON 403).
 */
export function requireToken(
  tokens: TokenSource,
  options: { allowCookie?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = await credentialOf(c, tokens, options);
    if (credential.kind === "none") {
      c.header("www-authenticate", 'Bearer realm="canvas-sync"');
      return c.json(errorBody("unauthorized", "missing or invalid bearer token"), 401);
    }
    if (credential.kind === "session" && !isSafeMethod(c.req.method)) {
      const tokenOk = await verifyCsrfToken(
        c.req.header(CSRF_HEADER),
        credential.session,
        acceptedTokens(c.env, tokens),
      );
      if (!tokenOk || crossOrigin(c)) {
        return c.json(
          errorBody(
            "csrf_rejected",
            "the dashboard session may only read; a change needs the bearer token or the page's CSRF token",
          ),
          403,
        );
      }
    }
    await next();
    return undefined;
  };
}
