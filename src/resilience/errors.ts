/**
 * The sync error model. Every failure that the resilience logic must tell apart is a `SyncError` with a `kind`;
 * `CanvasHttpError` is the one the Canvas client throws for a non-2xx response, built by `canvasErrorFromResponse`,
 * which implements the rules of the Canvas reference (section 1 "Failure responses", section 3 "What a throttled
 * request returns"). Messages never carry a token: URLs lose their query string (where `access_token` could sit),
 * and free text from elsewhere goes through `redactSecrets`.
 */
import { z } from "zod";

/** What went wrong, as far as retrying is concerned. */
export type SyncErrorKind =
  | "rate_limited"
  | "timeout"
  | "network"
  | "auth_token"
  | "permission"
  | "not_found"
  | "content"
  | "server"
  | "unknown";

/** Why Canvas refused a token, read from its message when it says (older Canvas always says "Invalid"). */
export type TokenState = "invalid" | "expired" | "revoked";

export interface SyncErrorDetails {
  status?: number;
  retryAfterMs?: number;
  tokenState?: TokenState;
  cause?: unknown;
}

/** A classified failure of the sync; `cause` keeps the original error for logs. */
export class SyncError extends Error {
  readonly kind: SyncErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly tokenState: TokenState | undefined;

  constructor(kind: SyncErrorKind, message: string, details: SyncErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SyncError";
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.tokenState = details.tokenState;
  }
}

/** A non-2xx answer from Canvas. `url` has no query string or credentials. */
export class CanvasHttpError extends SyncError {
  readonly url: string;
  /** `X-Rate-Limit-Remaining` on the failed response, when Canvas sent it (the rate budget wants it). */
  readonly rateLimitRemaining: number | undefined;

  constructor(
    kind: SyncErrorKind,
    message: string,
    url: string,
    details: SyncErrorDetails & { rateLimitRemaining?: number } = {},
  ) {
    super(kind, message, details);
    this.name = "CanvasHttpError";
    this.url = stripUrl(url);
    this.rateLimitRemaining = details.rateLimitRemaining;
  }
}

/** A request that did not answer within its timeout; the retry raises the timeout by 1.5x. */
export function timeoutError(url: string, timeoutMs: number, cause?: unknown): SyncError {
  return new SyncError("timeout", `request to ${stripUrl(url)} timed out after ${timeoutMs} ms`, { cause });
}

/** A connection that failed before any HTTP status arrived. */
export function networkError(url: string, cause?: unknown): SyncError {
  return new SyncError("network", `network failure calling ${stripUrl(url)}`, { cause });
}

/** A malformed object or unparseable file: the item is skipped and the job goes on. */
export function contentError(reason: string, cause?: unknown): SyncError {
  return new SyncError("content", redactSecrets(reason), { cause });
}

/** Canvas's usual error body, `{"errors":[{"message":...}]}`. */
const CanvasErrorsBodySchema = z
  .object({ errors: z.array(z.object({ message: z.string() }).loose()).min(1) })
  .loose();
/** The odd one out, e.g. a deleted page: `{"message":"page not found"}`. */
const CanvasMessageBodySchema = z.object({ message: z.string() }).loose();

/**
 * Turns a failed Canvas response into the error the client throws:
 * - 429, or 403 whose body contains "Rate Limit Exceeded" -> rate_limited (Retry-After honoured, seconds or date)
 * - 401 with WWW-Authenticate -> auth_token, state from "Invalid/Expired/Revoked access token."
 * - 401 without it, or 403 with a JSON body -> permission (one object; skip it)
 * - 404 -> not_found; 5xx -> server; anything else -> unknown
 * `now` resolves an HTTP-date Retry-After; pass the request's clock in tests.
 */
export function canvasErrorFromResponse(
  status: number,
  headers: Headers,
  bodyText: string,
  url: string,
  now: number = Date.now(),
): CanvasHttpError {
  const where = stripUrl(url);
  const canvasMessage = canvasMessageOf(bodyText);
  const said = canvasMessage === undefined ? "" : `: ${canvasMessage}`;
  const remaining = numberOrUndefined(headers.get("x-rate-limit-remaining"));
  const common = {
    status,
    ...(remaining === undefined ? {} : { rateLimitRemaining: remaining }),
  };

  if (status === 429 || (status === 403 && /rate limit exceeded/i.test(bodyText))) {
    const retryAfterMs = parseRetryAfter(headers.get("retry-after"), now);
    return new CanvasHttpError("rate_limited", `Canvas rate limit exceeded (${status}) on ${where}`, url, {
      ...common,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 401) {
    if (headers.has("www-authenticate")) {
      const tokenState = tokenStateOf(canvasMessage ?? bodyText);
      return new CanvasHttpError("auth_token", `Canvas rejected the access token (${tokenState})`, url, {
        ...common,
        tokenState,
      });
    }
    return new CanvasHttpError("permission", `Canvas denied access to ${where} (401)${said}`, url, common);
  }
  if (status === 403) {
    if (isJson(bodyText)) {
      return new CanvasHttpError("permission", `Canvas denied access to ${where} (403)${said}`, url, common);
    }
    return new CanvasHttpError("unknown", `Canvas answered 403 without JSON on ${where}`, url, common);
  }
  if (status === 404) {
    return new CanvasHttpError("not_found", `Canvas has no object at ${where}${said}`, url, common);
  }
  if (status >= 500 && status <= 599) {
    return new CanvasHttpError("server", `Canvas server error ${status} on ${where}`, url, common);
  }
  return new CanvasHttpError("unknown", `unexpected Canvas status ${status} on ${where}${said}`, url, common);
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date (RFC 9110 10.2.3). Absent, garbage or
 * negative values give undefined so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number.parseFloat(trimmed) * 1000);
  // An HTTP-date always names a day or month; without letters, Date.parse would read "-5" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The URL without query string, fragment or userinfo: the only form allowed in messages and records. */
export function stripUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/, 1)[0] ?? "";
  }
}

/**
 * Best-effort scrub of free text that may reach logs: bearer credentials, `access_token=` parameters and query
 * strings of URLs. Tokens should never get this far; this is the second fence, not the first.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(bearer\s+)[^\s"',;]+/gi, "$1[redacted]")
    .replace(/(access_token|api_key|token)=([^&\s"']+)/gi, "$1=[redacted]")
    .replace(/(https?:\/\/[^\s?#"']+)\?[^\s"']*/gi, "$1");
}

function tokenStateOf(message: string): TokenState {
  if (/expired access token/i.test(message)) return "expired";
  if (/revoked access token/i.test(message)) return "revoked";
  return "invalid";
}

function canvasMessageOf(bodyText: string): string | undefined {
  const body = parseJson(bodyText);
  const errors = CanvasErrorsBodySchema.safeParse(body);
  const single = CanvasMessageBodySchema.safeParse(body);
  const message = errors.success
    ? errors.data.errors[0]?.message
    : single.success
      ? single.data.message
      : undefined;
  return message === undefined ? undefined : redactSecrets(message).slice(0, 200);
}

function isJson(bodyText: string): boolean {
  const value = parseJson(bodyText);
  return value !== undefined && typeof value === "object" && value !== null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function numberOrUndefined(value: string | null): number | undefined {
  if (value === null) return undefined;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
