/**
 * The geometry of the dashboard's SVG plots, as pure functions: scales, "nice" axis ticks, line paths and bar
 * rectangles in pixel space. plot.tsx only turns a layout into elements, so everything that can be wrong about a
 * plot (a point drawn outside the frame, an axis that hides the maximum, NaN in a path, two syncs that finished in
 * the same second drawn as one dot) is tested here.
 */

export interface Point {
  x: number;
  y: number;
  /** a failed sync: drawn red whatever its series' colour */
  failed?: boolean;
}

export interface Series {
  label: string;
  points: Point[];
}

export interface Frame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export interface Tick {
  /** pixel position along the axis */
  position: number;
  value: number;
  label: string;
}

export interface LineLayout {
  width: number;
  height: number;
  /** the plotting area inside the margins */
  area: { x: number; y: number; width: number; height: number };
  xTicks: Tick[];
  yTicks: Tick[];
  series: { label: string; path: string; dots: (Point & { px: number; py: number })[] }[];
  empty: boolean;
}

/** Closest two dots may be drawn (their centres, in pixels) before they are pushed apart. */
export const MIN_DOT_GAP = 6;

/**
 * Spreads dots that would be drawn on top of each other (e.g. syncs that finished in the same second) so each one
 * is visible: in x order, a dot closer than MIN_DOT_GAP to the previous one in both directions moves right. The
 * shift is a few pixels; the tooltip keeps the true value.
 */
export function dodgeDots(dots: { x: number; px: number; py: number }[]): void {
  // Ties in pixels keep time order, so the spread points still read left to right as they happened.
  const ordered = [...dots].sort((a, b) => a.px - b.px || a.x - b.x || a.py - b.py);
  for (let index = 1; index < ordered.length; index++) {
    const dot = ordered[index];
    if (dot === undefined) continue;
    for (let back = index - 1; back >= 0; back--) {
      const other = ordered[back];
      if (other === undefined || dot.px - other.px >= MIN_DOT_GAP) break;
      if (Math.abs(dot.py - other.py) < MIN_DOT_GAP) dot.px = round(other.px + MIN_DOT_GAP);
    }
  }
}

export const DEFAULT_FRAME: Frame = {
  width: 480,
  height: 200,
  margin: { top: 12, right: 16, bottom: 28, left: 52 },
};

/** Maps [d0, d1] onto [r0, r1]; a degenerate domain maps everything to the middle of the range. */
export function scaleLinear(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

function niceStep(roughStep: number): number {
  const exponent = Math.floor(Math.log10(roughStep));
  const magnitude = 10 ** exponent;
  const fraction = roughStep / magnitude;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * Round tick values covering [min, max] with at most about `count` ticks (steps of 1, 2 or 5 times a power of
 * ten). The first tick is <= min and the last >= max, so no data point falls outside the axis.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  let low = Math.min(min, max);
  let high = Math.max(min, max);
  if (low === high) {
    if (low === 0) return [0, 1];
    const pad = Math.abs(low) * 0.5;
    low -= pad;
    high += pad;
    if (min >= 0 && low < 0) low = 0;
  }
  const step = niceStep((high - low) / Math.max(1, count - 1));
  const start = Math.floor(low / step) * step;
  const end = Math.ceil(high / step) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let value = start; value <= end + step / 2; value += step) ticks.push(Number(value.toFixed(decimals)));
  return ticks;
}

