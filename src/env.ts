/**
 * Configuration: every variable and secret the worker reads, validated with zod by one schema. The worker checks it
 * on every entry point (fetch, queue, scheduled) and `npm start` checks the same schema before it starts anything,
 * so a bad value fails the same way everywhere: a message naming the variable and the rule, never its value.
 * An empty value counts as unset, so a copied `.dev.vars.example` with blanks means "use the defaults".
 */
import { z } from "zod";
import { canonicalId } from "./shared/canvas-ids";

/** "" and whitespace-only values are unset: .dev.vars files and `wrangler.toml` declarations leave them blank. */
const unsetIfBlank = (value: unknown): unknown =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const flag = z.preprocess(
  unsetIfBlank,
  z
    .enum(["true", "false", "1", "0"], { error: "must be true or false" })
    .optional()
    .transform((value) => value === "true" || value === "1"),
);

const positive = (fallback: number, options: { integer?: boolean } = {}) =>
  z.preprocess(
    unsetIfBlank,
    (options.integer
      ? z.coerce.number({ error: "must be a number" }).int("must be a whole number")
      : z.coerce.number({ error: "must be a number" })
    )
      .positive("must be greater than 0")
      .default(fallback),
  );

const hostList = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter((host) => host.length > 0),
    ),
);

const httpUrl = (example: string) =>
  z
    .string({ error: `is required: an http(s) URL such as ${example}` })
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
      error: `must be an http(s) URL such as ${example}`,
      abort: true,
    });

const optionalUrl = (example: string) => z.preprocess(unsetIfBlank, httpUrl(example).optional());

const secret = (name: string, min: number, what: string) =>
  z
    .string({ error: `is required: ${what}${min > 1 ? ` (at least ${min} characters)` : ""}` })
    .min(min, `must be at least ${min} characters (${name} is ${what})`);

/** Hosts for which an http:// JWKS URL is allowed (a local key server in development); anything else needs https. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const jwksUrl = z.preprocess(
  unsetIfBlank,
  httpUrl("https://8axpcl50e4.execute-api.us-east-1.amazonaws.com/main/jwks")
    .refine((url) => {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || LOOPBACK_HOSTS.has(parsed.hostname);
    }, "must be an https URL (http only for localhost, 127.0.0.1 or [::1])")
    .optional(),
);
const accountIds = z.preprocess(
  unsetIfBlank,
  z
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
    }),
);
const accountUuids = z.preprocess(
  unsetIfBlank,
  z
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
);
const optionalText = z.preprocess(unsetIfBlank, z.string().trim().max(500).optional());
/** Retention windows in days; 0 keeps rows forever. */
const days = (fallback: number) =>
  z.preprocess(
    unsetIfBlank,
    z.coerce.number({ error: "must be a number" }).min(0).max(36_500).default(fallback),
  );
const wholeNumber = (fallback: number, min: number, max: number) =>
  z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

