/**
 * Configuration: every variable and secret the worker reads, validated with zod once per invocation. A bad value
 * fails with a message naming the variable (never echoing a secret's value).
 */
import { z } from "zod";

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const hostList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host.length > 0),
  );

export const ConfigSchema = z.object({
  CANVAS_BASE_URL: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, "")),
  CANVAS_TOKEN: z.string().min(1, "CANVAS_TOKEN is required (a Canvas API token; set it as a secret)"),
  API_TOKEN: z.string().min(16, "API_TOKEN is required and must be at least 16 characters"),
  METRICS_TOKEN: z.string().min(16).optional(),
  /** storage hosts Canvas may redirect file downloads to, besides its own host (e.g. "*.instructure.com,inst-fs-iad-prod.inscloudgate.net") */
  CANVAS_FILE_HOSTS: hostList,
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALLOW_UNSIGNED_WEBHOOKS: flag,
  LIVE_EVENTS_JWKS_URL: z.url().optional(),
  SYNC_BASE_INTERVAL_MINUTES: positive(60),
  SYNC_MIN_INTERVAL_MINUTES: positive(15),
  SYNC_MAX_INTERVAL_MINUTES: positive(360),
  FILES_LOOKBACK_MINUTES: positive(10),
  RECONCILE_INTERVAL_HOURS: positive(24),
  /** poll interval of a course whose Live Events are flowing (capped at RECONCILE_INTERVAL_HOURS; 0 turns it off) */
  SYNC_EVENT_QUIET_INTERVAL_MINUTES: z.coerce.number().nonnegative().default(240),
  STUCK_JOB_MINUTES: positive(30),
  CANVAS_TIMEOUT_SECONDS: positive(30),
  BLOB_GRACE_HOURS: positive(24),
  VECTOR_DIMENSIONS: positive(384),
  NEAR_DUPLICATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  DEDUP_SCOPE: z.enum(["course", "institution"]).default("course"),
  /** extraction and dedup messages that find a sync active are put back for this long */
  BACKGROUND_YIELD_SECONDS: positive(5),
  /** ...but never kept waiting longer than this in total */
  BACKGROUND_MAX_WAIT_MINUTES: positive(2),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** Parses the worker's environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: object): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${safeMessage(issue.message)}`),
  );
}

/** zod messages can quote the received value; for secrets that must never happen, so keep only the expectation. */
function safeMessage(message: string): string {
  return message.replace(/received\s+.*/i, "").trim();
}
