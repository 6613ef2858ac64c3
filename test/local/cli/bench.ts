/**
 * `npm run bench`: runs the benchmark files inside workerd (vitest with CANVAS_SYNC_BENCH=1) against the Canvas
 * simulator, then prints what each scenario cost next to the naive baseline, the ratio, the Cloudflare price of
 * each scenario from the measured counters, and an extrapolation to 1,000 courses synced hourly for a month.
 * Results are also written to bench-results/<timestamp>.json. BENCH_SIZES=1000 runs the smaller course only;
 * `npm run bench -- test/local/bench/deliveries.bench.ts` runs only the named benchmark files.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { printBenchLine } from "./bench-print";
import { costOfSync, SYNCS_PER_MONTH } from "./cost-model";
import { describeWindow, type MemoryWindow, PeakMemoryMeter } from "./process-memory";

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

function runVitest(): Promise<{ lines: Record<string, unknown>[]; memory: MemoryWindow[]; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(
      "npx",
      ["vitest", "run", "--config", "test/vitest.config.ts", ...process.argv.slice(2)],
      {
        env: { ...process.env, CANVAS_SYNC_BENCH: "1" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const meter = new PeakMemoryMeter(child.pid ?? 0);
    const lines: Record<string, unknown>[] = [];
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const marker = line.indexOf("BENCH_JSON ");
        if (meter.onLine(line)) {
          // a memory window's edge, measured by the meter
        } else if (marker >= 0)
          lines.push(BenchLineSchema.parse(JSON.parse(line.slice(marker + "BENCH_JSON ".length))));
        else if (/✓|×|FAIL|Tests|Error/.test(line)) process.stdout.write(`${line}\n`);
        newline = buffer.indexOf("\n");
      }
    });
    child.on("close", (code) => {
      meter.stop();
      resolve({ lines, memory: meter.windows, code: code ?? 1 });
    });
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

const SearchLineSchema = z.object({
  benchmark: z.literal("search"),
  objects: z.number(),
  index: z.object({
    ftsBytes: z.number(),
    contentBytes: z.number(),
    dbBytesWithout: z.number(),
    dbBytesWith: z.number(),
  }),
  write: z.object({
    withoutIndexMs: z.number(),
    withIndexMs: z.number(),
    rowsWithoutIndex: z.number(),
    rowsWithIndex: z.number(),
  }),
  queries: z.number(),
  latency: z.object({
    fts: z.object({ p50: z.number(), p95: z.number() }),
    like: z.object({ p50: z.number(), p95: z.number() }),
  }),
  byKind: z.array(
    z.object({
      kind: z.string(),
      ftsP50: z.number(),
      ftsMax: z.number(),
      likeP50: z.number(),
      likeMax: z.number(),
    }),
  ),
});

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The full-text search benchmark next to its baseline (an unranked LIKE scan, what the mirror had before). */
function printSearch(line: z.infer<typeof SearchLineSchema>): void {
  console.log(
    `\nFull-text search at ${line.objects.toLocaleString()} objects (SQLite FTS5 in D1, bm25 + snippets) vs ` +
      "baseline LIKE '%word%' scan (unranked, no stemming, no snippets)\n",
  );
  console.log(
    `index: FTS5 ${mb(line.index.ftsBytes)} + indexed text ${mb(line.index.contentBytes)}; database ` +
      `${mb(line.index.dbBytesWithout)} without the index, ${mb(line.index.dbBytesWith)} with it`,
  );
  console.log(
    `writing every object through the sync write path: ${line.write.withoutIndexMs} ms without the index, ` +
      `${line.write.withIndexMs} ms with its triggers; D1 rows written ${line.write.rowsWithoutIndex.toLocaleString()} ` +
      `without, ${line.write.rowsWithIndex.toLocaleString()} with`,
  );
  console.log(
    `${line.queries} queries, median of 3 runs each: FTS5 p50 ${line.latency.fts.p50} ms, p95 ${line.latency.fts.p95} ms; ` +
      `LIKE p50 ${line.latency.like.p50} ms, p95 ${line.latency.like.p95} ms\n`,
  );
  console.log(
    ["kind".padEnd(14), pad("FTS p50", 8), pad("FTS max", 8), pad("LIKE p50", 9), pad("LIKE max", 9)].join(
      " ",
    ),
  );
  for (const kind of line.byKind) {
    console.log(
      [
        kind.kind.padEnd(14),
        pad(kind.ftsP50, 8),
        pad(kind.ftsMax, 8),
        pad(kind.likeP50, 9),
        pad(kind.likeMax, 9),
      ].join(" "),
    );
  }
}

