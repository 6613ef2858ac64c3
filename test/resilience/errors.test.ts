import { describe, expect, it } from "vitest";
import {
  CanvasHttpError,
  canvasErrorFromResponse,
  contentError,
  networkError,
  parseRetryAfter,
  redactSecrets,
  stripUrl,
  SyncError,
  timeoutError,
} from "../../src/resilience/errors";

const URL_WITH_TOKEN = "https://canvas.test/api/v1/courses/7/pages?per_page=100&access_token=s3cr3t-token";
const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

function respond(status: number, body: string, headers: Record<string, string> = {}): CanvasHttpError {
  return canvasErrorFromResponse(status, new Headers(headers), body, URL_WITH_TOKEN, NOW);
}

const errorsBody = (message: string): string => JSON.stringify({ errors: [{ message }] });

describe("canvasErrorFromResponse: throttling", () => {
  it("reads Canvas's real throttle response (403, text body) as rate_limited with the remaining quota", () => {
    const error = respond(403, "403 Forbidden (Rate Limit Exceeded)\n", {
      "content-type": "text/plain; charset=utf-8",
      "x-rate-limit-remaining": "0.0",
    });
    expect(error.kind).toBe("rate_limited");
    expect(error.status).toBe(403);
    expect(error.rateLimitRemaining).toBe(0);
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("treats 429 as rate_limited and honours Retry-After in seconds", () => {
    expect(respond(429, "", { "retry-after": "7" }).retryAfterMs).toBe(7_000);
    expect(respond(429, "slow down").kind).toBe("rate_limited");
  });

  it("honours Retry-After given as an HTTP date", () => {
    const error = respond(429, "", { "Retry-After": "Thu, 01 Jan 2026 00:00:30 GMT" });
    expect(error.retryAfterMs).toBe(30_000);
  });
});

describe("canvasErrorFromResponse: authentication and permission", () => {
  const challenge = { "www-authenticate": 'Bearer realm="canvas-lms"' };

  it.each([
    ["Invalid access token.", "invalid"],
    ["Expired access token.", "expired"],
    ["Revoked access token.", "revoked"],
    ["user authorization required", "invalid"],
  ] as const)("401 with WWW-Authenticate and %j is a dead token (%s)", (message, state) => {
    const error = respond(401, errorsBody(message), challenge);
    expect(error.kind).toBe("auth_token");
    expect(error.tokenState).toBe(state);
  });

  it("reads the header case-insensitively", () => {
    expect(respond(401, errorsBody("Invalid access token."), { "WWW-Authenticate": "Bearer" }).kind).toBe(
      "auth_token",
    );
  });

  it("401 without WWW-Authenticate is a permission problem on one object, even about scopes", () => {
    const denied = respond(401, errorsBody("user not authorized to perform that action"));
    expect(denied.kind).toBe("permission");
    expect(denied.message).toContain("user not authorized to perform that action");
    expect(respond(401, errorsBody("Insufficient scopes on access token.")).kind).toBe("permission");
  });

  it("403 with a JSON body is a permission problem; 403 with anything else is unknown", () => {
    const json = JSON.stringify({ status: "unauthorized", errors: [{ message: "user not authorized" }] });
    expect(respond(403, json).kind).toBe("permission");
    expect(respond(403, "<html>Forbidden</html>").kind).toBe("unknown");
  });
});

describe("canvasErrorFromResponse: other statuses", () => {
  it("404 is not_found and keeps Canvas's message in either body shape", () => {
    const standard = respond(404, errorsBody("The specified resource does not exist."));
    expect(standard.kind).toBe("not_found");
    expect(standard.message).toContain("The specified resource does not exist.");
    expect(respond(404, JSON.stringify({ message: "page not found" })).message).toContain("page not found");
  });

  it.each([500, 502, 503, 504])("%i is a server error", (status) => {
    expect(respond(status, "").kind).toBe("server");
  });

  it.each([400, 409, 422, 302])("%i is unknown", (status) => {
    expect(respond(status, "").kind).toBe("unknown");
  });
});

describe("no secrets in errors", () => {
  it("strips the query string (and any access_token in it) from url and message", () => {
    for (const status of [401, 403, 404, 429, 500, 418]) {
      const error = respond(status, errorsBody("x"), status === 401 ? { "www-authenticate": "Bearer" } : {});
      expect(error.url).toBe("https://canvas.test/api/v1/courses/7/pages");
      expect(error.message).not.toContain("s3cr3t");
      expect(JSON.stringify([error.message, Object.entries(error)])).not.toContain("s3cr3t");
    }
  });

  it("redacts a credential that Canvas echoes in its message", () => {
    const error = respond(401, errorsBody("bad header Bearer abc.def.ghi given"));
    expect(error.message).not.toContain("abc.def.ghi");
    expect(error.message).toContain("[redacted]");
  });

  it("redactSecrets scrubs bearer values, token parameters and URL queries", () => {
    const text = "GET https://x.test/a?b=1&access_token=zzz failed; Authorization: Bearer tok123; api_key=k9";
    const clean = redactSecrets(text);
    for (const secret of ["zzz", "tok123", "k9", "b=1"]) expect(clean).not.toContain(secret);
  });

  it("stripUrl drops userinfo and fragments, and copes with a relative URL", () => {
    expect(stripUrl("https://user:pw@canvas.test/api/v1/x?y=1#frag")).toBe("https://canvas.test/api/v1/x");
    expect(stripUrl("/api/v1/x?access_token=abc")).toBe("/api/v1/x");
  });
});

describe("parseRetryAfter", () => {
  it("accepts decimal seconds, clamps past dates to zero and ignores garbage", () => {
    expect(parseRetryAfter("1.5", NOW)).toBe(1_500);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("", NOW)).toBeUndefined();
    expect(parseRetryAfter("-5", NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe("the error classes and factories", () => {
  it("CanvasHttpError is a SyncError and an Error with a name", () => {
    const error = respond(404, "");
    expect(error).toBeInstanceOf(CanvasHttpError);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("CanvasHttpError");
  });

  it("timeout, network and content errors carry their kind, a clean message and the cause", () => {
    const cause = new Error("underlying");
    const timeout = timeoutError(URL_WITH_TOKEN, 30_000, cause);
    expect(timeout.kind).toBe("timeout");
    expect(timeout.cause).toBe(cause);
    expect(timeout.message).toContain("30000 ms");
    expect(timeout.message).not.toContain("s3cr3t");
    expect(networkError(URL_WITH_TOKEN).kind).toBe("network");
    const content = contentError("file at https://f.test/x?verifier=abc is not a PDF");
    expect(content.kind).toBe("content");
    expect(content.message).not.toContain("verifier=abc");
  });
});
