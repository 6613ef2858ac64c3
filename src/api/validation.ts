/** The validation hook shared by every route: a zod failure becomes a 400 naming each bad field. */
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../http/database";
import { errorBody } from "../http/errors";

export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return undefined;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join(".") || "(body)",
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return c.json(errorBody("invalid_request", `invalid request: ${summary}`, issues), 400);
};
