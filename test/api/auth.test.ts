/** Token comparison, bearer parsing and the signed session cookie (expiry, tampering, token rotation). */
import { describe, expect, it } from "vitest";
import { bearerToken, constantTimeEqual } from "../../src/http/auth";
import { createSession, SESSION_TTL_SECONDS, verifySession } from "../../src/http/session";

const SECRET = "api-token-abcdefghijklmnop";
const NOW = Date.UTC(2026, 10, 1, 12);

describe("constantTimeEqual", () => {
  it.each([
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["ab", "abc", false],
    ["", "", true],
    ["", "a", false],
    ["é", "é", true],
    ["e\u0301", "é", false],
  ])("%j vs %j is %s", (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
  });
});

describe("bearerToken", () => {
  it.each([
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["Bearer   abc  ", "abc"],
    ["Bearer", null],
    ["Bearer a b", null],
    ["Basic abc", null],
    ["abc", null],
    [undefined, null],
  ])("%j gives %j", (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe("session cookie", () => {
  it("verifies until it expires, then no longer", async () => {
    const session = await createSession(SECRET, NOW);
    expect(session).not.toContain(SECRET);
    expect(await verifySession(session, [SECRET], NOW)).toBe(true);
    expect(await verifySession(session, [SECRET], NOW + (SESSION_TTL_SECONDS - 1) * 1000)).toBe(true);
    expect(await verifySession(session, [SECRET], NOW + SESSION_TTL_SECONDS * 1000)).toBe(false);
  });

  it("stops working when the token is rotated, and accepts any of several configured secrets", async () => {
    const session = await createSession(SECRET, NOW);
    expect(await verifySession(session, ["rotated-token-abcdefghijkl"], NOW)).toBe(false);
    expect(await verifySession(session, ["rotated-token-abcdefghijkl", SECRET], NOW)).toBe(true);
    expect(await verifySession(session, [], NOW)).toBe(false);
  });

  it("rejects a changed expiry, a changed signature and malformed values", async () => {
    const session = await createSession(SECRET, NOW);
    const [expiry, mac] = session.split(".");
    const later = `${Number(expiry) + 3600}.${mac}`;
    expect(await verifySession(later, [SECRET], NOW)).toBe(false);
    const flipped = `${expiry}.${mac?.startsWith("A") ? "B" : "A"}${mac?.slice(1)}`;
    expect(await verifySession(flipped, [SECRET], NOW)).toBe(false);
    for (const value of ["", ".", `${expiry}.`, `.${mac}`, SECRET, `${expiry}.${mac}.x`, `-1.${mac}`]) {
      expect(await verifySession(value, [SECRET], NOW)).toBe(false);
    }
  });

  it("mints different values for different secrets and expiries", async () => {
    const a = await createSession(SECRET, NOW);
    expect(await createSession("another-token-abcdefghijk", NOW)).not.toBe(a);
    expect(await createSession(SECRET, NOW + 1000)).not.toBe(a);
  });
});
