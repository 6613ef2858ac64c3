/**
 * The dashboard session on the API: it reads (GET, HEAD on /api/* and /metrics) but changes nothing on its own. A
 * POST or DELETE with only the cookie is refused with 403 and changes nothing; with the page's CSRF token (and no
 * foreign Origin) it works; a CSRF token of another session, or minted under another API token, does not; the
 * bearer token needs no CSRF token.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { csrfTokenFor } from "../../src/http/csrf";
import { createSession, SESSION_COOKIE } from "../../src/http/session";
import { api, API_TOKEN, resetStorage } from "../support/harness";

async function session(secret = API_TOKEN): Promise<string> {
  return createSession(secret, Date.now());
}

function asBrowser(cookie: string, extra: Record<string, string> = {}): Record<string, string> {
  // `authorization: ""` stops the harness from adding the bearer token.
  return { authorization: "", cookie: `${SESSION_COOKIE}=${cookie}`, ...extra };
}

async function registered(courseId: number): Promise<boolean> {
  const row = await env.DB.prepare("SELECT 1 AS x FROM courses WHERE canvas_course_id = ?1")
    .bind(courseId)
    .first();
  return row !== null;
}

describe("the dashboard session on /api/* and /metrics", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("reads with GET and HEAD, including /metrics", async () => {
    const cookie = await session();
    expect((await api("/api/courses", { headers: asBrowser(cookie) })).status).toBe(200);
    expect((await api("/api/courses", { method: "HEAD", headers: asBrowser(cookie) })).status).toBe(200);
    const metrics = await api("/metrics", { headers: asBrowser(cookie) });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("canvas_sync_");
    // An expired or forged session reads nothing.
    const expired = await createSession(API_TOKEN, Date.now() - 13 * 3_600_000);
    expect((await api("/metrics", { headers: asBrowser(expired) })).status).toBe(401);
    expect((await api("/api/courses", { headers: asBrowser(`${cookie}x`) })).status).toBe(401);
  });

  it("refuses a change made with the cookie alone, and changes nothing", async () => {
    const cookie = await session();
    const response = await api("/api/courses", {
      method: "POST",
      headers: asBrowser(cookie),
      json: { canvasCourseId: 4242 },
    });
    expect(response.status).toBe(403);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe("csrf_rejected");
    expect(await registered(4242)).toBe(false);
  });

  it("accepts a change with the session's CSRF token, and no other token", async () => {
    const cookie = await session();
    // Another (still valid) session of the same operator: minted five seconds earlier, so its value differs.
    const other = await createSession(API_TOKEN, Date.now() - 5_000);
    expect(other).not.toBe(cookie);
    const wrongTokens = [
      "",
      "x".repeat(43),
      await csrfTokenFor(other, API_TOKEN),
      await csrfTokenFor(cookie, "another-api-token-0123456789"),
    ];
    for (const token of wrongTokens) {
      const denied = await api("/api/courses", {
        method: "POST",
        headers: asBrowser(cookie, { "x-csrf-token": token }),
        json: { canvasCourseId: 4343 },
      });
      expect({ token, status: denied.status }).toEqual({ token, status: 403 });
    }
    expect(await registered(4343)).toBe(false);

    const good = await csrfTokenFor(cookie, API_TOKEN);
    const foreign = await api("/api/courses", {
      method: "POST",
      headers: asBrowser(cookie, { "x-csrf-token": good, origin: "https://evil.example" }),
      json: { canvasCourseId: 4343 },
    });
    expect(foreign.status).toBe(403);
    const created = await api("/api/courses", {
      method: "POST",
      headers: asBrowser(cookie, { "x-csrf-token": good, origin: "https://sync.test" }),
      json: { canvasCourseId: 4343 },
    });
    expect(created.status).toBe(201);
    const removed = await api("/api/courses/4343", {
      method: "DELETE",
      headers: asBrowser(cookie, { "x-csrf-token": good }),
    });
    expect(removed.status).toBe(200);
    expect(await registered(4343)).toBe(false);
  });

  it("needs no CSRF token with the bearer token", async () => {
    expect((await api("/api/courses", { method: "POST", json: { canvasCourseId: 4444 } })).status).toBe(201);
    expect(await registered(4444)).toBe(true);
  });
});
