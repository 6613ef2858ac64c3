/** Every Canvas auth answer: missing, unknown, expired, revoked tokens and per-path permission problems. */
import { describe, expect, it } from "vitest";
import { get, sim } from "../support/simulator-harness";

describe("authentication", () => {
  it("answers a missing token with 401, WWW-Authenticate and 'user authorization required'", async () => {
    const response = await get(sim(), "/api/v1/courses/101", null);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="canvas-lms"');
    expect(await response.json()).toEqual({
      status: "unauthenticated",
      errors: [{ message: "user authorization required" }],
    });
  });

  it("answers an unknown token with 'Invalid access token.'", async () => {
    const response = await get(sim(), "/api/v1/courses/101", "nope");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="canvas-lms"');
    expect(await response.json()).toEqual({ errors: [{ message: "Invalid access token." }] });
  });

  it("answers expired and revoked tokens with their own messages (and expired_at)", async () => {
    const s = sim({ tokens: ["old", "gone", "fine"] });
    s.control.setTokenState("old", "expired");
    s.control.setTokenState("gone", "revoked");
    const expired = await get(s, "/api/v1/courses/101", "old");
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toBe('Bearer realm="canvas-lms"');
    const body = await expired.json<{ errors: Array<{ message: string; expired_at?: string }> }>();
    expect(body.errors[0]?.message).toBe("Expired access token.");
    expect(body.errors[0]?.expired_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const revoked = await get(s, "/api/v1/courses/101", "gone");
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ errors: [{ message: "Revoked access token." }] });
    expect((await get(s, "/api/v1/courses/101", "fine")).status).toBe(200);
    s.control.setTokenState("old", "valid");
    expect((await get(s, "/api/v1/courses/101", "old")).status).toBe(200);
  });

  it("answers a permission problem with 401 WITHOUT WWW-Authenticate, or JSON 403, only on matching paths", async () => {
    const s = sim();
    s.control.denyAccess("sim-token", { pathPrefix: "/api/v1/courses/101/quizzes", kind: "unauthorized" });
    s.control.denyAccess("sim-token", { pathRegex: "^/api/v1/courses/102/files/\\d+$", kind: "forbidden" });
    const denied = await get(s, "/api/v1/courses/101/quizzes");
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBeNull();
    expect(await denied.json()).toEqual({
      status: "unauthorized",
      errors: [{ message: "user not authorized to perform that action" }],
    });
    const forbidden = await get(s, "/api/v1/courses/102/files/2012");
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("content-type")).toContain("application/json");
    expect((await forbidden.json<{ errors: unknown[] }>()).errors).toHaveLength(1);
    expect((await get(s, "/api/v1/courses/101/pages")).status).toBe(200);
    expect((await get(s, "/api/v1/courses/102/files")).status).toBe(200);
    s.control.clearDenials();
    expect((await get(s, "/api/v1/courses/101/quizzes")).status).toBe(200);
  });

  it("accepts the access_token query parameter, and the header wins over it", async () => {
    const s = sim();
    expect((await get(s, "/api/v1/courses/101?access_token=sim-token", null)).status).toBe(200);
    expect((await get(s, "/api/v1/courses/101?access_token=sim-token", "wrong")).status).toBe(401);
  });

  it("tokens can be added at run time", async () => {
    const s = sim();
    expect((await get(s, "/api/v1/courses", "later")).status).toBe(401);
    s.control.addToken("later");
    expect((await get(s, "/api/v1/courses", "later")).status).toBe(200);
  });
});
