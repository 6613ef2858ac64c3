/**
 * `npm run bench`: runs the benchmark files inside workerd (vitest with CANVAS_SYNC_BENCH=1) against the Canvas
 * simulator, then prints what each scenario cost next to the naive baseline, the ratio, the Cloudflare price of
 * each scenario from the measured counters, and an extrapolation to 1,000 courses synced hourly for a month.
 * Results are also written to bench-results/<timestamp>.json. BENCH_SIZES=1000 runs the smaller course only.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { printBenchLine } from "./bench-print";
import { costOfSync, SYNCS_PER_MONTH } from "./cost-model";

interface Side {
  canvasRequests: number;
  bytesDownloaded: number;
  d1RowsWritten?: number;
  itemRowsWritten?: number;
  rowsWritten?: number;
  r2Writes: number;
  wallMs: number;
  itemsPerSecond?: number;
  objects?: number;
}

interface ScenarioLine {
  size: number;
  scenario: string;
  floor: number;
  ours: Side;
  naive: Side;
  [extra: string]: unknown;
}

/** A BENCH_JSON line: one JSON object per measurement, printed by the benchmark files. */
const BenchLineSchema = z.record(z.string(), z.unknown());

/** Resident memory (bytes) of every local workerd process: the runtime the benchmark runs in. */
function workerdRssBytes(): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (!/^Name:\s+workerd$/m.test(status)) continue;
      const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
      if (rss?.[1]) total += Number(rss[1]) * 1024;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** Samples workerd memory between the BENCH_MARK stream-start and stream-end lines. */
const memory = { baseline: 0, peak: 0, sampling: false };
const sampler = setInterval(() => {
  if (memory.sampling) memory.peak = Math.max(memory.peak, workerdRssBytes());
}, 200);

function runVitest(): Promise<{ lines: Record<string, unknown>[]; code: number }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["vitest", "run", "--config", "test/vitest.config.ts"], {
      env: { ...process.env, CANVAS_SYNC_BENCH: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: Record<string, unknown>[] = [];
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const marker = line.indexOf("BENCH_JSON ");
        if (marker >= 0)
          lines.push(BenchLineSchema.parse(JSON.parse(line.slice(marker + "BENCH_JSON ".length))));
        else if (/✓|×|FAIL|Tests|Error/.test(line)) process.stdout.write(`${line}\n`);
        newline = buffer.indexOf("\n");
      }
    });
    child.on("close", (code) => resolve({ lines, code: code ?? 1 }));
  });
}

const pad = (value: unknown, width: number) => String(value).padStart(width);
const money = (value: number) => (value < 0.01 ? `$${value.toExponential(2)}` : `$${value.toFixed(2)}`);

/** ours / naive as "0.64x" (below 1: we spent less); "-" when the naive side spent nothing. */
function times(ours: number, naive: number): string {
  return naive > 0 ? `${(ours / naive).toFixed(2)}x` : "-";
}

function printEfficiency(rows: ScenarioLine[]): void {
  console.log(
    "\nSync efficiency: ours next to the naive mirror on the same simulator in the same run " +
      "(x = ours / naive, below 1 is better; L(N) = list requests a sync cannot avoid)\n",
  );
  console.log(
    [
      "size".padEnd(6),
      "scenario".padEnd(28),
      pad("L(N)", 6),
      pad("requests", 9),
      pad("naive", 7),
      pad("req x", 6),
      pad("bytes", 11),
      pad("naive B", 11),
      pad("B x", 6),
      pad("wall ms", 8),
      pad("naive ms", 8),
      pad("wall x", 7),
      pad("D1 rows", 8),
      pad("item rows", 9),
      pad("R2 wr", 6),
      pad("items/s", 8),
    ].join(" "),
  );
  for (const row of rows) {
    console.log(
      [
        String(row.size).padEnd(6),
        row.scenario.padEnd(28),
        pad(row.floor, 6),
        pad(row.ours.canvasRequests, 9),
        pad(row.naive.canvasRequests, 7),
        pad(times(row.ours.canvasRequests, row.naive.canvasRequests), 6),
        pad(row.ours.bytesDownloaded, 11),
        pad(row.naive.bytesDownloaded, 11),
        pad(times(row.ours.bytesDownloaded, row.naive.bytesDownloaded), 6),
        pad(row.ours.wallMs, 8),
        pad(row.naive.wallMs, 8),
        pad(times(row.ours.wallMs, row.naive.wallMs), 7),
        pad(row.ours.d1RowsWritten ?? 0, 8),
        pad(row.ours.itemRowsWritten ?? 0, 9),
        pad(row.ours.r2Writes, 6),
        pad(row.ours.itemsPerSecond ?? 0, 8),
      ].join(" "),
    );
  }
}

