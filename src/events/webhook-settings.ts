/**
 * The Live Events settings the webhook acts on, derived from the validated configuration (pure): where signing keys
 * come from, whether unsigned deliveries are allowed, the replay bound, and which institution is ours. Also the one
 * rule /health reports on: deliveries can be accepted but no institution is configured, so every event is ignored.
 */
import type { Config } from "../env";
import { hasInstitutionFilter, type InstitutionPolicy } from "./institution";

export interface WebhookSettings {
  jwksUrl: string | undefined;
  allowUnsigned: boolean;
  maxAgeSeconds: number;
  policy: InstitutionPolicy;
}

export function webhookSettings(config: Config): WebhookSettings {
  return {
    jwksUrl: config.LIVE_EVENTS_JWKS_URL,
    allowUnsigned: config.ALLOW_UNSIGNED_WEBHOOKS,
    maxAgeSeconds: config.LIVE_EVENTS_MAX_AGE_SECONDS,
    policy: {
      rootAccountIds: config.LIVE_EVENTS_ROOT_ACCOUNT_IDS,
      rootAccountUuids: config.LIVE_EVENTS_ROOT_ACCOUNT_UUIDS,
      issuer: config.LIVE_EVENTS_ISSUER ?? null,
    },
  };
}

/** The webhook can authenticate deliveries (signed or unsigned) yet has no way to tell ours from others'. */
export function institutionFilterMissing(settings: WebhookSettings): boolean {
  const acceptsDeliveries = settings.jwksUrl !== undefined || settings.allowUnsigned;
  return acceptsDeliveries && !hasInstitutionFilter(settings.policy);
}
