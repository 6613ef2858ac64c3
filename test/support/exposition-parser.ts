/**
 * A small parser of the Prometheus text format for tests: sample lines become `name{sorted labels}` -> value, so
 * assertions read like PromQL selectors and do not depend on label order.
 */

export type Exposition = Map<string, number>;

function parseLabels(text: string): [string, string][] {
  const labels: [string, string][] = [];
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const match of text.matchAll(pattern)) {
    labels.push([
      match[1] ?? "",
      (match[2] ?? "").replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\"),
    ]);
  }
  return labels;
}

export function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0
    ? name
    : `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

export function parseExposition(text: string): Exposition {
  const samples: Exposition = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match?.[1] || !match[3]) throw new Error(`unparseable exposition line: ${line}`);
    const value = match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : Number(match[3]);
    samples.set(seriesKey(match[1], Object.fromEntries(parseLabels(match[2] ?? ""))), value);
  }
  return samples;
}

/** The sample's value; throws when the series is absent, so a missing metric cannot pass as zero. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const value = exposition.get(seriesKey(name, labels));
  if (value === undefined) throw new Error(`no sample ${seriesKey(name, labels)}`);
  return value;
}
