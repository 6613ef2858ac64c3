/**
 * How a queue delivery ends, as a pure decision: ack, retry with a delay, or dead-letter. Rules:
 * - succeeded -> ack;
 * - token_dead -> ack: the courses are marked auth_failed and an alert is raised elsewhere; replaying the message
 *   could only fail again until the token changes, and then the scheduler enqueues fresh jobs;
 * - permanent -> dead-letter with the reason;
 * - retryable -> retry with full-jitter backoff (a Retry-After is a floor), delays capped at the queue's 24 h;
 *   - rate_limited is never a failure: it does not consume the unknown-error budget;
 *   - unknown errors get at most `maxUnknownRetries` (3) retries and a longer delay;
 *   - and nothing is retried past the queue's `max_retries`, where Queues would dead-letter it anyway.
 * `attempts` is the delivery's `message.attempts` (1 on the first delivery). Queues does not say how earlier
 * deliveries ended, so callers that track rate-limited deliveries pass `priorRateLimited`; without it they count
 * against the unknown budget too, which errs on the side of giving up.
 */
import { backoffDelayMs, type BackoffConfig, type Random } from "../resilience/backoff";
import { inspectError } from "../resilience/classify";
import type { TokenState } from "../resilience/errors";
import { unreachable } from "../shared/unreachable";

/** The categories worth another delivery (auth, permission and content never are). */
export type RetryableCategory = "rate_limited" | "timeout" | "transient" | "unknown";

export type SettleOutcome =
  | { type: "succeeded" }
  | { type: "retryable"; category: RetryableCategory; retryAfterMs?: number | null }
  | { type: "permanent"; reason: string }
  | { type: "token_dead"; tokenState?: TokenState };

export type Settlement =
  | { action: "ack"; reason?: string }
  | { action: "retry"; delaySeconds: number }
  | { action: "dead_letter"; reason: string };

/** Queues' maximum delivery delay (24 h). */
export const MAX_QUEUE_DELAY_SECONDS = 86_400;

export interface SettleConfig {
  backoff: BackoffConfig;
  maxUnknownRetries: number;
  cautionDelayFactor: number;
  /** at least this delay, so a retry never lands in the same second as the failure */
  minDelaySeconds: number;
}

export const DEFAULT_SETTLE_CONFIG: SettleConfig = {
  // Queue-level retries come after the in-process ones have given up, so they start slower than request retries.
  backoff: { baseMs: 30_000, capMs: 3_600_000, multiplier: 2, retryAfterSpread: 0.1 },
  maxUnknownRetries: 3,
  cautionDelayFactor: 2,
  minDelaySeconds: 1,
};

export interface SettleOptions extends Partial<SettleConfig> {
  random?: Random;
  /** how many earlier deliveries of this message ended rate limited, if the caller tracks it */
  priorRateLimited?: number;
}

export function settleMessage(
  outcome: SettleOutcome,
  attempts: number,
  maxRetries: number,
  options: SettleOptions = {},
): Settlement {
  switch (outcome.type) {
    case "succeeded":
      return { action: "ack" };
    case "token_dead":
      return { action: "ack", reason: `token_dead:${outcome.tokenState ?? "invalid"}` };
    case "permanent":
      return { action: "dead_letter", reason: outcome.reason };
    case "retryable":
      return settleRetryable(outcome, attempts, maxRetries, options);
    default:
      return unreachable(outcome, "settle outcome");
  }
}

function settleRetryable(
  outcome: Extract<SettleOutcome, { type: "retryable" }>,
  attempts: number,
  maxRetries: number,
  options: SettleOptions,
): Settlement {
  const config: SettleConfig = { ...DEFAULT_SETTLE_CONFIG, ...options };
  const random = options.random ?? Math.random;
  const delivery = Math.max(1, Math.floor(attempts));
  if (delivery > maxRetries) {
    return {
      action: "dead_letter",
      reason: `${outcome.category} after ${delivery} deliveries: the queue's ${maxRetries} retries are used up`,
    };
  }
  // Failures that count: every delivery so far except the rate-limited ones (this one included unless it is one).
  const priorRateLimited = Math.min(delivery - 1, Math.max(0, options.priorRateLimited ?? 0));
  const failures =
    outcome.category === "rate_limited" ? delivery - priorRateLimited - 1 : delivery - priorRateLimited;

  const retryAfterMs = outcome.retryAfterMs ?? undefined;
  switch (outcome.category) {
    case "rate_limited":
      return retryIn(backoffDelayMs(delivery, random, config.backoff, retryAfterMs), config);
    case "timeout":
    case "transient":
      return retryIn(backoffDelayMs(Math.max(1, failures), random, config.backoff, retryAfterMs), config);
    case "unknown":
      if (failures > config.maxUnknownRetries) {
        return {
          action: "dead_letter",
          reason: `unknown error: ${failures} failures exceed the budget of ${config.maxUnknownRetries} retries`,
        };
      }
      return retryIn(
        backoffDelayMs(failures, random, config.backoff, retryAfterMs) * config.cautionDelayFactor,
        config,
      );
    default:
      return unreachable(outcome.category, "retryable category");
  }
}

function retryIn(delayMs: number, config: SettleConfig): Settlement {
  const seconds = Math.ceil(delayMs / 1000);
  return {
    action: "retry",
    delaySeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(config.minDelaySeconds, seconds)),
  };
}

/** The outcome of a delivery that threw: the error's category decides (see src/resilience/classify.ts). */
export function outcomeForError(error: unknown): SettleOutcome {
  const facts = inspectError(error);
  switch (facts.category) {
    case "auth":
      return facts.tokenState === undefined
        ? { type: "token_dead" }
        : { type: "token_dead", tokenState: facts.tokenState };
    case "permission":
    case "content":
      return { type: "permanent", reason: facts.reason };
    case "rate_limited":
    case "timeout":
    case "transient":
    case "unknown":
      return { type: "retryable", category: facts.category, retryAfterMs: facts.retryAfterMs ?? null };
    default:
      return unreachable(facts.category, "error category");
  }
}
