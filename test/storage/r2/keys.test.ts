/** R2 keys come only from generated ids and hashes, never from Canvas-supplied names. */
import { describe, expect, it } from "vitest";
import { blobKey, textKey } from "../../../src/storage/r2/keys";

describe("R2 keys", () => {
  it("fans blobs out by a 2-character prefix", () => {
    expect(blobKey("3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b")).toBe(
      "blobs/3f/3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
    );
    const sha = "ab".repeat(32);
    expect(blobKey(sha)).toBe(`blobs/ab/${sha}`);
    expect(textKey(sha)).toBe(`text/${sha}.txt`);
  });

  it("rejects anything that could carry a name or a path", () => {
    for (const bad of ["../../etc/passwd", "Syllabus Final.pdf", "AB12CD34", "a/b", "", "abc"]) {
      expect(() => blobKey(bad)).toThrow(TypeError);
    }
    expect(() => textKey("ab".repeat(31))).toThrow(TypeError);
    expect(() => textKey("AB".repeat(32))).toThrow(TypeError);
  });
});
