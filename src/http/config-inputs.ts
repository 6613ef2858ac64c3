/**
 * What /health, /metrics and the dashboard read from the configuration for the observability code, which does not
 * read configuration itself: whether Live Events are accepted with no institution configured (a degraded check),
 * and the configured token's CanvasGate (host and token fingerprint). Both say "not evaluated" (empty, null) when
 * the configuration cannot be read.
 */
import { tokenFingerprint } from "../canvas/token-fingerprint";
import { loadConfig } from "../env";
import { institutionFilterMissing, webhookSettings } from "../events/webhook-settings";
import type { HealthInput } from "../observability/health";
import type { GateTarget } from "../observability/metrics-collect";

/** The Live Events configuration check; not evaluated (empty) when the configuration itself cannot be read. */
export function liveEventsHealth(env: object): Pick<HealthInput, "liveEventsUnfiltered"> {
  try {
    return { liveEventsUnfiltered: institutionFilterMissing(webhookSettings(loadConfig(env))) };
  } catch {
    return {};
  }
}

/** The configured token's gate, or null when the configuration cannot be read. */
export async function configuredGateTarget(env: object): Promise<GateTarget | null> {
  let config;
  try {
    config = loadConfig(env);
  } catch {
    return null;
  }
  return { host: new URL(config.CANVAS_BASE_URL).host, token: await tokenFingerprint(config.CANVAS_TOKEN) };
}
