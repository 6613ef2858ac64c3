// Secrets and optional variables that `wrangler types` cannot see (they are set with `wrangler secret put`,
// `.dev.vars` or the environment). Declared here so code reading them is typed; src/env.ts validates them.
interface Env {
  CANVAS_TOKEN: string;
  API_TOKEN: string;
  METRICS_TOKEN?: string;
  CANVAS_FILE_HOSTS?: string;
  ALERT_WEBHOOK_URL?: string;
  LIVE_EVENTS_JWKS_URL?: string;
  LIVE_EVENTS_ROOT_ACCOUNT_IDS?: string;
  LIVE_EVENTS_ISSUER?: string;
  LIVE_EVENTS_MAX_AGE_SECONDS?: string;
  RETENTION_JOBS_DAYS?: string;
  RETENTION_CHANGES_DAYS?: string;
  RETENTION_EVENT_MARKS_DAYS?: string;
  RETENTION_DEAD_LETTERS_DAYS?: string;
  RETENTION_COUNTERS_DAYS?: string;
  TOMBSTONE_PURGE_DAYS?: string;
  STUCK_JOB_MINUTES?: string;
}
