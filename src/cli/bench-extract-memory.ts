/**
 * `npm run bench:extract-memory`: runs test/bench/hostile-extract.bench.ts inside workerd and measures, from outside,
 * how much memory the worker's own process gains while it extracts each hostile document. The worker process is
 * found as the workerd descendant of the vitest run this script starts (not every workerd on the machine). At each
 * `BENCH_MARK extract-start` line the process's peak-RSS counter is reset (`/proc/<pid>/clear_refs` = 5) and its
 * RSS noted; at `extract-end` the peak (VmHWM) is read, so the figure is the true high-water mark of that
 * extraction, not a sample. RSS is also sampled every 20 ms as a cross-check where the reset is not permitted.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

const MiB = 1024 * 1024;

interface Measured {
  document: string;
  baselineMiB: number;
  peakMiB: number;
  addedMiB: number;
  sampledPeakMiB: number;
  hwmReset: boolean;
}

/** Every process below `root` (by parent pid), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name is in parentheses and may contain spaces; the parent pid follows it.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function workerdPids(root: number): number[] {
  return descendants(root).filter((pid) => {
    try {
      return /^Name:\s+workerd$/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return false;
    }
  });
}

function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

const child = spawn(
  "npx",
  ["vitest", "run", "--config", "test/vitest.config.ts", "test/bench/hostile-extract.bench.ts"],
  { env: { ...process.env, CANVAS_SYNC_BENCH: "1" }, stdio: ["ignore", "pipe", "inherit"] },
);
const rootPid = child.pid ?? 0;
const measured: Measured[] = [];
let current: { document: string; pids: number[]; baseline: number; sampled: number; reset: boolean } | null =
  null;

const sampler = setInterval(() => {
  if (current === null) return;
  const rss = current.pids.reduce((sum, pid) => sum + statusField(pid, "VmRSS"), 0);
  current.sampled = Math.max(current.sampled, rss);
}, 20);

function onLine(line: string): void {
  const start = /BENCH_MARK extract-start (.*)$/.exec(line);
  const end = /BENCH_MARK extract-end (.*)$/.exec(line);
  if (start?.[1] !== undefined) {
    const pids = workerdPids(rootPid);
    const reset = pids.length > 0 && pids.every(resetPeak);
    const baseline = pids.reduce((sum, pid) => sum + statusField(pid, "VmRSS"), 0);
    current = { document: start[1], pids, baseline, sampled: baseline, reset };
  } else if (end?.[1] !== undefined && current !== null) {
    const hwm = current.pids.reduce((sum, pid) => sum + statusField(pid, "VmHWM"), 0);
    const peak = current.reset ? Math.max(hwm, current.sampled) : current.sampled;
    const round = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
    measured.push({
      document: current.document,
      baselineMiB: round(current.baseline),
      peakMiB: round(peak),
      addedMiB: round(peak - current.baseline),
      sampledPeakMiB: round(current.sampled),
      hwmReset: current.reset,
    });
    current = null;
  } else if (/BENCH_JSON|✓|×|FAIL|Error/.test(line)) {
    process.stdout.write(`${line}\n`);
  }
}

let buffer = "";
child.stdout.on("data", (chunk: Buffer) => {
  buffer += chunk.toString();
  for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
    onLine(buffer.slice(0, newline));
    buffer = buffer.slice(newline + 1);
  }
});

child.on("close", (code) => {
  clearInterval(sampler);
  console.log("\nPeak memory of the worker process while extracting (measured from outside workerd)\n");
  for (const row of measured) {
    console.log(
      `${row.document.padEnd(70)} +${String(row.addedMiB).padStart(6)} MiB  (peak ${row.peakMiB} MiB RSS, ` +
        `before ${row.baselineMiB} MiB${row.hwmReset ? "" : ", sampled every 20 ms: peak counter not resettable"})`,
    );
  }
  mkdirSync("bench-results", { recursive: true });
  const file = `bench-results/extract-memory-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), measured }, null, 2));
  console.log(`\nwrote ${file}`);
  process.exit(measured.length === 0 ? 1 : (code ?? 1));
});
