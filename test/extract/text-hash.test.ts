/** Text hash: normalization equates incidental differences only; SHA-256 matches the FIPS 180-2 vectors. */
import { describe, expect, it } from "vitest";
import { normalizeTextForHash, sha256Hex } from "../../src/extract";

describe("text hash", () => {
  it("normalizes whitespace, line ends and compatibility forms, but not case", () => {
    expect(normalizeTextForHash("  The ﬁrst\r\n\tline  \n\n second ")).toBe("The first line second");
    expect(normalizeTextForHash("Cafe\u0301")).toBe(normalizeTextForHash("Café"));
    expect(normalizeTextForHash("Word")).not.toBe(normalizeTextForHash("word"));
  });

  it("hashes strings as UTF-8 and bytes as they are", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(await sha256Hex("abc"));
  });
});
