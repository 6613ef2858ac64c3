import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  categoryOfKind,
  classifyError,
  countsAsCourseFailure,
  countsAsHostFailure,
  decideRetry,
  inspectError,
  type ErrorCategory,
} from "../../src/resilience/classify";
import {
  canvasErrorFromResponse,
  networkError,
  SyncError,
  timeoutError,
  type SyncErrorKind,
} from "../../src/resilience/errors";

const URL = "https://canvas.test/api/v1/courses/1/files";
const half = () => 0.5;

function canvas(status: number, body = "", headers: Record<string, string> = {}) {
  return canvasErrorFromResponse(status, new Headers(headers), body, URL, 0);
}

describe("categoryOfKind", () => {
  it.each([
    ["rate_limited", "rate_limited"],
    ["timeout", "timeout"],
    ["network", "transient"],
    ["server", "transient"],
    ["auth_token", "auth"],
    ["permission", "permission"],
    ["not_found", "content"],
    ["content", "content"],
    ["unknown", "unknown"],
  ] satisfies [SyncErrorKind, ErrorCategory][])("%s -> %s", (kind, category) => {
    expect(categoryOfKind(kind)).toBe(category);
  });
});

describe("classifyError", () => {
  it("classifies Canvas responses through the error factory", () => {
    expect(classifyError(canvas(403, "403 Forbidden (Rate Limit Exceeded)\n"))).toBe("rate_limited");
    expect(classifyError(canvas(401, "{}", { "www-authenticate": "Bearer" }))).toBe("auth");
    expect(classifyError(canvas(401, "{}"))).toBe("permission");
    expect(classifyError(canvas(404))).toBe("content");
    expect(classifyError(canvas(503))).toBe("transient");
  });

  it("walks the cause chain to the first error it recognises", () => {
    const root = canvas(403, JSON.stringify({ errors: [{ message: "user not authorized" }] }));
    const wrapped = new Error("page 3 of files failed", {
      cause: new Error("listing failed", { cause: root }),
    });
    expect(classifyError(wrapped)).toBe("permission");
  });

  it("lets the outermost recognised error win", () => {
    const outer = new SyncError("timeout", "timed out", { cause: canvas(404) });
    expect(classifyError(outer)).toBe("timeout");
  });

  it("terminates on a cyclic cause chain", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    Object.assign(a, { cause: b });
    expect(classifyError(a)).toBe("unknown");
  });

  it("recognises platform timeouts and aborts", () => {
    expect(classifyError(new DOMException("signal timed out", "TimeoutError"))).toBe("timeout");
    expect(classifyError(new DOMException("aborted", "AbortError"))).toBe("timeout");
    expect(classifyError(timeoutError(URL, 1_000))).toBe("timeout");
  });

  it("treats malformed content as content, not bad luck", () => {
    const zodError = z.object({ id: z.number() }).safeParse({ id: "x" }).error;
    expect(classifyError(zodError)).toBe("content");
    let syntax: unknown;
    try {
      JSON.parse("{");
    } catch (error) {
      syntax = error;
    }
    expect(classifyError(syntax)).toBe("content");
    expect(classifyError(Object.assign(new Error("bad page"), { kind: "malformed" }))).toBe("content");
  });

  it("recognises network failures by message, but not every TypeError", () => {
    expect(classifyError(new TypeError("Network connection lost."))).toBe("transient");
    expect(classifyError(new Error("fetch failed"))).toBe("transient");
    expect(classifyError(networkError(URL))).toBe("transient");
    expect(classifyError(new TypeError("x is not a function"))).toBe("unknown");
  });

  it("calls anything else unknown, including non-errors", () => {
    expect(classifyError("boom")).toBe("unknown");
    expect(classifyError(null)).toBe("unknown");
    expect(classifyError(new RangeError("what"))).toBe("unknown");
  });
});

describe("inspectError", () => {
  it("carries status, Retry-After and token state out of the chain", () => {
    const limited = inspectError(new Error("wrap", { cause: canvas(429, "", { "retry-after": "12" }) }));
    expect(limited).toMatchObject({ category: "rate_limited", status: 429, retryAfterMs: 12_000 });
    const dead = inspectError(
      canvas(401, JSON.stringify({ errors: [{ message: "Expired access token." }] }), {
        "www-authenticate": "Bearer",
      }),
    );
    expect(dead).toMatchObject({ category: "auth", status: 401, tokenState: "expired" });
  });

  it("gives a bounded reason with secrets removed", () => {
    const facts = inspectError(new Error(`failed with Authorization: Bearer abcdef ${"x".repeat(1_000)}`));
    expect(facts.reason).not.toContain("abcdef");
    expect(facts.reason.length).toBeLessThanOrEqual(300);
  });
});

