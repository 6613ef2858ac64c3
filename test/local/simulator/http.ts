/**
 * Response builders shared by the simulator's routes: Canvas JSON (lowercase header names, as Canvas has sent
 * since 2024), the standard error bodies, and the throttled plain-text answer.
 */

export const JSON_TYPE = "application/json; charset=utf-8";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": JSON_TYPE, ...headers } });
}

/** Canvas's RecordNotFound answer (also used for unknown routes). */
export function notFound(): Response {
  return json(404, { errors: [{ message: "The specified resource does not exist." }] });
}

/** The special body a missing or deleted wiki page gets (not the errors array). */
export function pageNotFound(): Response {
  return json(404, { message: "page not found" });
}

/** 401 without WWW-Authenticate: a valid user who may not do this (skip the item, keep the token). */
export function unauthorizedAction(): Response {
  return json(401, {
    status: "unauthorized",
    errors: [{ message: "user not authorized to perform that action" }],
  });
}

export function badRequest(message: string): Response {
  return json(400, { errors: [{ message }] });
}

export function throttled(mode: "403" | "429", retryAfterSeconds: number): Response {
  if (mode === "429") {
    return new Response("429 Too Many Requests (Rate Limit Exceeded)\n", {
      status: 429,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "x-rate-limit-remaining": "0.0",
        "retry-after": String(retryAfterSeconds),
      },
    });
  }
  return new Response("403 Forbidden (Rate Limit Exceeded)\n", {
    status: 403,
    headers: { "content-type": "text/plain; charset=utf-8", "x-rate-limit-remaining": "0.0" },
  });
}

/** Waits one macrotask (or `ms`): makes a request genuinely in flight between charging and answering. */
export function sleep(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
