/**
 * GET /metrics: Prometheus text exposition, behind the API token, METRICS_TOKEN (so a scraper can hold a token
 * that reads metrics and nothing else) or the dashboard session (the dashboard links here). Everything is computed at scrape time from D1 and the Durable Objects; the
 * job aggregates scan sync_jobs, so scrape every 30 s or slower.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import { configuredGateTarget, liveEventsHealth, stuckJobLimitMs } from "../../http/config-inputs";
import { buildMetricFamilies } from "../../observability/metric-families";
import { collectMetrics } from "../../observability/metrics-collect";
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "../../observability/prometheus";
import { requireToken } from "../../http/auth";
import { ErrorSchema } from "../schemas";

export const metricsRoutes = new OpenAPIHono<AppEnv>();

metricsRoutes.use(
  "/metrics",
  requireToken((env) => [env.API_TOKEN, env.METRICS_TOKEN], { allowCookie: true }),
);

metricsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics (API token, METRICS_TOKEN or the dashboard session)",
    responses: {
      200: {
        content: { "text/plain": { schema: z.string() } },
        description: "Prometheus text exposition format 0.0.4",
      },
      401: {
        content: { "application/json": { schema: ErrorSchema } },
        description: "Missing or invalid token",
      },
    },
  }),
  async (c) => {
    const snapshot = await collectMetrics(c.var.db, {
      now: Date.now(),
      stuckJobMs: stuckJobLimitMs(c.var.config),
      liveEvents: liveEventsHealth(c.var.config),
      gates: c.env.CANVAS_GATE,
      gateTarget: await configuredGateTarget(c.var.config),
    });
    return c.text(renderExposition(buildMetricFamilies(snapshot)), 200, {
      "content-type": EXPOSITION_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  },
);
