/**
 * Every HTTP request first checks the worker's configuration with the same schema as the queue and cron entry
 * points (src/env.ts). A misconfigured worker answers 503 to everything, /health included, so nothing looks healthy
 * while it cannot work; the response says only that the configuration is invalid (the log names the variables),
 * because an anonymous caller must not learn which secret is missing or too short. The checked configuration is
 * then the request's (`c.var.config`): nothing behind this middleware parses the environment again.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/database";
import { checkConfig } from "../env";
import { log } from "../observability/log";
import { errorBody } from "../http/errors";

export function requireValidConfig(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const check = checkConfig(c.env);
    if (!check.ok) {
      log("error", "request refused: the worker's configuration is invalid", { issues: check.issues });
      return c.json(
        errorBody(
          "misconfigured",
          "the service's configuration is invalid; the worker's log names the settings to fix",
        ),
        503,
      );
    }
    c.set("config", check.config);
    await next();
    return undefined;
  };
}
