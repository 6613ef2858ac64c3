/**
 * Access tokens and what Canvas answers for each token problem: missing, unknown, expired, revoked (401 with
 * WWW-Authenticate: the token is dead) versus a valid token lacking permission on one path (401 without the
 * header, JSON 403, or insufficient developer-key scopes). The token is read from `Authorization: Bearer`
 * first, then the `access_token` query parameter, like Canvas.
 */
import { json, unauthorizedAction } from "./http";
import { iso } from "./time";

export type TokenState = "valid" | "expired" | "revoked" | "invalid";

/** A permission problem for one token on matching paths. */
export interface AccessDenial {
  pathPrefix?: string | undefined;
  pathRegex?: string | undefined;
  method?: string | undefined;
  /** unauthorized = 401 without WWW-Authenticate; forbidden = JSON 403; insufficient_scope = 401 scope message. */
  kind: "unauthorized" | "forbidden" | "insufficient_scope";
}

interface TokenEntry {
  state: TokenState;
  expiredAt: number | null;
  denials: AccessDenial[];
}

export type AuthOutcome = { ok: true; token: string } | { ok: false; response: Response };

const WWW_AUTHENTICATE = { "www-authenticate": 'Bearer realm="canvas-lms"' };

/** The presented token: the Bearer header wins over the access_token parameter. */
export function presentedToken(request: Request, url: URL): string | null {
  const header = request.headers.get("authorization");
  if (header !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1] !== undefined && match[1].trim() !== "") return match[1].trim();
  }
  const param = url.searchParams.get("access_token");
  return param !== null && param !== "" ? param : null;
}

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(
    initial: readonly string[],
    private readonly now: () => number,
  ) {
    for (const token of initial) this.add(token);
  }

  add(token: string, state: TokenState = "valid"): void {
    this.tokens.set(token, { state, expiredAt: state === "expired" ? this.now() : null, denials: [] });
  }

  setState(token: string, state: TokenState): void {
    const entry = this.tokens.get(token);
    if (entry === undefined) this.add(token, state);
    else {
      entry.state = state;
      entry.expiredAt = state === "expired" ? this.now() : null;
    }
  }

  deny(token: string, denial: AccessDenial): void {
    const entry = this.tokens.get(token);
    if (entry === undefined) throw new Error("deny: unknown token");
    entry.denials.push(denial);
  }

  clearDenials(token?: string): void {
    for (const [key, entry] of this.tokens) if (token === undefined || key === token) entry.denials = [];
  }

  /** Authenticates an API request; a failure carries Canvas's exact response. */
  authenticate(token: string | null, method: string, path: string): AuthOutcome {
    if (token === null) {
      return fail(
        401,
        { status: "unauthenticated", errors: [{ message: "user authorization required" }] },
        true,
      );
    }
    const entry = this.tokens.get(token);
    if (entry === undefined || entry.state === "invalid") {
      return fail(401, { errors: [{ message: "Invalid access token." }] }, true);
    }
    if (entry.state === "expired") {
      const expiredAt = iso(entry.expiredAt ?? this.now());
      return fail(401, { errors: [{ message: "Expired access token.", expired_at: expiredAt }] }, true);
    }
    if (entry.state === "revoked") return fail(401, { errors: [{ message: "Revoked access token." }] }, true);
    for (const denial of entry.denials) {
      if (!denialMatches(denial, method, path)) continue;
      if (denial.kind === "unauthorized") return { ok: false, response: unauthorizedAction() };
      if (denial.kind === "insufficient_scope") {
        return fail(401, { errors: [{ message: "Insufficient scopes on access token." }] }, false);
      }
      return fail(
        403,
        { status: "unauthorized", errors: [{ message: "user not authorized to perform that action" }] },
        false,
      );
    }
    return { ok: true, token };
  }

  /** True when the token exists and is currently valid (downloads accept a token instead of a verifier). */
  isValid(token: string | null): boolean {
    return token !== null && this.tokens.get(token)?.state === "valid";
  }
}

function denialMatches(denial: AccessDenial, method: string, path: string): boolean {
  if (denial.method !== undefined && denial.method.toUpperCase() !== method.toUpperCase()) return false;
  if (denial.pathPrefix !== undefined && !path.startsWith(denial.pathPrefix)) return false;
  if (denial.pathRegex !== undefined && !new RegExp(denial.pathRegex).test(path)) return false;
  return true;
}

function fail(status: number, body: unknown, withHeader: boolean): AuthOutcome {
  return { ok: false, response: json(status, body, withHeader ? WWW_AUTHENTICATE : {}) };
}
