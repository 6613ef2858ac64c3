import { describe, expect, it } from "vitest";
import {
  MAX_QUEUE_DELAY_SECONDS,
  outcomeForError,
  settleMessage,
  type RetryableCategory,
  type SettleOutcome,
} from "../../src/queue/settle";
import { canvasErrorFromResponse } from "../../src/resilience/errors";

const MAX_RETRIES = 8;
const half = () => 0.5;
const retryable = (category: RetryableCategory, retryAfterMs?: number | null): SettleOutcome =>
  retryAfterMs === undefined
    ? { type: "retryable", category }
    : { type: "retryable", category, retryAfterMs };

describe("terminal outcomes", () => {
  it("acks a success", () => {
    expect(settleMessage({ type: "succeeded" }, 1, MAX_RETRIES)).toEqual({ action: "ack" });
  });

  it("acks a dead token instead of replaying it, saying why", () => {
    expect(settleMessage({ type: "token_dead", tokenState: "expired" }, 1, MAX_RETRIES)).toEqual({
      action: "ack",
      reason: "token_dead:expired",
    });
  });

  it("dead-letters a permanent failure with its reason", () => {
    expect(settleMessage({ type: "permanent", reason: "course is not registered" }, 1, MAX_RETRIES)).toEqual({
      action: "dead_letter",
      reason: "course is not registered",
    });
  });
});

describe("retry delays", () => {
  it("back off exponentially with full jitter from a 30 s base", () => {
    // ceilings 30 s, 60 s, 120 s; the fixed draw 0.5 gives half of each
    const delays = [1, 2, 3].map((attempt) =>
      settleMessage(retryable("transient"), attempt, MAX_RETRIES, { random: half }),
    );
    expect(delays).toEqual([
      { action: "retry", delaySeconds: 15 },
      { action: "retry", delaySeconds: 30 },
      { action: "retry", delaySeconds: 60 },
    ]);
  });

  it("never retry in the same second and are whole seconds", () => {
    expect(settleMessage(retryable("timeout"), 1, MAX_RETRIES, { random: () => 0 })).toEqual({
      action: "retry",
      delaySeconds: 1,
    });
    const settled = settleMessage(retryable("transient"), 2, MAX_RETRIES, { random: () => 0.123_456 });
    expect(settled.action === "retry" && Number.isInteger(settled.delaySeconds)).toBe(true);
  });

  it("honour Retry-After as a floor", () => {
    expect(settleMessage(retryable("rate_limited", 120_000), 1, MAX_RETRIES, { random: () => 0 })).toEqual({
      action: "retry",
      delaySeconds: 120,
    });
    expect(settleMessage(retryable("rate_limited", null), 1, MAX_RETRIES, { random: half })).toEqual({
      action: "retry",
      delaySeconds: 15,
    });
  });

  it("are capped at the queue's 24 hours", () => {
    expect(
      settleMessage(retryable("rate_limited", 200 * 3_600_000), 1, MAX_RETRIES, { random: half }),
    ).toEqual({
      action: "retry",
      delaySeconds: MAX_QUEUE_DELAY_SECONDS,
    });
    const config = {
      random: () => 0.99,
      backoff: { baseMs: 3_600_000, capMs: 10 * 86_400_000, multiplier: 2, retryAfterSpread: 0 },
    };
    const settled = settleMessage(retryable("transient"), 8, 100, config);
    expect(settled).toEqual({ action: "retry", delaySeconds: 86_400 });
  });

  it("are longer for unknown errors", () => {
    expect(settleMessage(retryable("unknown"), 1, MAX_RETRIES, { random: half })).toEqual({
      action: "retry",
      delaySeconds: 30,
    });
  });
});

describe("budgets", () => {
  it("retry an unknown error at most 3 times", () => {
    const actions = [1, 2, 3, 4].map(
      (attempt) => settleMessage(retryable("unknown"), attempt, MAX_RETRIES, { random: half }).action,
    );
    expect(actions).toEqual(["retry", "retry", "retry", "dead_letter"]);
  });

  it("do not charge rate-limited deliveries to the unknown-error budget", () => {
    // deliveries 1-3 rate limited, 4-5 unknown, 6 unknown: 3 failures, still within budget
    expect(
      settleMessage(retryable("unknown"), 6, MAX_RETRIES, { random: half, priorRateLimited: 3 }).action,
    ).toBe("retry");
    expect(
      settleMessage(retryable("unknown"), 7, MAX_RETRIES, { random: half, priorRateLimited: 3 }).action,
    ).toBe("dead_letter");
    // the same history, untracked, errs on the side of giving up
    expect(settleMessage(retryable("unknown"), 6, MAX_RETRIES, { random: half }).action).toBe("dead_letter");
  });

  it("keep retrying a rate-limited message for as long as the queue allows", () => {
    const actions = [1, 2, 3, 4, 5, 6, 7, 8].map(
      (attempt) => settleMessage(retryable("rate_limited"), attempt, MAX_RETRIES, { random: half }).action,
    );
    expect(actions.every((action) => action === "retry")).toBe(true);
  });

  it("dead-letter anything once the queue's max_retries are used up", () => {
    for (const category of ["rate_limited", "timeout", "transient", "unknown"] as const) {
      const settled = settleMessage(retryable(category), MAX_RETRIES + 1, MAX_RETRIES, { random: half });
      expect(settled.action).toBe("dead_letter");
    }
    expect(settleMessage(retryable("transient"), MAX_RETRIES, MAX_RETRIES, { random: half }).action).toBe(
      "retry",
    );
  });

  it("clamp a priorRateLimited count that cannot be right", () => {
    const settled = settleMessage(retryable("unknown"), 2, MAX_RETRIES, {
      random: half,
      priorRateLimited: 50,
    });
    expect(settled.action).toBe("retry");
  });
});

describe("outcomeForError", () => {
  const URL = "https://canvas.test/api/v1/courses/3/assignments";
  const canvas = (status: number, body = "", headers: Record<string, string> = {}) =>
    canvasErrorFromResponse(status, new Headers(headers), body, URL, 0);

  it("maps a dead token, object-level problems and transient failures", () => {
    const revoked = canvas(401, JSON.stringify({ errors: [{ message: "Revoked access token." }] }), {
      "www-authenticate": "Bearer",
    });
    expect(outcomeForError(revoked)).toEqual({ type: "token_dead", tokenState: "revoked" });
    expect(outcomeForError(canvas(403, "{}")).type).toBe("permanent");
    expect(outcomeForError(canvas(404)).type).toBe("permanent");
    expect(outcomeForError(canvas(429, "", { "retry-after": "5" }))).toEqual({
      type: "retryable",
      category: "rate_limited",
      retryAfterMs: 5_000,
    });
    expect(outcomeForError(canvas(503))).toEqual({
      type: "retryable",
      category: "transient",
      retryAfterMs: null,
    });
    expect(outcomeForError(new Error("?"))).toEqual({
      type: "retryable",
      category: "unknown",
      retryAfterMs: null,
    });
  });
});
