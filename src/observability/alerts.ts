/**
 * Alerts: always a log line; also a JSON POST to ALERT_WEBHOOK_URL when configured. Alert bodies carry ids and
 * categories, never tokens or course content. A failing webhook is logged, never thrown: alerting must not break a sync.
 */
import type { Config } from "../env";
import { log } from "./log";

export interface Alert {
  kind: string;
  message: string;
  /** how loud the log line is: "error" (default) for what is broken, "warn" for what waits for an operator */
  level?: "warn" | "error";
  details?: Record<string, unknown>;
}

export async function raiseAlert(
  config: Pick<Config, "ALERT_WEBHOOK_URL">,
  alert: Alert,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  log(alert.level ?? "error", `ALERT ${alert.kind}: ${alert.message}`, {
    alert: alert.kind,
    ...alert.details,
  });
  if (!config.ALERT_WEBHOOK_URL) return;
  try {
    const response = await fetcher(config.ALERT_WEBHOOK_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        source: "canvas-sync",
        kind: alert.kind,
        message: alert.message,
        level: alert.level ?? "error",
        details: alert.details,
        at: new Date().toISOString(),
      }),
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
  } catch (error) {
    log("warn", "alert webhook failed", { alert: alert.kind, error: String(error) });
  }
}
