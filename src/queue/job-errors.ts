/**
 * Pure: what an error that ended a sync attempt means for the job. Item-level problems never get here (the pipeline
 * skips a forbidden or malformed object and goes on), so an error at this level failed the whole attempt:
 * - a body cut off or garbled in transit (JSON that does not parse, a file shorter than its size) is a transport
 *   failure, retried like a dropped connection even though its bytes look like bad content;
 * - a dead token stops the job (and every job on the token) until the token changes;
 * - permission and content errors at this level (the course itself gone or forbidden) cannot heal by retrying;
 * - everything else is retried by the queue with backoff (src/queue/settle.ts), unknown errors at most 3 times.
 */
import { escalateTimeoutMs } from "../resilience/backoff";
import { inspectError, type ErrorCategory } from "../resilience/classify";
import { networkError, type TokenState } from "../resilience/errors";
import { isTransportFailure } from "../sync/item-failure";
import { settleMessage, type SettleOptions, type SettleOutcome, type Settlement } from "./settle";

export interface JobFailure {
  category: ErrorCategory;
  /** safe to log and store: no token, no query string */
  reason: string;
  retryAfterMs: number | null;
  tokenState: TokenState | null;
}

/** How the earlier deliveries of a job ended (kept by CourseSync; crashed deliveries recorded nothing). */
export interface DeliveryCounts {
  settled: number;
  rateLimited: number;
  timeouts: number;
  unknown: number;
}

export function classifyJobError(error: unknown): JobFailure {
  const facts = inspectError(isTransportFailure(error) ? networkError("transfer", error) : error);
  return {
    category: facts.category,
    reason: facts.reason,
    retryAfterMs: facts.retryAfterMs ?? null,
    tokenState: facts.category === "auth" ? (facts.tokenState ?? "invalid") : null,
  };
}

/**
 * The settlement of a failed delivery. `attempts` is this delivery's `message.attempts`; `history` is how the
 * earlier ones ended. Rate-limited deliveries never count as failures. For an unknown error only unknown failures
 * and crashed deliveries (which are unknown by nature) count against its budget of 3 retries, so a job that had a
 * few 5xx earlier still gets its cautious retries.
 */
export function settleJobFailure(
  failure: JobFailure,
  attempts: number,
  maxRetries: number,
  history: DeliveryCounts,
  options: Omit<SettleOptions, "priorRateLimited"> = {},
): Settlement {
  const outcome: SettleOutcome =
    failure.category === "auth"
      ? { type: "token_dead", tokenState: failure.tokenState ?? "invalid" }
      : failure.category === "permission" || failure.category === "content"
        ? { type: "permanent", reason: failure.reason }
        : { type: "retryable", category: failure.category, retryAfterMs: failure.retryAfterMs };
  const priorNotCounted =
    failure.category === "unknown" ? history.settled - history.unknown : history.rateLimited;
  return settleMessage(outcome, attempts, maxRetries, {
    ...options,
    priorRateLimited: Math.max(0, priorNotCounted),
  });
}

/** The request timeout for a job's next delivery: x1.5 for every earlier delivery that ended in a timeout. */
export function deliveryTimeoutMs(baseTimeoutMs: number, history: DeliveryCounts): number {
  return escalateTimeoutMs(baseTimeoutMs, 1 + history.timeouts);
}
