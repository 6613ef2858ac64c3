/**
 * The error classifier and the in-process retry decision (the seed design's SyncErrorHandler, as pure functions).
 * `classifyError` walks the `cause` chain from the outside in and takes the first error it recognises, so a wrapper
 * such as "page 3 of modules failed" does not hide the 403 underneath. `decideRetry` turns a category and an attempt
 * number into a tagged action:
 * - rate_limited: retry after full-jitter backoff floored by Retry-After; never a failure of the course
 * - timeout: retry with the timeout x1.5 per attempt
 * - transient (5xx, network): retry with backoff
 * - auth: stop every sync on the token (no retry until the token changes)
 * - permission, content (incl. 404 mid-sync): skip the item, record why, continue
 * - unknown: retry with caution (half the concurrency, 4x the delay), at most 3 times, then fail
 */
import { z } from "zod";
import {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  DEFAULT_TIMEOUT_ESCALATION,
  escalateTimeoutMs,
  type BackoffConfig,
  type Random,
  type TimeoutEscalation,
} from "./backoff";
import { unreachable } from "../shared/unreachable";
import { redactSecrets, SyncError, type SyncErrorKind, type TokenState } from "./errors";

export type ErrorCategory =
  | "rate_limited"
  | "timeout"
  | "auth"
  | "permission"
  | "content"
  | "transient"
  | "unknown";

/** A category plus what the retry decision needs from the error; `reason` is safe to log and store. */
export interface ErrorFacts {
  category: ErrorCategory;
  reason: string;
  status?: number;
  retryAfterMs?: number;
  tokenState?: TokenState;
}

/** How deep `cause` chains are followed; real chains are 2-3 deep, and this also stops cycles early. */
const MAX_CAUSE_DEPTH = 8;

const NETWORK_MESSAGE =
  /network connection lost|fetch failed|failed to fetch|econnreset|econnrefused|etimedout|socket hang up|connection (reset|refused|closed)|internal error; reference/i;

/**
 * Cloudflare's per-invocation limits (subrequests, D1 queries) surface as plain errors with these messages. They
 * say nothing about Canvas or the course: the delivery stops and the job continues in a fresh invocation, which
 * counts like throttling (never a failure).
 */
const PLATFORM_LIMIT_MESSAGE = /too many subrequests|too many api requests by single worker invocation/i;