/** `count` evenly spaced values from min to max inclusive (time axes, where round numbers mean nothing). */
export function evenTicks(min: number, max: number, count = 4): number[] {
  if (count < 2 || min === max) return [min];
  return Array.from({ length: count }, (_, index) => min + ((max - min) * index) / (count - 1));
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Lays out line series over a shared linear x axis (for example epoch milliseconds) and a y axis that starts at
 * zero unless the data are negative. Non-finite points are dropped.
 */
export function layoutLines(
  input: Series[],
  formatX: (value: number) => string,
  formatY: (value: number) => string,
  frame: Frame = DEFAULT_FRAME,
): LineLayout {
  const series = input.map((entry) => ({
    label: entry.label,
    points: entry.points.filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y)),
  }));
  const all = series.flatMap((entry) => entry.points);
  const area = {
    x: frame.margin.left,
    y: frame.margin.top,
    width: frame.width - frame.margin.left - frame.margin.right,
    height: frame.height - frame.margin.top - frame.margin.bottom,
  };
  if (all.length === 0) {
    return {
      width: frame.width,
      height: frame.height,
      area,
      xTicks: [],
      yTicks: [],
      series: [],
      empty: true,
    };
  }
  const xs = all.map((point) => point.x);
  const ys = all.map((point) => point.y);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yValues = niceTicks(Math.min(0, ...ys), Math.max(...ys));
  const yMin = yValues[0] ?? 0;
  const yMax = yValues.at(-1) ?? 1;
  const x = scaleLinear([xMin, xMax], [area.x, area.x + area.width]);
  const y = scaleLinear([yMin, yMax], [area.y + area.height, area.y]);
  return {
    width: frame.width,
    height: frame.height,
    area,
    xTicks: evenTicks(xMin, xMax).map((value) => ({
      position: round(x(value)),
      value,
      label: formatX(value),
    })),
    yTicks: yValues.map((value) => ({ position: round(y(value)), value, label: formatY(value) })),
    series: dodged(
      series.map((entry) => {
        const sorted = [...entry.points].sort((a, b) => a.x - b.x);
        return {
          label: entry.label,
          dots: sorted.map((point) => ({ ...point, px: round(x(point.x)), py: round(y(point.y)) })),
        };
      }),
    ),
    empty: false,
  };
}

/** Dodges the dots of all series together, then draws each series' path through its (moved) dots. */
function dodged(
  series: { label: string; dots: (Point & { px: number; py: number })[] }[],
): LineLayout["series"] {
  dodgeDots(series.flatMap((entry) => entry.dots));
  return series.map((entry) => ({
    ...entry,
    path: entry.dots.map((dot, index) => `${index === 0 ? "M" : "L"}${dot.px},${dot.py}`).join(" "),
  }));
}

export interface BarLayout {
  width: number;
  height: number;
  bars: { label: string; value: number; x: number; y: number; width: number; height: number }[];
  yTicks: Tick[];
  area: LineLayout["area"];
  empty: boolean;
}

/** Vertical bars, one per value, in input order, over a zero-based y axis. */
export function layoutBars(
  values: { label: string; value: number }[],
  formatY: (value: number) => string,
  frame: Frame = DEFAULT_FRAME,
): BarLayout {
  const area = {
    x: frame.margin.left,
    y: frame.margin.top,
    width: frame.width - frame.margin.left - frame.margin.right,
    height: frame.height - frame.margin.top - frame.margin.bottom,
  };
  const finite = values.filter((entry) => Number.isFinite(entry.value) && entry.value >= 0);
  if (finite.length === 0)
    return { width: frame.width, height: frame.height, bars: [], yTicks: [], area, empty: true };
  const ticks = niceTicks(0, Math.max(...finite.map((entry) => entry.value)));
  const yMax = ticks.at(-1) ?? 1;
  const y = scaleLinear([0, yMax], [area.y + area.height, area.y]);
  const slot = area.width / finite.length;
  const barWidth = Math.max(1, slot * 0.8);
  return {
    width: frame.width,
    height: frame.height,
    area,
    yTicks: ticks.map((value) => ({ position: round(y(value)), value, label: formatY(value) })),
    bars: finite.map((entry, index) => {
      const top = round(y(entry.value));
      return {
        label: entry.label,
        value: entry.value,
        x: round(area.x + index * slot + (slot - barWidth) / 2),
        y: top,
        width: round(barWidth),
        height: round(area.y + area.height - top),
      };
    }),
    empty: false,
  };
}
