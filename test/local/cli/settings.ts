/**
 * The settings `npm start` runs the worker with, gathered and validated before anything starts. Every setting of
 * the README's configuration table (src/env.ts SETTING_NAMES) comes from the environment or `.dev.vars` (the
 * environment wins), is checked by the worker's own zod schema, and is handed to `wrangler dev` in one private env
 * file, so what `npm start` accepts is exactly what the worker accepts. Without CANVAS_BASE_URL the bundled
 * simulator plays Canvas (the demo); its URL and token are filled in here.
 */
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { parseEnv } from "node:util";
import { z } from "zod";
import { checkConfig, SECRET_SETTINGS, SETTING_NAMES, type Config, type SettingName } from "../../../src/env";

/** Settings of `npm start` itself (not the worker's), validated the same way. */
const portNumber = (fallback: number) =>
  z.coerce
    .number({ error: "must be a port number (1-65535)" })
    .int("must be a port number (1-65535)")
    .min(1, "must be a port number (1-65535)")
    .max(65_535, "must be a port number (1-65535)")
    .default(fallback);

const CliOptionsSchema = z.object({
  PORT: portNumber(8787),
  SIMULATOR_PORT: portNumber(8790),
  SIMULATOR_STORAGE_PORT: portNumber(8791),
  CANVAS_COURSE_IDS: z
    .string()
    .regex(/^\s*[1-9]\d*(\s*,\s*[1-9]\d*)*\s*$/, "must be comma-separated course ids, e.g. 101,102")
    .transform((value) => value.split(",").map((id) => Number(id.trim())))
    .optional(),
});

export const CLI_OPTION_NAMES = [
  "PORT",
  "SIMULATOR_PORT",
  "SIMULATOR_STORAGE_PORT",
  "CANVAS_COURSE_IDS",
] as const;

export type CliOptions = z.infer<typeof CliOptionsSchema>;

export interface StartSettings {
  mode: "demo" | "canvas";
  options: CliOptions;
  /** every worker setting as a string, for the env file handed to wrangler */
  values: Partial<Record<SettingName, string>>;
  config: Config;
  /** true when npm start made the API token up (then it may print it; a user's own token is never printed) */
  apiTokenGenerated: boolean;
  /** settings found in .dev.vars that the environment overrode, and demo notes worth a line */
  notes: string[];
}

export type SettingsResult = { ok: true; settings: StartSettings } | { ok: false; problems: string[] };

const DevVarsSchema = z.record(z.string(), z.string());

/** Reads `.dev.vars` (dotenv syntax) if present. */
export function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return DevVarsSchema.parse(parseEnv(readFileSync(path, "utf8")));
}

const blank = (value: string | undefined): boolean => value === undefined || value.trim() === "";

/**
 * Merges the environment over `.dev.vars`, fills in what the demo provides and validates everything. `simulator`
 * gives the demo's Canvas URL and token (known before the simulator starts: its port is a setting).
 */
export function resolveStartSettings(
  environment: Record<string, string | undefined>,
  devVars: Record<string, string>,
  simulatorToken = `sim-${randomBytes(12).toString("hex")}`,
): SettingsResult {
  const pick = (name: string): string | undefined =>
    blank(environment[name]) ? (blank(devVars[name]) ? undefined : devVars[name]) : environment[name];
  const options = CliOptionsSchema.safeParse(
    Object.fromEntries(CLI_OPTION_NAMES.map((name) => [name, pick(name)])),
  );
  const problems = options.success
    ? []
    : options.error.issues.map(
        (issue) => `${issue.path.join(".")} ${issue.message.replace(/,?\s*received.*/i, "")}`,
      );

  const values: Partial<Record<SettingName, string>> = {};
  for (const name of SETTING_NAMES) {
    const value = pick(name);
    if (value !== undefined) values[name] = value;
  }
  const notes: string[] = [];
  const mode = values.CANVAS_BASE_URL === undefined ? "demo" : "canvas";
  if (mode === "demo") {
    if (values.CANVAS_TOKEN !== undefined)
      notes.push("CANVAS_TOKEN is ignored without CANVAS_BASE_URL: the demo's simulator makes its own");
    const port = options.success ? options.data.SIMULATOR_PORT : 8790;
    values.CANVAS_BASE_URL = `http://127.0.0.1:${port}`;
    values.CANVAS_TOKEN = simulatorToken;
    // Two sections of one course share material on purpose; the demo compares across courses so that shows.
    if (values.DEDUP_SCOPE === undefined) {
      values.DEDUP_SCOPE = "institution";
      notes.push("demo: DEDUP_SCOPE=institution, so copies between the two BIO 101 sections are found");
    }
  }
  const apiTokenGenerated = values.API_TOKEN === undefined;
  if (apiTokenGenerated) values.API_TOKEN = `local-${randomBytes(16).toString("hex")}`;

  const check = checkConfig(values);
  if (!check.ok) problems.push(...check.issues);
  if (problems.length > 0 || !check.ok || !options.success) return { ok: false, problems };
  return {
    ok: true,
    settings: { mode, options: options.data, values, config: check.config, apiTokenGenerated, notes },
  };
}

/** The env file's text (dotenv syntax, values quoted). Written with mode 0600: it holds secrets. */
export function envFileText(values: Partial<Record<SettingName, string>>): string {
  return (
    SETTING_NAMES.flatMap((name) => {
      const value = values[name];
      return value === undefined ? [] : [`${name}=${JSON.stringify(value)}`];
    }).join("\n") + "\n"
  );
}

/** The process environment for wrangler: none of the settings (the env file is their one source). */
export function scrubbedEnvironment(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...environment };
  for (const name of SETTING_NAMES) delete copy[name];
  return copy;
}

/** How a setting may be shown: secrets never are. */
export function describeSetting(name: SettingName, value: string | undefined): string {
  if (value === undefined) return "(default)";
  return SECRET_SETTINGS.has(name) ? "(set, not shown)" : value;
}
