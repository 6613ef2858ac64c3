/**
 * The one D1 handle of an HTTP request: a middleware builds the drizzle client from the binding once and puts it on
 * the context (`c.var.db`), so route handlers of the API, the dashboard and the MCP endpoint call storage functions
 * with it and never see the raw binding.
 */
import { createMiddleware } from "hono/factory";
import type { Config } from "../env";
import { openDatabase, type Database } from "../storage/d1/client";

/**
 * The Hono environment every HTTP surface shares: the Worker's bindings, the configuration checked once for the
 * request (src/api/config-check.ts), and the request's D1 handle.
 */
export type AppEnv = { Bindings: Env; Variables: { db: Database; config: Config } };

export const provideDatabase = createMiddleware<AppEnv>(async (c, next) => {
  c.set("db", openDatabase(c.env.DB));
  await next();
});
