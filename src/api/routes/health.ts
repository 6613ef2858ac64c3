/** GET /health: the health checks (no auth, no course content); 200 unless unhealthy, then 503. */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import { liveEventsHealth, stuckJobLimitMs } from "../../http/config-inputs";
import { evaluateHealth, readHealthInput } from "../../observability/health";
import { HealthSchema } from "../schemas";

export const healthRoutes = new OpenAPIHono<AppEnv>();

const healthResponse = (description: string) => ({
  content: { "application/json": { schema: HealthSchema } },
  description,
});

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    security: [],
    summary:
      "Sync health: stuck jobs, largest sync lag, recent error rate, Live Events institution configured",
    responses: {
      200: healthResponse("Healthy or degraded; each check with its value and thresholds"),
      503: healthResponse("Unhealthy"),
    },
  }),
  async (c) => {
    const now = Date.now();
    const health = evaluateHealth(
      await readHealthInput(c.var.db, now, stuckJobLimitMs(c.var.config), liveEventsHealth(c.var.config)),
    );
    return c.json(
      { ...health, checkedAt: new Date(now).toISOString() },
      health.status === "unhealthy" ? 503 : 200,
    );
  },
);