export const ConfigSchema = z
  .object({
    CANVAS_BASE_URL: z.preprocess(
      unsetIfBlank,
      httpUrl("https://school.instructure.com")
        .refine((value) => !/\/api(\/|$)/.test(new URL(value).pathname), {
          error: "must be the Canvas address without /api/v1 (e.g. https://school.instructure.com)",
        })
        .transform((url) => url.replace(/\/+$/, "")),
    ),
    CANVAS_TOKEN: z.preprocess(unsetIfBlank, secret("CANVAS_TOKEN", 1, "a Canvas API token")),
    API_TOKEN: z.preprocess(unsetIfBlank, secret("API_TOKEN", 16, "the bearer token of this service's API")),
    METRICS_TOKEN: z.preprocess(
      unsetIfBlank,
      secret("METRICS_TOKEN", 16, "the separate token for /metrics").optional(),
    ),
    /** storage hosts Canvas may redirect file downloads to, besides its own host (e.g. "*.instructure.com,inst-fs-iad-prod.inscloudgate.net") */
    CANVAS_FILE_HOSTS: hostList,
    ALERT_WEBHOOK_URL: optionalUrl("https://alerts.example.edu/hook"),
    ALLOW_UNSIGNED_WEBHOOKS: flag,
    LIVE_EVENTS_JWKS_URL: jwksUrl,
    /** root accounts whose Live Events are ours (`metadata.root_account_id`, global ids preferred) */
    LIVE_EVENTS_ROOT_ACCOUNT_IDS: accountIds,
    /** root account uuids whose Live Events are ours (`metadata.root_account_uuid`; New Quizzes events carry only it) */
    LIVE_EVENTS_ROOT_ACCOUNT_UUIDS: accountUuids,
    /** the exact `iss` claim of our signed Live Events */
    LIVE_EVENTS_ISSUER: optionalText,
    /** signed tokens older than this (by iat), or unsigned events older than this (by event_time), are refused */
    LIVE_EVENTS_MAX_AGE_SECONDS: wholeNumber(1800, 60, 86_400),
    SYNC_BASE_INTERVAL_MINUTES: positive(60),
    SYNC_MIN_INTERVAL_MINUTES: positive(15),
    SYNC_MAX_INTERVAL_MINUTES: positive(360),
    FILES_LOOKBACK_MINUTES: positive(10),
    RECONCILE_INTERVAL_HOURS: positive(24),
    /** poll interval of a course whose Live Events are flowing (capped at RECONCILE_INTERVAL_HOURS; 0 turns it off) */
    SYNC_EVENT_QUIET_INTERVAL_MINUTES: z.preprocess(
      unsetIfBlank,
      z.coerce.number({ error: "must be a number" }).nonnegative("must be 0 or more").default(240),
    ),
    STUCK_JOB_MINUTES: positive(30),
    CANVAS_TIMEOUT_SECONDS: positive(30),
    BLOB_GRACE_HOURS: positive(24),
    VECTOR_DIMENSIONS: positive(384, { integer: true }),
    /**
     * One queue delivery of a sync works within these and then continues in a fresh delivery (Cloudflare limits
     * each invocation: 15 minutes of wall time, 1,000 D1 queries, `limits.subrequests` subrequests in wrangler.toml).
     */
    SYNC_DELIVERY_MAX_SECONDS: wholeNumber(600, 10, 840),
    SYNC_DELIVERY_MAX_CANVAS_REQUESTS: wholeNumber(2_000, 1, 100_000),
    SYNC_DELIVERY_MAX_D1_STATEMENTS: wholeNumber(800, 50, 900),
    SYNC_DELIVERY_MAX_SUBREQUESTS: wholeNumber(5_000, 100, 9_000),
    /** local development and tests: fail calls past the production per-invocation limits, as production does */
    EMULATE_PLATFORM_LIMITS: flag,
    NEAR_DUPLICATE_THRESHOLD: z.preprocess(
      unsetIfBlank,
      z.coerce
        .number({ error: "must be a number" })
        .min(0, "must be between 0 and 1")
        .max(1, "must be between 0 and 1")
        .default(0.8),
    ),
    /** extraction and dedup messages that find a sync active are put back for this long */
    BACKGROUND_YIELD_SECONDS: positive(5),
    /** ...but never kept waiting longer than this in total */
    BACKGROUND_MAX_WAIT_MINUTES: positive(2),
    DEDUP_SCOPE: z.preprocess(
      unsetIfBlank,
      z.enum(["course", "institution"], { error: "must be course or institution" }).default("course"),
    ),
    RETENTION_JOBS_DAYS: days(30),
    RETENTION_CHANGES_DAYS: days(90),
    RETENTION_EVENT_MARKS_DAYS: days(7),
    RETENTION_DEAD_LETTERS_DAYS: days(30),
    RETENTION_COUNTERS_DAYS: days(90),
    TOMBSTONE_PURGE_DAYS: days(90),
  })
  .superRefine((config, ctx) => {
    if (config.SYNC_MIN_INTERVAL_MINUTES > config.SYNC_BASE_INTERVAL_MINUTES) {
      ctx.addIssue({
        code: "custom",
        path: ["SYNC_MIN_INTERVAL_MINUTES"],
        message: "must not exceed SYNC_BASE_INTERVAL_MINUTES",
      });
    }
    if (config.SYNC_BASE_INTERVAL_MINUTES > config.SYNC_MAX_INTERVAL_MINUTES) {
      ctx.addIssue({
        code: "custom",
        path: ["SYNC_MAX_INTERVAL_MINUTES"],
        message: "must not be below SYNC_BASE_INTERVAL_MINUTES",
      });
    }
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

/** Every setting the schema reads, in the order of the README's configuration table. */
export const SETTING_NAMES = [
  "CANVAS_BASE_URL",
  "CANVAS_TOKEN",
  "API_TOKEN",
  "METRICS_TOKEN",
  "CANVAS_FILE_HOSTS",
  "ALERT_WEBHOOK_URL",
  "LIVE_EVENTS_JWKS_URL",
  "LIVE_EVENTS_ROOT_ACCOUNT_IDS",
  "LIVE_EVENTS_ROOT_ACCOUNT_UUIDS",
  "LIVE_EVENTS_ISSUER",
  "LIVE_EVENTS_MAX_AGE_SECONDS",
  "ALLOW_UNSIGNED_WEBHOOKS",
  "SYNC_BASE_INTERVAL_MINUTES",
  "SYNC_MIN_INTERVAL_MINUTES",
  "SYNC_MAX_INTERVAL_MINUTES",
  "FILES_LOOKBACK_MINUTES",
  "RECONCILE_INTERVAL_HOURS",
  "SYNC_EVENT_QUIET_INTERVAL_MINUTES",
  "STUCK_JOB_MINUTES",
  "CANVAS_TIMEOUT_SECONDS",
  "BLOB_GRACE_HOURS",
  "NEAR_DUPLICATE_THRESHOLD",
  "DEDUP_SCOPE",
  "VECTOR_DIMENSIONS",
  "BACKGROUND_YIELD_SECONDS",
  "BACKGROUND_MAX_WAIT_MINUTES",
  "SYNC_DELIVERY_MAX_SECONDS",
  "SYNC_DELIVERY_MAX_CANVAS_REQUESTS",
  "SYNC_DELIVERY_MAX_D1_STATEMENTS",
  "SYNC_DELIVERY_MAX_SUBREQUESTS",
  "EMULATE_PLATFORM_LIMITS",
  "RETENTION_JOBS_DAYS",
  "RETENTION_CHANGES_DAYS",
  "RETENTION_EVENT_MARKS_DAYS",
  "RETENTION_DEAD_LETTERS_DAYS",
  "RETENTION_COUNTERS_DAYS",
  "TOMBSTONE_PURGE_DAYS",
] as const satisfies readonly (keyof Config)[];

export type SettingName = (typeof SETTING_NAMES)[number];

/** Settings whose values are secrets: never printed, logged or echoed. */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set([
  "CANVAS_TOKEN",
  "API_TOKEN",
  "METRICS_TOKEN",
]);

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join("; ")}`);
    this.name = "ConfigError";
  }
}

export type ConfigCheck = { ok: true; config: Config } | { ok: false; issues: string[] };

/** Validates the environment; each issue reads "<VARIABLE> <rule>" and never contains a value. */
export function checkConfig(env: object): ConfigCheck {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "configuration"} ${safeMessage(issue.message)}`,
    ),
  };
}

/** Parses the worker's environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: object): Config {
  const check = checkConfig(env);
  if (check.ok) return check.config;
  throw new ConfigError(check.issues);
}

/** zod's own messages can quote the received value; for secrets that must never happen, so keep the expectation. */
function safeMessage(message: string): string {
  return message.replace(/,?\s*received\s+.*/i, "").trim();
}
