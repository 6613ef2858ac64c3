/**
 * Configuration: every variable and secret the worker reads, validated with zod by one schema. The worker checks it
 * on every entry point (fetch, queue, scheduled) and `npm start` checks the same schema before it starts anything,
 * so a bad value fails the same way everywhere: a message naming the variable and the rule, never its value.
 * An empty value counts as unset, so a copied `.dev.vars.example` with blanks means "use the defaults".
 */
import { z } from "zod";

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
    LIVE_EVENTS_JWKS_URL: optionalUrl("https://8axpcl50e4.execute-api.us-east-1.amazonaws.com/main/jwks"),
    SYNC_BASE_INTERVAL_MINUTES: positive(60),
    SYNC_MIN_INTERVAL_MINUTES: positive(15),
    SYNC_MAX_INTERVAL_MINUTES: positive(360),
    FILES_LOOKBACK_MINUTES: positive(10),
    RECONCILE_INTERVAL_HOURS: positive(24),
    STUCK_JOB_MINUTES: positive(30),
    CANVAS_TIMEOUT_SECONDS: positive(30),
    BLOB_GRACE_HOURS: positive(24),
    VECTOR_DIMENSIONS: positive(384, { integer: true }),
    NEAR_DUPLICATE_THRESHOLD: z.preprocess(
      unsetIfBlank,
      z.coerce
        .number({ error: "must be a number" })
        .min(0, "must be between 0 and 1")
        .max(1, "must be between 0 and 1")
        .default(0.8),
    ),
    DEDUP_SCOPE: z.preprocess(
      unsetIfBlank,
      z.enum(["course", "institution"], { error: "must be course or institution" }).default("course"),
    ),
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
  "ALLOW_UNSIGNED_WEBHOOKS",
  "SYNC_BASE_INTERVAL_MINUTES",
  "SYNC_MIN_INTERVAL_MINUTES",
  "SYNC_MAX_INTERVAL_MINUTES",
  "FILES_LOOKBACK_MINUTES",
  "RECONCILE_INTERVAL_HOURS",
  "STUCK_JOB_MINUTES",
  "CANVAS_TIMEOUT_SECONDS",
  "BLOB_GRACE_HOURS",
  "NEAR_DUPLICATE_THRESHOLD",
  "DEDUP_SCOPE",
  "VECTOR_DIMENSIONS",
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
