/** The institution rule on its own: root account ids global or local, issuer, both, neither. */
import { describe, expect, it } from "vitest";
import { checkInstitution, sameRootAccount } from "../../src/events/institution";

const OURS = "10000000000001"; // shard 1, account 1

describe("sameRootAccount", () => {
  it.each([
    [OURS, OURS, true],
    [OURS, "20000000000001", false], // same local id on another shard
    [OURS, "10000000000002", false],
    [OURS, "1", true], // the event carries a local id: only the local part can be compared
    ["1", OURS, true], // a configured local id matches that account number on any shard
    ["1", "20000000000001", true],
    ["1", "2", false],
    ["123450000000000678", "123450000000000678", true], // above 2^53, compared exactly
    ["123450000000000678", "123450000000000679", false],
  ])("%s vs %s: %s", (configured, received, expected) => {
    expect(sameRootAccount(configured, received)).toBe(expected);
  });
});

describe("checkInstitution", () => {
  const ids = { rootAccountIds: [OURS], issuer: null };
  it("needs some configuration", () => {
    expect(
      checkInstitution({ rootAccountIds: [], issuer: null }, { rootAccountId: OURS, issuer: null }),
    ).toEqual({
      ours: false,
      reason: "institution_not_configured",
    });
  });
  it("reads ids given as strings or numbers, and refuses missing or malformed ones", () => {
    expect(checkInstitution(ids, { rootAccountId: OURS, issuer: null })).toEqual({ ours: true });
    expect(checkInstitution(ids, { rootAccountId: Number(OURS), issuer: null })).toEqual({ ours: true });
    for (const rootAccountId of [undefined, null, "", "abc", -1, 1.5, { id: OURS }, [OURS]]) {
      expect(checkInstitution(ids, { rootAccountId, issuer: null })).toEqual({
        ours: false,
        reason: "wrong_institution",
      });
    }
  });
  it("accepts our root account by uuid, which the New Quizzes service's events carry instead of the id", () => {
    const policy = { rootAccountIds: [OURS], rootAccountUuids: ["our-uuid"], issuer: null };
    expect(
      checkInstitution(policy, { rootAccountId: undefined, rootAccountUuid: "our-uuid", issuer: null }),
    ).toEqual({
      ours: true,
    });
    expect(
      checkInstitution(policy, { rootAccountId: undefined, rootAccountUuid: "their-uuid", issuer: null }),
    ).toEqual({ ours: false, reason: "wrong_institution" });
    // Without uuids configured, a uuid alone proves nothing.
    expect(
      checkInstitution(ids, { rootAccountId: undefined, rootAccountUuid: "our-uuid", issuer: null }),
    ).toEqual({
      ours: false,
      reason: "wrong_institution",
    });
  });
  it("requires every configured check to pass", () => {
    const both = { rootAccountIds: [OURS], issuer: "https://ours" };
    expect(checkInstitution(both, { rootAccountId: OURS, issuer: "https://ours" })).toEqual({ ours: true });
    expect(checkInstitution(both, { rootAccountId: OURS, issuer: "https://theirs" })).toMatchObject({
      reason: "wrong_issuer",
    });
    expect(checkInstitution(both, { rootAccountId: "20000000000001", issuer: "https://ours" })).toMatchObject(
      {
        reason: "wrong_institution",
      },
    );
  });
});