/** True when the error (or one of its causes) is a platform per-invocation limit. */
export function isPlatformLimit(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (PLATFORM_LIMIT_MESSAGE.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/** The category of any thrown value. */
export function classifyError(err: unknown): ErrorCategory {
  return inspectError(err).category;
}

/** The category plus retry-relevant details (status, Retry-After, token state) and a loggable reason. */
export function inspectError(err: unknown): ErrorFacts {
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && !seen.has(current); depth++) {
    seen.add(current);
    const facts = recognise(current);
    if (facts) return facts;
    current = current instanceof Error ? current.cause : undefined;
  }
  return { category: "unknown", reason: reasonOf(err) };
}

function recognise(err: unknown): ErrorFacts | undefined {
  if (err instanceof SyncError) {
    return {
      category: categoryOfKind(err.kind),
      reason: reasonOf(err),
      ...(err.status === undefined ? {} : { status: err.status }),
      ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
      ...(err.tokenState === undefined ? {} : { tokenState: err.tokenState }),
    };
  }
  if (!(err instanceof Error)) return undefined;
  // AbortSignal.timeout() rejects with a TimeoutError DOMException; our fetches only abort on timeouts.
  if (err.name === "TimeoutError" || err.name === "AbortError")
    return { category: "timeout", reason: reasonOf(err) };
  // A body that is not JSON, fails its schema, or that the client flags as malformed is bad content, not bad luck.
  if (
    err instanceof z.ZodError ||
    err.name === "ZodError" ||
    err instanceof SyntaxError ||
    isMalformed(err)
  ) {
    return { category: "content", reason: reasonOf(err) };
  }
  if (PLATFORM_LIMIT_MESSAGE.test(err.message)) return { category: "rate_limited", reason: reasonOf(err) };
  if (NETWORK_MESSAGE.test(err.message)) return { category: "transient", reason: reasonOf(err) };
  return undefined;
}

function isMalformed(err: Error): boolean {
  return "kind" in err && (err as { kind: unknown }).kind === "malformed";
}

/** The one exhaustive map from error kind to category. */
export function categoryOfKind(kind: SyncErrorKind): ErrorCategory {
  switch (kind) {
    case "rate_limited":
      return "rate_limited";
    case "timeout":
      return "timeout";
    case "network":
    case "server":
      return "transient";
    case "auth_token":
      return "auth";
    case "permission":
      return "permission";
    case "not_found":
    case "content":
      return "content";
    case "unknown":
      return "unknown";
    default:
      return unreachable(kind, "error kind");
  }
}

/**
 * Whether the failure says something about the Canvas host's health, i.e. counts towards the per-host breaker.
 * Throttling, a dead token and problems with one object all come from a Canvas that is up.
 */
export function countsAsHostFailure(category: ErrorCategory): boolean {
  switch (category) {
    case "timeout":
    case "transient":
    case "unknown":
      return true;
    case "rate_limited":
    case "auth":
    case "permission":
    case "content":
      return false;
    default:
      return unreachable(category, "error category");
  }
}

/** Whether a job that ended with this error counts as a failure of the course (the scheduler's backoff input). */
export function countsAsCourseFailure(category: ErrorCategory): boolean {
  return category !== "rate_limited";
}

export type RetryDecision =
  | { action: "retry"; delayMs: number; timeoutMs?: number; concurrency?: number }
  | { action: "skip_item"; reason: string }
  | { action: "stop_token"; tokenState: TokenState }
  | { action: "fail"; reason: string };

export interface RetryConfig {
  backoff: BackoffConfig;
  timeoutEscalation: TimeoutEscalation;
  /** the timeout of the first attempt */
  baseTimeoutMs: number;
  /** the "at most 3 retries" for unknown errors */
  maxUnknownRetries: number;
  /** timeouts and 5xx/network errors */
  maxTransientRetries: number;
  /** in-process only; past this the job hands the wait to the queue, which never counts it as a failure */
  maxRateLimitedRetries: number;
  /** "longer delay" for unknown errors: this multiple of the normal backoff */
  cautionDelayFactor: number;
}

export const DEFAULT_RETRY_CONFIG: RetryConfig = {
  backoff: DEFAULT_BACKOFF,
  timeoutEscalation: DEFAULT_TIMEOUT_ESCALATION,
  baseTimeoutMs: 30_000,
  maxUnknownRetries: 3,
  maxTransientRetries: 5,
  maxRateLimitedRetries: 8,
  cautionDelayFactor: 4,
};

export interface RetryOptions extends Partial<RetryConfig> {
  random: Random;
  /** current request concurrency; unknown errors halve it */
  concurrency?: number;
}

/**
 * What to do after attempt number `attempt` (1 = the first try) failed with `error`. Accepts a bare category or
 * the facts from `inspectError` (which carry Retry-After and the token state).
 */
export function decideRetry(
  error: ErrorCategory | ErrorFacts,
  attempt: number,
  options: RetryOptions,
): RetryDecision {
  const facts: ErrorFacts = typeof error === "string" ? { category: error, reason: error } : error;
  // exactOptionalPropertyTypes guarantees given keys are not undefined, so the spread never erases a default.
  const config: RetryConfig = { ...DEFAULT_RETRY_CONFIG, ...options };
  const retryNumber = Math.max(1, Math.floor(attempt));
  const delay = (): number => backoffDelayMs(retryNumber, options.random, config.backoff, facts.retryAfterMs);

  switch (facts.category) {
    case "rate_limited":
      if (retryNumber > config.maxRateLimitedRetries) {
        return { action: "fail", reason: `still rate limited after ${retryNumber} attempts` };
      }
      return { action: "retry", delayMs: delay() };
    case "timeout":
      if (retryNumber > config.maxTransientRetries) {
        return { action: "fail", reason: `timed out ${retryNumber} times: ${facts.reason}` };
      }
      return {
        action: "retry",
        delayMs: delay(),
        timeoutMs: escalateTimeoutMs(config.baseTimeoutMs, retryNumber + 1, config.timeoutEscalation),
      };
    case "transient":
      if (retryNumber > config.maxTransientRetries) {
        return { action: "fail", reason: `failed ${retryNumber} times: ${facts.reason}` };
      }
      return { action: "retry", delayMs: delay() };
    case "auth":
      return { action: "stop_token", tokenState: facts.tokenState ?? "invalid" };
    case "permission":
    case "content":
      return { action: "skip_item", reason: facts.reason };
    case "unknown":
      if (retryNumber > config.maxUnknownRetries) {
        return {
          action: "fail",
          reason: `unknown error persisted after ${config.maxUnknownRetries} retries: ${facts.reason}`,
        };
      }
      return {
        action: "retry",
        delayMs: delay() * config.cautionDelayFactor,
        concurrency: Math.max(1, Math.floor((options.concurrency ?? 1) / 2)),
      };
    default:
      return unreachable(facts.category, "error category");
  }
}

/** A loggable, bounded, secret-free description of a thrown value. */
export function reasonOf(err: unknown): string {
  const text =
    err instanceof Error ? `${err.name}: ${err.message}` : typeof err === "string" ? err : "non-error thrown";
  return redactSecrets(text).slice(0, 300);
}
