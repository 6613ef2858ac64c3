/**
 * What /health, /metrics and the dashboard read from the configuration for the observability code, which does not
 * read configuration itself: whether Live Events are accepted with no institution configured (a degraded check),
 * how long a running job may go without a heartbeat, and the configured token's CanvasGate (host and token
 * fingerprint).
 */
import { tokenFingerprint } from "../canvas/token-fingerprint";
import type { Config } from "../env";
import { institutionFilterMissing, webhookSettings } from "../events/webhook-settings";
import type { HealthInput } from "../observability/health";
import type { GateTarget } from "../observability/metrics-collect";

/** The Live Events configuration check. */
export function liveEventsHealth(config: Config): Pick<HealthInput, "liveEventsUnfiltered"> {
  return { liveEventsUnfiltered: institutionFilterMissing(webhookSettings(config)) };
}

/** A running job with no heartbeat for this long is stuck. */
export const stuckJobLimitMs = (config: Config): number => config.STUCK_JOB_MINUTES * 60_000;

/** The configured token's gate. */
export async function configuredGateTarget(config: Config): Promise<GateTarget> {
  return { host: new URL(config.CANVAS_BASE_URL).host, token: await tokenFingerprint(config.CANVAS_TOKEN) };
}
