/**
 * The Prometheus text exposition format (version 0.0.4), as pure functions: metric families in, text out. Label
 * values are escaped (backslash, quote, newline) because some come from stored data (error categories, item types);
 * names are checked so a typo cannot produce a body that a scraper rejects as a whole.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface ScalarFamily {
  type: "counter" | "gauge";
  name: string;
  help: string;
  samples: Sample[];
}

export interface HistogramSeries {
  labels?: Labels;
  /** per-bucket counts (not cumulative), same length and order as the family's `buckets` */
  bucketCounts: number[];
  /** observations above the largest bucket bound */
  overflow: number;
  sum: number;
}

export interface HistogramFamily {
  type: "histogram";
  name: string;
  help: string;
  /** upper bounds, strictly increasing */
  buckets: number[];
  series: HistogramSeries[];
}

export type MetricFamily = ScalarFamily | HistogramFamily;

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: Labels | undefined, extra?: [string, string]): string {
  const entries = Object.entries(labels ?? {});
  if (extra) entries.push(extra);
  if (entries.length === 0) return "";
  for (const [name] of entries) {
    if (!LABEL_NAME.test(name) || name.startsWith("__"))
      throw new Error(`invalid label name ${JSON.stringify(name)}`);
  }
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

function checkName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
}

function renderHistogram(family: HistogramFamily): string[] {
  const lines: string[] = [];
  for (let index = 1; index < family.buckets.length; index++) {
    if ((family.buckets[index] ?? 0) <= (family.buckets[index - 1] ?? 0)) {
      throw new Error(`${family.name}: bucket bounds must increase`);
    }
  }
  for (const series of family.series) {
    if (series.bucketCounts.length !== family.buckets.length) {
      throw new Error(
        `${family.name}: ${series.bucketCounts.length} counts for ${family.buckets.length} buckets`,
      );
    }
    let cumulative = 0;
    family.buckets.forEach((bound, index) => {
      cumulative += series.bucketCounts[index] ?? 0;
      lines.push(
        `${family.name}_bucket${formatLabels(series.labels, ["le", formatValue(bound)])} ${cumulative}`,
      );
    });
    const count = cumulative + series.overflow;
    lines.push(`${family.name}_bucket${formatLabels(series.labels, ["le", "+Inf"])} ${count}`);
    lines.push(`${family.name}_sum${formatLabels(series.labels)} ${formatValue(series.sum)}`);
    lines.push(`${family.name}_count${formatLabels(series.labels)} ${count}`);
  }
  return lines;
}

/** Renders the families in order; each gets its HELP and TYPE lines even when it has no samples yet. */
export function renderExposition(families: MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    checkName(family.name);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} appears twice`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type === "histogram") {
      lines.push(...renderHistogram(family));
    } else {
      for (const sample of family.samples) {
        lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Buckets observations (pure; used by tests and by callers that already hold the values). */
export function bucketize(values: number[], buckets: number[]): Omit<HistogramSeries, "labels"> {
  const bucketCounts = buckets.map(() => 0);
  let overflow = 0;
  let sum = 0;
  for (const value of values) {
    sum += value;
    const index = buckets.findIndex((bound) => value <= bound);
    if (index === -1) overflow++;
    else bucketCounts[index] = (bucketCounts[index] ?? 0) + 1;
  }
  return { bucketCounts, overflow, sum };
}
