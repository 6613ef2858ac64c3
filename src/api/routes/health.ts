/** GET /health: the health checks (no auth, no course content); 200 unless unhealthy, then 503. */
import { Hono } from "hono";
import { evaluateHealth, readHealthInput } from "../../observability/health";

export const healthRoutes = new Hono<{ Bindings: Env }>();

healthRoutes.get("/health", async (c) => {
  const minutes = Number(c.env.STUCK_JOB_MINUTES ?? 30);
  const stuckMs = (Number.isFinite(minutes) && minutes > 0 ? minutes : 30) * 60_000;
  const now = Date.now();
  const health = evaluateHealth(await readHealthInput(c.env.DB, now, stuckMs));
  return c.json(
    { ...health, checkedAt: new Date(now).toISOString() },
    health.status === "unhealthy" ? 503 : 200,
  );
});
