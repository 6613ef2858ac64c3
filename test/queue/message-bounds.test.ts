/** The queue contract's outer checks: size first, then version, then kind; and the bounded dead-letter copy. */
import { describe, expect, it } from "vitest";
import {
  boundedForDeadLetter,
  jsonBytes,
  MAX_MESSAGE_BYTES,
  QueueMessageSchema,
} from "../../src/queue/message";

const sync = { v: 1, kind: "sync", jobId: "j1", courseId: 5 };

describe("QueueMessageSchema", () => {
  it("accepts a current message and refuses a larger one by its size before anything else", () => {
    expect(QueueMessageSchema.parse(sync)).toEqual(sync);
    const big = { ...sync, v: 2, pad: "x".repeat(MAX_MESSAGE_BYTES) };
    const result = QueueMessageSchema.safeParse(big);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["message"]);
  });

  it("names an unknown version as such rather than failing field by field", () => {
    const result = QueueMessageSchema.safeParse({ v: 2, kind: "sync", something: "new" });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ["v"],
        message: "unsupported message version (this consumer reads v: 1)",
      }),
    ]);
  });
});

describe("boundedForDeadLetter", () => {
  it("keeps a small body as it is", () => {
    expect(boundedForDeadLetter(sync)).toBe(sync);
  });

  it("replaces a large body with its size and a 1 KB excerpt", () => {
    const big = { ...sync, pad: "x".repeat(200_000) };
    const bounded = boundedForDeadLetter(big);
    expect(bounded).toEqual({
      truncated: true,
      bytes: jsonBytes(big),
      excerpt: JSON.stringify(big).slice(0, 1024),
    });
    expect(jsonBytes(bounded)).toBeLessThan(2048);
  });

  it("copes with a body that cannot be serialised", () => {
    expect(boundedForDeadLetter({ id: 1n })).toEqual({ truncated: true, bytes: null, excerpt: "" });
  });
});
