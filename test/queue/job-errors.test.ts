/**
 * The pure job-level decisions: which errors fail a whole attempt in which category (a body cut off in transit is a
 * transport failure, not bad content), how the queue settles a failed delivery given how the earlier ones ended
 * (rate limits never count; the unknown budget counts unknown failures and crashed deliveries only), and the
 * timeout of the next delivery after timeouts.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CanvasResponseError } from "../../src/canvas/client";
import {
  classifyJobError,
  deliveryTimeoutMs,
  settleJobFailure,
  type DeliveryCounts,
} from "../../src/queue/job-errors";
import { seededRandom } from "../../src/resilience/backoff";
import { canvasErrorFromResponse } from "../../src/resilience/errors";
import { SizeMismatchError } from "../../src/storage/r2/stream-to-r2";

/** The queue-level backoff ceiling in seconds: 30 s doubled per attempt. */
function ceiling(attempt: number): number {
  return Math.ceil((30_000 * 2 ** (attempt - 1)) / 1000);
}

const NONE: DeliveryCounts = { settled: 0, rateLimited: 0, timeouts: 0, unknown: 0 };
const random = seededRandom(3);

function syntaxError(): SyntaxError {
  try {
    JSON.parse('{"truncated');
  } catch (error) {
    if (error instanceof SyntaxError) return error;
  }
  throw new Error("JSON.parse accepted a truncated body");
}

describe("classifyJobError", () => {
  it("a body that does not parse is a transport failure (transient); an object that breaks its schema is content", () => {
    const cut = new CanvasResponseError("malformed JSON from /pages", "/pages", { cause: syntaxError() });
    expect(classifyJobError(cut).category).toBe("transient");
    const schema = z.object({ id: z.number() }).safeParse({});
    const wrongShape = new CanvasResponseError("unexpected /course response", "/course", {
      cause: schema.error,
    });
    expect(classifyJobError(wrongShape).category).toBe("content");
  });

  it("a file that kept arriving short is transient at the job level", () => {
    expect(classifyJobError(new SizeMismatchError(100, 50, false)).category).toBe("transient");
  });

  it("a dead token says which way it died; Retry-After is carried", () => {
    const headers = new Headers({ "www-authenticate": 'Bearer realm="canvas-lms"' });
    const expired = canvasErrorFromResponse(
      401,
      headers,
      '{"errors":[{"message":"Expired access token."}]}',
      "https://c/x",
    );
    expect(classifyJobError(expired)).toMatchObject({ category: "auth", tokenState: "expired" });
    const throttled = canvasErrorFromResponse(429, new Headers({ "retry-after": "7" }), "", "https://c/x");
    expect(classifyJobError(throttled)).toMatchObject({ category: "rate_limited", retryAfterMs: 7_000 });
  });
});

describe("settleJobFailure", () => {
  const unknown = classifyJobError(new Error("something odd"));
  const transient = classifyJobError(canvasErrorFromResponse(503, new Headers(), "", "https://c/x"));
  const limited = classifyJobError(
    canvasErrorFromResponse(429, new Headers({ "retry-after": "30" }), "", "https://c/x"),
  );

  it("gives an unknown error three cautious retries even after earlier 5xx deliveries", () => {
    const afterThreeTransient: DeliveryCounts = { settled: 3, rateLimited: 0, timeouts: 0, unknown: 0 };
    expect(unknown.category).toBe("unknown");
    expect(settleJobFailure(unknown, 4, 8, afterThreeTransient, { random }).action).toBe("retry");
  });

  it("dead-letters the fourth unknown failure, counting crashed deliveries as unknown", () => {
    const threeUnknown: DeliveryCounts = { settled: 3, rateLimited: 0, timeouts: 0, unknown: 3 };
    expect(settleJobFailure(unknown, 4, 8, threeUnknown, { random }).action).toBe("dead_letter");
    // Three earlier deliveries that crashed without recording anything.
    expect(settleJobFailure(unknown, 4, 8, NONE, { random }).action).toBe("dead_letter");
    expect(settleJobFailure(unknown, 3, 8, NONE, { random }).action).toBe("retry");
  });

  it("retries rate limiting after at least Retry-After, whatever came before, until the queue's retries end", () => {
    const many: DeliveryCounts = { settled: 7, rateLimited: 7, timeouts: 0, unknown: 0 };
    const settled = settleJobFailure(limited, 8, 8, many, { random });
    expect(settled.action).toBe("retry");
    expect(settled.action === "retry" ? settled.delaySeconds : 0).toBeGreaterThanOrEqual(30);
    expect(settleJobFailure(limited, 9, 8, many, { random }).action).toBe("dead_letter");
  });

  it("backs transient failures off exponentially with full jitter under a growing ceiling", () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const settled = settleJobFailure(transient, attempt, 8, NONE, { random });
      expect(settled.action).toBe("retry");
      const delay = settled.action === "retry" ? settled.delaySeconds : -1;
      expect(delay).toBeGreaterThanOrEqual(1);
      expect(delay).toBeLessThanOrEqual(ceiling(attempt));
    }
  });

  it("dead-letters permission and content failures of the whole attempt at once", () => {
    const forbidden = classifyJobError(
      canvasErrorFromResponse(403, new Headers(), '{"errors":[{"message":"no"}]}', "https://c/x"),
    );
    expect(settleJobFailure(forbidden, 1, 8, NONE, { random })).toMatchObject({ action: "dead_letter" });
    const gone = classifyJobError(canvasErrorFromResponse(404, new Headers(), "{}", "https://c/x"));
    expect(settleJobFailure(gone, 1, 8, NONE, { random })).toMatchObject({ action: "dead_letter" });
  });
});

describe("deliveryTimeoutMs", () => {
  it("raises the timeout x1.5 for every earlier delivery that timed out", () => {
    expect(deliveryTimeoutMs(30_000, NONE)).toBe(30_000);
    expect(deliveryTimeoutMs(30_000, { ...NONE, settled: 1, timeouts: 1 })).toBe(45_000);
    expect(deliveryTimeoutMs(30_000, { ...NONE, settled: 2, timeouts: 2 })).toBe(67_500);
  });
});