describe("decideRetry", () => {
  it("rate_limited: retries with full-jitter backoff, Retry-After as a floor", () => {
    expect(decideRetry("rate_limited", 3, { random: half })).toEqual({ action: "retry", delayMs: 2_000 });
    const floored = decideRetry({ category: "rate_limited", reason: "429", retryAfterMs: 10_000 }, 3, {
      random: half,
    });
    expect(floored).toEqual({ action: "retry", delayMs: 10_500 });
  });

  it("rate_limited: hands over to the queue after the in-process limit", () => {
    expect(decideRetry("rate_limited", 8, { random: half }).action).toBe("retry");
    expect(decideRetry("rate_limited", 9, { random: half }).action).toBe("fail");
  });

  it("timeout: retries with the timeout multiplied by 1.5 per attempt", () => {
    const timeouts = [1, 2, 3].map((attempt) => {
      const decision = decideRetry("timeout", attempt, { random: half, baseTimeoutMs: 10_000 });
      return decision.action === "retry" ? decision.timeoutMs : undefined;
    });
    expect(timeouts).toEqual([15_000, 22_500, 33_750]);
    expect(decideRetry("timeout", 6, { random: half }).action).toBe("fail");
  });

  it("transient: retries up to the limit, then fails", () => {
    const actions = [1, 2, 3, 4, 5, 6].map(
      (attempt) => decideRetry("transient", attempt, { random: half }).action,
    );
    expect(actions).toEqual(["retry", "retry", "retry", "retry", "retry", "fail"]);
  });

  it("auth: stops the token with the state Canvas named", () => {
    expect(
      decideRetry({ category: "auth", reason: "401", tokenState: "revoked" }, 1, { random: half }),
    ).toEqual({
      action: "stop_token",
      tokenState: "revoked",
    });
    expect(decideRetry("auth", 1, { random: half })).toEqual({ action: "stop_token", tokenState: "invalid" });
  });

  it("permission and content: skip the item and say why", () => {
    expect(decideRetry({ category: "permission", reason: "403 on page 9" }, 1, { random: half })).toEqual({
      action: "skip_item",
      reason: "403 on page 9",
    });
    expect(decideRetry({ category: "content", reason: "not a PDF" }, 1, { random: half }).action).toBe(
      "skip_item",
    );
  });

  it("unknown: retries with caution at most 3 times, then fails", () => {
    const first = decideRetry("unknown", 1, { random: half, concurrency: 6 });
    // normal delay 500 ms (half of the 1 s ceiling), four times longer, half the concurrency
    expect(first).toEqual({ action: "retry", delayMs: 2_000, concurrency: 3 });
    expect(decideRetry("unknown", 3, { random: half, concurrency: 1 })).toMatchObject({ concurrency: 1 });
    expect(decideRetry("unknown", 4, { random: half }).action).toBe("fail");
  });

  it("respects configured limits and backoff", () => {
    const options = { random: () => 0.999, maxTransientRetries: 1, backoff: { ...backoffOf(100, 400) } };
    expect(decideRetry("transient", 2, options).action).toBe("fail");
    const decision = decideRetry("rate_limited", 30, { ...options, maxRateLimitedRetries: 100 });
    expect(decision.action === "retry" && decision.delayMs).toBeLessThan(400);
  });
});

describe("what counts as a failure", () => {
  it("only host-health errors trip the per-host breaker", () => {
    const all: ErrorCategory[] = [
      "rate_limited",
      "timeout",
      "auth",
      "permission",
      "content",
      "transient",
      "unknown",
    ];
    expect(all.filter(countsAsHostFailure)).toEqual(["timeout", "transient", "unknown"]);
  });

  it("rate limiting is never a failure of the course", () => {
    expect(countsAsCourseFailure("rate_limited")).toBe(false);
    expect(countsAsCourseFailure("transient")).toBe(true);
    expect(countsAsCourseFailure("auth")).toBe(true);
  });
});

function backoffOf(baseMs: number, capMs: number) {
  return { baseMs, capMs, multiplier: 2, retryAfterSpread: 0.1 };
}
