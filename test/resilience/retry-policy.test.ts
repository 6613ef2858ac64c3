import { describe, expect, it } from "vitest";
import { canvasErrorFromResponse, timeoutError } from "../../src/resilience/errors";
import { canvasRetryPolicy } from "../../src/resilience/retry-policy";

const URL = "https://canvas.test/api/v1/courses/1/modules";
const canvas = (status: number, body = "", headers: Record<string, string> = {}) =>
  canvasErrorFromResponse(status, new Headers(headers), body, URL, 0);

describe("canvasRetryPolicy", () => {
  const policy = canvasRetryPolicy(10_000, () => 0.5);

  it("retries a timeout with a 1.5x longer timeout", () => {
    expect(policy(timeoutError(URL, 10_000), 1)).toEqual({ retry: true, delayMs: 500, timeoutMs: 15_000 });
  });

  it("retries a 503 with the normal timeout", () => {
    expect(policy(canvas(503), 2)).toEqual({ retry: true, delayMs: 1_000, timeoutMs: 10_000 });
  });

  it("waits at least the Retry-After of a throttled response", () => {
    const decision = policy(canvas(429, "", { "retry-after": "3" }), 1);
    expect(decision.retry && decision.delayMs).toBeGreaterThanOrEqual(3_000);
  });

  it("never retries a dead token, a permission problem or a missing object in place", () => {
    expect(policy(canvas(401, "{}", { "www-authenticate": "Bearer" }), 1)).toEqual({ retry: false });
    expect(policy(canvas(403, "{}"), 1)).toEqual({ retry: false });
    expect(policy(canvas(404), 1)).toEqual({ retry: false });
  });

  it("gives up on an unknown error after three retries and on a transient one after its limit", () => {
    expect(policy(new Error("odd"), 3).retry).toBe(true);
    expect(policy(new Error("odd"), 4).retry).toBe(false);
    expect(policy(canvas(502), 4).retry).toBe(false);
  });
});
