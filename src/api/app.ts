/**
 * The HTTP API (Hono): health, the authenticated /api/* routes, and the OpenAPI document. Bodies larger than 64 KB
 * are refused before parsing; every error is the same JSON shape.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requireToken } from "./auth";
import { errorBody, handleError } from "./errors";
import { courseRoutes } from "./routes/courses";
import { healthRoutes } from "./routes/health";
import { itemRoutes } from "./routes/items";
import { jobRoutes } from "./routes/jobs";
import { validationHook } from "./validation";

export function createApp() {
  const app = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody("not_found", "no such route"), 404));
  app.use(
    "*",
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json(errorBody("payload_too_large", "request body exceeds 64 KB"), 413),
    }),
  );
  app.route("/", healthRoutes);
  app.use(
    "/api/*",
    requireToken((env) => [env.API_TOKEN], { allowCookie: true }),
  );
  app.route("/", courseRoutes);
  app.route("/", jobRoutes);
  app.route("/", itemRoutes);
  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "canvas-sync",
      version: "1.0.0",
      description: "Incremental Canvas LMS mirror: status and content API",
    },
    security: [{ bearerAuth: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  return app;
}
