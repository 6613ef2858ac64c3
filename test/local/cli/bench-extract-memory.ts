/**
 * `npm run bench:extract-memory`: runs test/local/bench/hostile-extract.bench.ts alone inside workerd and measures, from
 * outside, how much memory the worker's own process gains while it extracts each hostile document (the windows
 * between `BENCH_MARK extract-start <document>` and `extract-end`; see process-memory.ts for how).
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { describeWindow, PeakMemoryMeter } from "./process-memory";

const child = spawn(
  "npx",
  ["vitest", "run", "--config", "test/vitest.config.ts", "test/local/bench/hostile-extract.bench.ts"],
  { env: { ...process.env, CANVAS_SYNC_BENCH: "1" }, stdio: ["ignore", "pipe", "inherit"] },
);
const meter = new PeakMemoryMeter(child.pid ?? 0);

let buffer = "";
child.stdout.on("data", (chunk: Buffer) => {
  buffer += chunk.toString();
  for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    if (!meter.onLine(line) && /BENCH_JSON|✓|×|FAIL|Error/.test(line)) process.stdout.write(`${line}\n`);
  }
});

child.on("close", (code) => {
  meter.stop();
  const measured = meter.windows.filter((window) => window.name === "extract");
  console.log("\nPeak memory of the worker process while extracting (measured from outside workerd)\n");
  for (const window of measured) console.log(`${window.label.padEnd(70)} ${describeWindow(window)}`);
  mkdirSync("bench-results", { recursive: true });
  const file = `bench-results/extract-memory-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), measured }, null, 2));
  console.log(`\nwrote ${file}`);
  process.exit(measured.length === 0 ? 1 : (code ?? 1));
});