const DeliveriesLineSchema = z.object({
  benchmark: z.literal("deliveries"),
  objects: z.number(),
  status: z.string().optional(),
  deliveries: z.number(),
  canvasRequests: z.number(),
  maxCanvasRequests: z.number(),
  maxD1Statements: z.number(),
  maxSubrequests: z.number(),
  maxDeliveryMs: z.number(),
  limits: z.object({ subrequests: z.number(), d1Queries: z.number(), wallMs: z.number() }),
  wallMs: z.number(),
});

const StreamLineSchema = z.object({
  benchmark: z.literal("file-stream"),
  bytes: z.number(),
  seconds: z.number(),
  megabytesPerSecond: z.number(),
  sha256Matches: z.boolean(),
});

const windowNamed = (memory: MemoryWindow[], name: string) => memory.find((window) => window.name === name);

/** The large first sync against Cloudflare's per-invocation limits: each figure is the largest single delivery's. */
function printDeliveries(line: z.infer<typeof DeliveriesLineSchema>, memory: MemoryWindow[]): void {
  const peak = windowNamed(memory, "deliveries");
  console.log(
    `\nFirst sync of ${line.objects.toLocaleString()} objects in bounded deliveries: ${line.status ?? "?"} after ` +
      `${line.deliveries} deliveries, ${line.canvasRequests.toLocaleString()} Canvas requests, ` +
      `${(line.wallMs / 1000).toFixed(1)} s wall time`,
  );
  console.log(
    `largest delivery: ${line.maxSubrequests} subrequests (limit ${line.limits.subrequests}), ` +
      `${line.maxD1Statements} D1 queries (limit ${line.limits.d1Queries}), ${line.maxCanvasRequests} Canvas ` +
      `requests, ${(line.maxDeliveryMs / 1000).toFixed(1)} s (limit ${line.limits.wallMs / 1000} s)`,
  );
  const each = memory.filter((window) => window.name === "delivery");
  const largest = each.reduce<MemoryWindow | undefined>(
    (most, window) => (most === undefined || window.addedMiB > most.addedMiB ? window : most),
    undefined,
  );
  console.log(
    `memory, largest single delivery (${each.length} measured): ` +
      (largest ? `delivery ${largest.label}: ${describeWindow(largest)}` : "not measured"),
  );
  console.log(`memory over the whole sync: ${peak ? describeWindow(peak) : "not measured"}`);
}

function printStream(line: z.infer<typeof StreamLineSchema>, memory: MemoryWindow[]): void {
  const peak = windowNamed(memory, "stream");
  console.log(
    `\nStreaming one ${(line.bytes / 1024 / 1024).toFixed(0)} MiB file to R2: ${line.megabytesPerSecond} MiB/s, ` +
      `sha256 ${line.sha256Matches ? "matches" : "DIFFERS"}; memory ${peak ? describeWindow(peak) : "not measured"}`,
  );
}

/** Every measured window (the extraction windows included), in the order they ran. */
function printMemory(memory: MemoryWindow[]): void {
  if (memory.length === 0) return;
  console.log(
    "\nPeak memory of the worker's own workerd process per measured window (from outside the process)\n",
  );
  for (const window of memory.filter((each) => each.name !== "delivery")) {
    console.log(`${`${window.name} ${window.label}`.trim().padEnd(60)} ${describeWindow(window)}`);
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

const { lines, memory, code } = await runVitest();
const efficiency: ScenarioLine[] = [];
const others: Record<string, unknown>[] = [];
for (const line of lines) {
  if (isScenarioLine(line)) efficiency.push(line);
  else others.push(line);
}
printEfficiency(efficiency);
printCosts(efficiency);
for (const line of others) {
  const search = SearchLineSchema.safeParse(line);
  const deliveries = DeliveriesLineSchema.safeParse(line);
  const stream = StreamLineSchema.safeParse(line);
  if (search.success) printSearch(search.data);
  else if (deliveries.success) printDeliveries(deliveries.data, memory);
  else if (stream.success) printStream(stream.data, memory);
  else if (!printBenchLine(line))
    console.log(`\n${benchmarkName(line["benchmark"])}: ${JSON.stringify(line)}`);
}
printMemory(memory);
mkdirSync("bench-results", { recursive: true });
const file = `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), results: lines, memory }, null, 2));
console.log(`\nwrote ${file}`);
process.exit(code);
