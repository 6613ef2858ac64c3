/**
 * The in-process retry policy the Canvas client runs for each request: `inspectError` + `decideRetry` reduced to
 * "retry after this delay with this timeout" or "give up and rethrow". Giving up is not the same as failing the
 * course: the rethrown error keeps its category, and the queue settlement (src/queue/settle.ts) decides what it
 * costs. Skips and token stops are never retried here; the caller acts on the error itself.
 */
import { DEFAULT_BACKOFF, escalateTimeoutMs, type Random } from "./backoff";
import { decideRetry, DEFAULT_RETRY_CONFIG, inspectError, type RetryConfig } from "./classify";

export type RequestRetryDecision = { retry: true; delayMs: number; timeoutMs: number } | { retry: false };

/** Same shape as the Canvas client's RetryPolicy; declared here so resilience does not import the client. */
export type RequestRetryPolicy = (error: unknown, attempt: number) => RequestRetryDecision;

/** In-process limits: smaller than the queue's, because every retry here holds a consumer's wall time. */
export const REQUEST_RETRY_CONFIG: RetryConfig = {
  ...DEFAULT_RETRY_CONFIG,
  backoff: { ...DEFAULT_BACKOFF, baseMs: 1_000, capMs: 60_000 },
  maxTransientRetries: 3,
  maxUnknownRetries: 3,
  maxRateLimitedRetries: 6,
};

export function canvasRetryPolicy(
  baseTimeoutMs: number,
  random: Random = Math.random,
  config: RetryConfig = REQUEST_RETRY_CONFIG,
): RequestRetryPolicy {
  return (error, attempt) => {
    const facts = inspectError(error);
    const decision = decideRetry(facts, attempt, { ...config, baseTimeoutMs, random });
    if (decision.action !== "retry") return { retry: false };
    return {
      retry: true,
      delayMs: decision.delayMs,
      // Only a timeout earns a longer timeout; after other errors the request gets the normal one again.
      timeoutMs: decision.timeoutMs ?? escalateTimeoutMs(baseTimeoutMs, 1, config.timeoutEscalation),
    };
  };
}
