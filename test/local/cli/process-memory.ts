/**
 * Peak memory of the worker's own workerd process, measured from outside it. Benchmarks print
 * `BENCH_MARK <name>-start [label]` and `BENCH_MARK <name>-end [label]` around the work to measure; the Node side feeds
 * every output line to `PeakMemoryMeter.onLine`. The process is found as the workerd descendant of the vitest run the
 * script started (never every workerd on the machine). At a start mark the process's peak-RSS counter is reset
 * (`/proc/<pid>/clear_refs` = 5) and its RSS noted; at the end mark the peak (VmHWM) is read, so the figure is the real
 * high-water mark of the window, not a sample. RSS is also sampled every 20 ms, which is the figure where the reset is
 * not permitted.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const MiB = 1024 * 1024;

export interface MemoryWindow {
  name: string;
  label: string;
  processes: number;
  baselineMiB: number;
  peakMiB: number;
  addedMiB: number;
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

/** The workerd processes started by the run rooted at `root`. */
export function workerdPidsUnder(root: number): number[] {
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

const round = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

interface OpenWindow {
  name: string;
  label: string;
  pids: number[];
  baseline: number;
  /** the highest RSS seen so far: peak counters read at every edge, and the 20 ms samples */
  peak: number;
  reset: boolean;
}

/**
 * Measures the BENCH_MARK windows of one benchmark run. Windows may nest (a whole sync around each of its
 * deliveries): every edge first folds the process's peak counter into all open windows, so resetting it for an inner
 * window never loses an outer window's peak.
 */
export class PeakMemoryMeter {
  readonly windows: MemoryWindow[] = [];
  private readonly open: OpenWindow[] = [];
  private readonly sampler: ReturnType<typeof setInterval>;

  constructor(private readonly rootPid: number) {
    this.sampler = setInterval(() => this.fold("VmRSS"), 20);
  }

  /** Returns true when the line was a BENCH_MARK line. */
  onLine(line: string): boolean {
    const mark = /BENCH_MARK ([\w-]+)-(start|end)(?: (.*))?$/.exec(line);
    if (!mark?.[1]) return false;
    const [, name, edge, label = ""] = mark;
    this.fold("VmHWM");
    if (edge === "start") {
      const pids = workerdPidsUnder(this.rootPid);
      const reset = pids.length > 0 && pids.every(resetPeak);
      const baseline = sum(pids, "VmRSS");
      this.open.push({ name, label, pids, baseline, peak: baseline, reset });
      return true;
    }
    const index = this.open.findIndex((window) => window.name === name && window.label === label);
    const closing = index >= 0 ? this.open.splice(index, 1)[0] : undefined;
    if (closing) {
      this.windows.push({
        name,
        label,
        processes: closing.pids.length,
        baselineMiB: round(closing.baseline),
        peakMiB: round(closing.peak),
        addedMiB: round(closing.peak - closing.baseline),
        hwmReset: closing.reset,
      });
    }
    return true;
  }

  stop(): void {
    clearInterval(this.sampler);
  }

  private fold(field: "VmRSS" | "VmHWM"): void {
    for (const window of this.open) {
      // a peak counter that could not be reset says nothing about this window: rely on the samples
      if (field === "VmHWM" && !window.reset) continue;
      window.peak = Math.max(window.peak, sum(window.pids, field));
    }
  }
}

function sum(pids: number[], field: "VmRSS" | "VmHWM"): number {
  return pids.reduce((total, pid) => total + statusField(pid, field), 0);
}

/** One line per window: what the worker's process gained, its absolute peak, and how it was measured. */
export function describeWindow(window: MemoryWindow): string {
  const how = window.hwmReset
    ? "peak counter reset at start"
    : "sampled every 20 ms: peak counter not resettable";
  return (
    `+${window.addedMiB} MiB (peak ${window.peakMiB} MiB RSS of the worker's process, before ${window.baselineMiB} ` +
    `MiB; ${window.processes} workerd process${window.processes === 1 ? "" : "es"}; ${how})`
  );
}
