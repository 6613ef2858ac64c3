/**
 * Runs `wrangler dev --env local` for `npm start` and keeps its console useful: wrangler runs at log level "warn"
 * (no request lines, no binding tables), the worker's JSON log lines are printed as one short line each, and two
 * known, explained warnings are dropped: "vectorize exists at the top level, but not on env.local" (on purpose, see
 * wrangler.toml) and "scheduled workers are not triggered locally" (npm start fires the cron itself). Everything
 * else, errors above all, passes through. Secrets reach wrangler only through the private env file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { z } from "zod";

export const WRANGLER = "wrangler";

export interface WranglerDevOptions {
  port: number;
  envFile: string;
  stateDir: string;
  environment: NodeJS.ProcessEnv;
}

/** Starts wrangler in its own process group (so stopping it also stops workerd) with filtered output. */
export function startWranglerDev(options: WranglerDevOptions): ChildProcess {
  const child = spawn(
    "npx",
    [
      WRANGLER,
      "dev",
      "--env",
      "local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--env-file",
      options.envFile,
      "--persist-to",
      options.stateDir,
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: {
        ...options.environment,
        // The local service never reads request.cf; fetching it only fails (and warns) on an offline machine.
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        FORCE_COLOR: "0",
      },
    },
  );
  if (child.stdout) relay(child.stdout, process.stdout);
  if (child.stderr) relay(child.stderr, process.stderr);
  return child;
}

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, "g");

/** Multi-line warnings that are expected and explained elsewhere: dropped as a whole. */
const EXPLAINED_BLOCKS: { start: RegExp; end: RegExp }[] = [
  { start: /Processing wrangler\.toml configuration/, end: /Please add .*vectorize|"env\.local\.vectorize/ },
  { start: /Scheduled Workers are not automatically triggered/, end: /cron-triggers/ },
];

function relay(stream: Readable, out: NodeJS.WritableStream): void {
  const lines = createInterface({ input: stream });
  let held: string[] | null = null;
  let block: (typeof EXPLAINED_BLOCKS)[number] | null = null;
  lines.on("line", (raw) => {
    const line = raw.replace(ANSI, "");
    if (held !== null && block !== null) {
      held.push(line);
      if (block.end.test(line)) {
        // Dropped only if it says nothing else: a config warning about another key is shown in full.
        const bullets = held.filter((entry) => /^\s+- /.test(entry)).length;
        if (block !== EXPLAINED_BLOCKS[0] || bullets <= 2) held = [];
        for (const entry of held) out.write(`${entry}\n`);
        held = null;
        block = null;
      } else if (held.length > 20) {
        for (const entry of held) out.write(`${entry}\n`);
        held = null;
        block = null;
      }
      return;
    }
    const starts = EXPLAINED_BLOCKS.find((candidate) => candidate.start.test(line));
    if (starts) {
      held = [line];
      block = starts;
      return;
    }
    if (line.trim() === "") return;
    out.write(`${formatLogLine(line)}\n`);
  });
}

const LogEntrySchema = z.record(z.string(), z.unknown());

/** A field as short text: lists (e.g. an alert's conflict pairs, which the dashboard shows) only by their length. */
function fieldText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} entries]`;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The worker's structured log line as "time level message key=value ...", anything else unchanged. */
export function formatLogLine(line: string): string {
  const start = line.indexOf('{"level":');
  if (start < 0) return line;
  try {
    const parsed = LogEntrySchema.safeParse(JSON.parse(line.slice(start)));
    if (!parsed.success) return line;
    const { level, message, at, ...fields } = parsed.data;
    const time = typeof at === "string" ? at.slice(11, 19) : "";
    const details = Object.entries(fields)
      .map(([key, value]) => `${key}=${fieldText(value)}`)
      .join(" ");
    return `${time} ${String(level)}  ${String(message)}${details ? `  (${details.slice(0, 400)})` : ""}`;
  } catch {
    return line;
  }
}