function printCosts(rows: ScenarioLine[]): void {
  console.log("\nCloudflare cost per sync (marginal list prices; CPU bounded by wall time)\n");
  for (const row of rows) {
    const cost = costOfSync({
      canvasRequests: row.ours.canvasRequests,
      d1RowsWritten: row.ours.d1RowsWritten ?? 0,
      r2Writes: row.ours.r2Writes,
      wallMs: row.ours.wallMs,
      d1RowsRead: row.ours.objects ?? row.size,
    });
    console.log(
      `${String(row.size).padEnd(6)} ${row.scenario.padEnd(28)} total ${money(cost.total).padStart(10)}  ` +
        `(workers ${money(cost.workers)}, cpu ${money(cost.cpu)}, D1 ${money(cost.d1)}, R2 ${money(cost.r2)}, ` +
        `queues ${money(cost.queues)}, DO ${money(cost.durableObjects)})`,
    );
  }
  for (const size of new Set(rows.map((row) => row.size))) {
    const noChange = rows.find((row) => row.size === size && row.scenario.startsWith("no-change"));
    const onePercent = rows.find((row) => row.size === size && row.scenario.startsWith("1% changed"));
    if (!noChange || !onePercent) continue;
    const price = (row: ScenarioLine) =>
      costOfSync({
        canvasRequests: row.ours.canvasRequests,
        d1RowsWritten: row.ours.d1RowsWritten ?? 0,
        r2Writes: row.ours.r2Writes,
        wallMs: row.ours.wallMs,
        d1RowsRead: row.ours.objects ?? row.size,
      }).total;
    // A month of hourly syncs: most find nothing; assume one in ten sees a 1% change.
    const monthly = SYNCS_PER_MONTH * (0.9 * price(noChange) + 0.1 * price(onePercent));
    console.log(
      `\n1,000 courses of ${size} objects synced hourly for a month (${SYNCS_PER_MONTH.toLocaleString()} syncs, ` +
        `10% with a 1% change): about ${money(monthly)}; Canvas requests ${Math.round(
          SYNCS_PER_MONTH * (0.9 * noChange.ours.canvasRequests + 0.1 * onePercent.ours.canvasRequests),
        ).toLocaleString()} vs naive ${Math.round(SYNCS_PER_MONTH * noChange.naive.canvasRequests).toLocaleString()}`,
    );
  }
}

function isScenarioLine(line: Record<string, unknown>): line is ScenarioLine {
  return typeof line["scenario"] === "string" && "naive" in line;
}

/** Benchmark names are strings; anything else in that field is printed as its JSON. */
function benchmarkName(value: unknown): string {
  if (value === undefined || value === null) return "benchmark";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const { lines, code } = await runVitest();
const efficiency: ScenarioLine[] = [];
const others: Record<string, unknown>[] = [];
for (const line of lines) {
  if (isScenarioLine(line)) efficiency.push(line);
  else others.push(line);
}
printEfficiency(efficiency);
printCosts(efficiency);
for (const line of others) {
  if (!printBenchLine(line)) console.log(`\n${benchmarkName(line["benchmark"])}: ${JSON.stringify(line)}`);
}
clearInterval(sampler);
mkdirSync("bench-results", { recursive: true });
const file = `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), results: lines }, null, 2));
console.log(`\nwrote ${file}`);
process.exit(code);
