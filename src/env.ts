/**
 * Configuration: every variable and secret the worker reads, validated with zod once per invocation. A bad value
 * fails with a message naming the variable (never echoing a secret's value).
 */
import { z } from "zod";
import { canonicalId } from "./events/canvas-ids";

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

/** Hosts for which an http:// JWKS URL is allowed (a local key server in development); anything else needs https. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const jwksUrl = z
  .url({ protocol: /^https?$/ })
  .refine((url) => {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || LOOPBACK_HOSTS.has(parsed.hostname);
  }, "must be an https URL (http only for localhost, 127.0.0.1 or [::1])")
  .optional();
const accountIds = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const ids = (value ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id.length > 0)
      .map((id) => (/^\d{1,30}$/.test(id) ? canonicalId(id) : null));
    if (ids.some((id) => id === null)) {
      ctx.addIssue({ code: "custom", message: "must be comma-separated Canvas account ids (digits only)" });
      return z.NEVER;
    }
    return ids.filter((id): id is string => id !== null);
  });
const optionalText = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value));
/** Retention windows in days; 0 keeps rows forever. */
const days = (fallback: number) => z.coerce.number().min(0).max(36_500).default(fallback);

export const ConfigSchema = z
  .object({
    CANVAS_BASE_URL: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, "")),
    CANVAS_TOKEN: z.string().min(1, "CANVAS_TOKEN is required (a Canvas API token; set it as a secret)"),
    API_TOKEN: z.string().min(16, "API_TOKEN is required and must be at least 16 characters"),
    METRICS_TOKEN: z.string().min(16).optional(),
    /** storage hosts Canvas may redirect file downloads to, besides its own host (e.g. "*.instructure.com,inst-fs-iad-prod.inscloudgate.net") */
    CANVAS_FILE_HOSTS: hostList,
    ALERT_WEBHOOK_URL: z.url().optional(),
    ALLOW_UNSIGNED_WEBHOOKS: flag,
    LIVE_EVENTS_JWKS_URL: jwksUrl,
    /** root accounts whose Live Events are ours (`metadata.root_account_id`, global ids preferred) */
    LIVE_EVENTS_ROOT_ACCOUNT_IDS: accountIds,
    /** root account uuids whose Live Events are ours (`metadata.root_account_uuid`; New Quizzes events carry only it) */
    LIVE_EVENTS_ROOT_ACCOUNT_UUIDS: z
      .string()
      .optional()
      .transform((value) =>
        (value ?? "")
          .split(",")
          .map((uuid) => uuid.trim())
          .filter((uuid) => uuid.length > 0),
      )
      .pipe(
        z.array(
          z
            .string()
            .max(100)
            .regex(/^[\w-]+$/, "must be comma-separated uuids"),
        ),
      ),
    /** the exact `iss` claim of our signed Live Events */
    LIVE_EVENTS_ISSUER: optionalText,
    /** signed tokens older than this (by iat), or unsigned events older than this (by event_time), are refused */
    LIVE_EVENTS_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(1800),
    SYNC_BASE_INTERVAL_MINUTES: positive(60),
    SYNC_MIN_INTERVAL_MINUTES: positive(15),
    SYNC_MAX_INTERVAL_MINUTES: positive(360),
    FILES_LOOKBACK_MINUTES: positive(10),
    RECONCILE_INTERVAL_HOURS: positive(24),
    STUCK_JOB_MINUTES: positive(30),
    CANVAS_TIMEOUT_SECONDS: positive(30),
    BLOB_GRACE_HOURS: positive(24),
    VECTOR_DIMENSIONS: positive(384),
    /**
     * One queue delivery of a sync works within these and then continues in a fresh delivery (Cloudflare limits
     * each invocation: 15 minutes of wall time, 1,000 D1 queries, `limits.subrequests` subrequests in wrangler.toml).
     */
    SYNC_DELIVERY_MAX_SECONDS: z.coerce.number().int().min(10).max(840).default(600),
    SYNC_DELIVERY_MAX_CANVAS_REQUESTS: z.coerce.number().int().min(1).max(100_000).default(2_000),
    SYNC_DELIVERY_MAX_D1_STATEMENTS: z.coerce.number().int().min(50).max(900).default(800),
    SYNC_DELIVERY_MAX_SUBREQUESTS: z.coerce.number().int().min(100).max(9_000).default(5_000),
    /** local development and tests: fail calls past the production per-invocation limits, as production does */
    EMULATE_PLATFORM_LIMITS: flag,
    NEAR_DUPLICATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
    DEDUP_SCOPE: z.enum(["course", "institution"]).default("course"),
    RETENTION_JOBS_DAYS: days(30),
    RETENTION_CHANGES_DAYS: days(90),
    RETENTION_EVENT_MARKS_DAYS: days(7),
    RETENTION_DEAD_LETTERS_DAYS: days(30),
    RETENTION_COUNTERS_DAYS: days(90),
    TOMBSTONE_PURGE_DAYS: days(90),
  })
  .superRefine((config, ctx) => {
    // A replayed token is refused by its age, and within its age by its event mark: the mark must outlive the age.
    const marksSeconds = config.RETENTION_EVENT_MARKS_DAYS * 86_400;
    if (marksSeconds > 0 && marksSeconds <= config.LIVE_EVENTS_MAX_AGE_SECONDS + 3_600) {
      ctx.addIssue({
        code: "custom",
        path: ["RETENTION_EVENT_MARKS_DAYS"],
        message: "must keep event marks at least an hour longer than LIVE_EVENTS_MAX_AGE_SECONDS",
      });
    }
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
