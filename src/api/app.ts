/**
 * The HTTP surface (Hono): health, the authenticated /api/* routes, the MCP endpoint (/mcp), /metrics, the OpenAPI
 * document and its reference page, and the dashboard. Bodies larger than 64 KB are refused before parsing; every API error is the same JSON
 * shape.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { dashboardRoutes } from "../dashboard/routes";
import { searchPageRoutes } from "../dashboard/search-page";
import { mcpRoutes } from "../mcp/routes";
import { provideDatabase, type AppEnv } from "../http/database";
import { requireToken } from "../http/auth";
import { requireValidConfig } from "./config-check";
import { errorBody, handleError } from "../http/errors";
import { conflictRoutes } from "./routes/conflicts";
import { courseRoutes } from "./routes/courses";
import { docsRoutes } from "./routes/docs";
import { fileContentRoutes } from "./routes/file-content";
import { healthRoutes } from "./routes/health";
import { itemRoutes } from "./routes/items";
import { jobRoutes } from "./routes/jobs";
import { metricsRoutes } from "./routes/metrics";
import { searchRoutes } from "./routes/search";
import { webhookRoutes } from "./routes/webhooks";
import { validationHook } from "./validation";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody("not_found", "no such route"), 404));
  app.use("*", requireValidConfig());
  app.use("*", provideDatabase);
  app.use(
    "*",
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json(errorBody("payload_too_large", "request body exceeds 64 KB"), 413),
    }),
  );
  app.route("/", healthRoutes);
  app.route("/", metricsRoutes);
  app.route("/", webhookRoutes);
  app.use(
    "/api/*",
    requireToken((env) => [env.API_TOKEN], { allowCookie: true }),
  );
  // The MCP endpoint takes the API token as a bearer token only (no dashboard cookie: it is for programs).
  app.use(
    "/mcp",
    requireToken((env) => [env.API_TOKEN]),
  );
  app.route("/", mcpRoutes);
  app.route("/", courseRoutes);
  app.route("/", jobRoutes);
  app.route("/", itemRoutes);
  app.route("/", fileContentRoutes);
  app.route("/", conflictRoutes);
  app.route("/", searchRoutes);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "The API token (API_TOKEN). /metrics also accepts METRICS_TOKEN. The dashboard's session cookie works for " +
      "GET and HEAD; with it, other methods also need the page's CSRF token in x-csrf-token (else 403 csrf_rejected).",
  });
  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "canvas-sync",
      version: "1.0.0",
      description:
        "Incremental Canvas LMS mirror: status and content API. Errors are JSON `{ error: { code, message, details } }`; " +
        "list endpoints page with `limit` (1-500, default 100) and the opaque `nextCursor` passed back as `cursor`.",
    },
    security: [{ bearerAuth: [] }],
  });
  app.route("/", docsRoutes);
  app.route("/", searchPageRoutes);
  app.route("/", dashboardRoutes);
  return app;
}
