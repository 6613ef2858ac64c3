/**
 * API errors: one JSON shape for every failure, `{ "error": { "code", "message", "details" } }`, and one place that
 * turns thrown errors into responses. Unexpected errors answer 500 without internals (they are logged, redacted).
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { log } from "../observability/log";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, details: details ?? null } };
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof ApiError) {
    return c.json(errorBody(error.code, error.message, error.details), error.status);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 401 ? "unauthorized" : status === 413 ? "payload_too_large" : "bad_request";
    return c.json(errorBody(code, error.message || "request rejected"), status);
  }
  log("error", "unhandled API error", { path: new URL(c.req.url).pathname, error: String(error) });
  return c.json(errorBody("internal_error", "internal error"), 500);
}
