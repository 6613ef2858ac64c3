/** The SVG plot geometry: scales, nice ticks that cover the data, paths inside the frame, bars, empty input. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FRAME,
  evenTicks,
  layoutBars,
  layoutLines,
  MIN_DOT_GAP,
  niceTicks,
  scaleLinear,
} from "../../src/dashboard/plot-geometry";
import { BarPlot, FAILED_COLOR, HeadroomGauge, LinePlot } from "../../src/dashboard/plot";

const fmt = (value: number) => String(value);

describe("scaleLinear", () => {
  it("maps the domain ends onto the range ends, including inverted ranges", () => {
    const y = scaleLinear([0, 50], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(50)).toBe(0);
    expect(y(25)).toBe(100);
  });

  it("maps a degenerate domain to the middle of the range", () => {
    expect(scaleLinear([3, 3], [0, 100])(3)).toBe(50);
  });
});

describe("niceTicks", () => {
  it.each([
    [0, 7, 5],
    [0, 93, 5],
    [0, 1234, 5],
    [0.001, 0.0173, 5],
    [-40, 85, 6],
    [12, 12, 5],
    [3600, 3600.5, 4],
  ])("ticks for [%d, %d] are round, evenly stepped and cover the data", (min, max, count) => {
    const ticks = niceTicks(min, max, count);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(count + 2);
    expect(ticks[0]).toBeLessThanOrEqual(min);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(max);
    const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
    for (let index = 1; index < ticks.length; index++) {
      expect((ticks[index] ?? 0) - (ticks[index - 1] ?? 0)).toBeCloseTo(step, 9);
    }
    // A step is 1, 2 or 5 times a power of ten.
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    expect([1, 2, 5, 10].some((nice) => Math.abs(mantissa - nice) < 1e-9)).toBe(true);
  });

  it("gives [0, 1] for an all-zero or non-finite range and never goes below zero for positive data", () => {
    expect(niceTicks(0, 0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN, 5)).toEqual([0, 1]);
    expect(niceTicks(4, 4)[0]).toBeGreaterThanOrEqual(0);
  });
});

describe("evenTicks", () => {
  it("spans min to max inclusive", () => {
    expect(evenTicks(0, 90, 4)).toEqual([0, 30, 60, 90]);
    expect(evenTicks(5, 5, 4)).toEqual([5]);
  });
});

describe("layoutLines", () => {
  const series = [
    {
      label: "a",
      points: [
        { x: 3000, y: 5 },
        { x: 1000, y: 40 },
        { x: 2000, y: 12 },
      ],
    },
    {
      label: "b",
      points: [
        { x: 1500, y: 0 },
        { x: 2500, y: Number.NaN },
      ],
    },
  ];

  it("puts every point inside the plotting area, sorted by x, with the largest value at or below the top", () => {
    const layout = layoutLines(series, fmt, fmt);
    const { area } = layout;
    expect(layout.empty).toBe(false);
    for (const entry of layout.series) {
      for (const dot of entry.dots) {
        expect(dot.px).toBeGreaterThanOrEqual(area.x);
        expect(dot.px).toBeLessThanOrEqual(area.x + area.width);
        expect(dot.py).toBeGreaterThanOrEqual(area.y);
        expect(dot.py).toBeLessThanOrEqual(area.y + area.height);
      }
    }
    const a = layout.series[0];
    expect(a?.dots.map((dot) => dot.x)).toEqual([1000, 2000, 3000]);
    expect(a?.path.startsWith("M")).toBe(true);
    expect(a?.path.split(" ")).toHaveLength(3);
    expect(a?.path).not.toContain("NaN");
    // The highest value (40) is drawn highest (smallest y pixel), zero at the bottom.
    const highest = Math.min(...(a?.dots.map((dot) => dot.py) ?? []));
    expect(a?.dots.find((dot) => dot.y === 40)?.py).toBe(highest);
    expect(layout.series[1]?.dots.find((dot) => dot.y === 0)?.py).toBe(area.y + area.height);
  });

  it("drops non-finite points and spans the x axis from the first to the last point", () => {
    const layout = layoutLines(series, fmt, fmt);
    expect(layout.series[1]?.dots).toHaveLength(1);
    expect(layout.xTicks[0]?.value).toBe(1000);
    expect(layout.xTicks.at(-1)?.value).toBe(3000);
    expect(layout.xTicks[0]?.position).toBe(layout.area.x);
    expect(layout.yTicks.at(-1)?.value).toBeGreaterThanOrEqual(40);
  });

  it("is empty when there is nothing to draw", () => {
    expect(layoutLines([{ label: "a", points: [] }], fmt, fmt).empty).toBe(true);
    expect(layoutLines([], fmt, fmt).series).toEqual([]);
  });
});

describe("layoutBars", () => {
  it("draws bars in order, heights proportional to values, bottoms on the axis", () => {
    const layout = layoutBars(
      [
        { label: "x", value: 10 },
        { label: "y", value: 20 },
        { label: "z", value: 0 },
      ],
      fmt,
    );
    const bottom = layout.area.y + layout.area.height;
    expect(layout.bars.map((bar) => bar.label)).toEqual(["x", "y", "z"]);
    for (const bar of layout.bars) expect(bar.y + bar.height).toBeCloseTo(bottom, 0);
    expect(layout.bars[1]?.height).toBeCloseTo((layout.bars[0]?.height ?? 0) * 2, 0);
    expect(layout.bars[2]?.height).toBe(0);
    expect((layout.bars[0]?.x ?? 0) < (layout.bars[1]?.x ?? 0)).toBe(true);
  });

  it("ignores negative and non-finite values", () => {
    expect(
      layoutBars(
        [
          { label: "n", value: -1 },
          { label: "i", value: Infinity },
        ],
        fmt,
      ).empty,
    ).toBe(true);
  });
});

describe("plot components", () => {
  it("render one circle per point, escaped labels, and a placeholder when empty", async () => {
    const layout = layoutLines(
      [
        {
          label: "<b>bold</b>",
          points: [
            { x: 1, y: 1 },
            { x: 2, y: 3 },
          ],
        },
      ],
      fmt,
      fmt,
    );
    const html = String(await LinePlot({ id: "demo", title: "Demo <plot>", layout }));
    expect(html.match(/<circle /g)).toHaveLength(2);
    expect(html).toContain('data-plot="demo"');
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(html).not.toContain("<plot>");

    const empty = String(await LinePlot({ id: "e", title: "Empty", layout: layoutLines([], fmt, fmt) }));
    expect(empty).toContain("no data yet");
    expect(empty).not.toContain("<circle");

    const bars = String(
      await BarPlot({
        id: "b",
        title: "Bars",
        layout: layoutBars([{ label: "x", value: 2 }], fmt, DEFAULT_FRAME),
      }),
    );
    expect(bars.match(/<rect /g)).toHaveLength(1);

    const gauge = String(await HeadroomGauge({ id: "g", title: "Headroom", remaining: 150, capacity: 600 }));
    expect(gauge).toContain("150 of 600 remaining (25%)");
  });
});

describe("same-second points and failures", () => {
  it("draws points that would overlap apart, keeping their order and their true values", () => {
    const at = Date.UTC(2026, 10, 3, 12);
    const layout = layoutLines(
      [
        {
          label: "101",
          points: [
            { x: at, y: 5 },
            { x: at + 400, y: 5 },
            { x: at + 3_600_000, y: 5 },
          ],
        },
        { label: "102", points: [{ x: at + 200, y: 5, failed: true }] },
      ],
      String,
      String,
    );
    const dots = layout.series.flatMap((series) => series.dots).sort((a, b) => a.px - b.px);
    for (let index = 1; index < dots.length; index++) {
      const previous = dots[index - 1];
      const dot = dots[index];
      if (!previous || !dot) throw new Error("missing dot");
      const apart = Math.hypot(dot.px - previous.px, dot.py - previous.py);
      expect(apart).toBeGreaterThanOrEqual(MIN_DOT_GAP - 0.05);
    }
    // The three same-second points stay in time order and keep their values; the failed one keeps its flag.
    expect(dots.slice(0, 3).map((dot) => dot.x)).toEqual([at, at + 200, at + 400]);
    expect(dots.map((dot) => dot.y)).toEqual([5, 5, 5, 5]);
    expect(layout.series[1]?.dots[0]?.failed).toBe(true);
    // Each series' path goes through its own dots where they are drawn.
    const first = layout.series[0];
    expect(first?.path).toBe(
      first?.dots.map((dot, i) => `${i === 0 ? "M" : "L"}${dot.px},${dot.py}`).join(" "),
    );
  });

  it("leaves points that are already apart where they are", () => {
    const layout = layoutLines(
      [
        {
          label: "a",
          points: [
            { x: 0, y: 0 },
            { x: 100, y: 10 },
          ],
        },
      ],
      String,
      String,
    );
    expect(layout.series[0]?.dots.map((dot) => dot.px)).toEqual([
      layout.area.x,
      layout.area.x + layout.area.width,
    ]);
  });

  it("colours failed points red in every series, and lists each course and failures in the legend", async () => {
    const layout = layoutLines(
      [
        {
          label: "101 Biology",
          points: [
            { x: 0, y: 1 },
            { x: 10, y: 2, failed: true },
          ],
        },
        { label: "102 History", points: [{ x: 5, y: 3, failed: true }] },
      ],
      String,
      String,
    );
    const html = String(await LinePlot({ id: "p", title: "t", layout }));
    const failedDots = [...html.matchAll(/<circle [^>]*class="failed"[^>]*>/g)].map((m) => m[0]);
    expect(failedDots).toHaveLength(2);
    for (const dot of failedDots) expect(dot).toContain(`fill="${FAILED_COLOR}"`);
    const okDots = [...html.matchAll(/<circle [^>]*class="ok"[^>]*>/g)].map((m) => m[0]);
    expect(okDots).toHaveLength(1);
    expect(okDots[0]).not.toContain(FAILED_COLOR);
    expect(html).toContain("101 Biology</li>");
    expect(html).toContain("102 History</li>");
    expect(html).toContain("failed sync</li>");
  });
});
