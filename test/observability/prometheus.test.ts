/** The exposition format: escaping, histogram accumulation, name checks, and bucketing. */
import { describe, expect, it } from "vitest";
import { bucketize, escapeLabelValue, renderExposition } from "../../src/observability/prometheus";

describe("renderExposition", () => {
  it("writes HELP and TYPE once per family, then one line per sample with escaped labels", () => {
    const text = renderExposition([
      {
        type: "counter",
        name: "demo_total",
        help: "A help text with a \\ and\na newline.",
        samples: [{ labels: { category: 'say "hi"\\now\nthen' }, value: 3 }, { value: 4 }],
      },
    ]);
    expect(text.split("\n")).toEqual([
      "# HELP demo_total A help text with a \\\\ and\\na newline.",
      "# TYPE demo_total counter",
      'demo_total{category="say \\"hi\\"\\\\now\\nthen"} 3',
      "demo_total 4",
      "",
    ]);
  });

  it("renders histograms with cumulative buckets, +Inf equal to the count, sum and count", () => {
    const text = renderExposition([
      {
        type: "histogram",
        name: "demo_seconds",
        help: "h",
        buckets: [1, 5, 10],
        series: [{ labels: { status: "ok" }, bucketCounts: [2, 0, 3], overflow: 1, sum: 42.5 }],
      },
    ]);
    expect(text).toContain('demo_seconds_bucket{status="ok",le="1"} 2\n');
    expect(text).toContain('demo_seconds_bucket{status="ok",le="5"} 2\n');
    expect(text).toContain('demo_seconds_bucket{status="ok",le="10"} 5\n');
    expect(text).toContain('demo_seconds_bucket{status="ok",le="+Inf"} 6\n');
    expect(text).toContain('demo_seconds_sum{status="ok"} 42.5\n');
    expect(text).toContain('demo_seconds_count{status="ok"} 6\n');
  });

  it("formats special values the way Prometheus parses them", () => {
    const text = renderExposition([
      {
        type: "gauge",
        name: "g",
        help: "h",
        samples: [{ value: Number.NaN }, { value: Infinity }, { value: -Infinity }],
      },
    ]);
    expect(text).toContain("g NaN\ng +Inf\ng -Inf\n");
  });

  it("refuses invalid metric and label names, duplicate families and mismatched buckets", () => {
    expect(() => renderExposition([{ type: "gauge", name: "bad-name", help: "h", samples: [] }])).toThrow(
      /metric name/,
    );
    expect(() =>
      renderExposition([
        { type: "gauge", name: "g", help: "h", samples: [{ labels: { "bad label": "x" }, value: 1 }] },
      ]),
    ).toThrow(/label name/);
    expect(() =>
      renderExposition([
        { type: "gauge", name: "g", help: "h", samples: [] },
        { type: "counter", name: "g", help: "h", samples: [] },
      ]),
    ).toThrow(/twice/);
    expect(() =>
      renderExposition([
        {
          type: "histogram",
          name: "h",
          help: "h",
          buckets: [1, 2],
          series: [{ bucketCounts: [1], overflow: 0, sum: 1 }],
        },
      ]),
    ).toThrow(/buckets/);
    expect(() =>
      renderExposition([{ type: "histogram", name: "h", help: "h", buckets: [2, 1], series: [] }]),
    ).toThrow(/increase/);
  });

  it("escapes only backslash, quote and newline in label values", () => {
    expect(escapeLabelValue("a\tb{c}=d")).toBe("a\tb{c}=d");
    expect(escapeLabelValue('"')).toBe('\\"');
  });
});

describe("bucketize", () => {
  it("puts each value in the first bucket whose bound is >= the value, and the rest in overflow", () => {
    const series = bucketize([0.5, 1, 1.01, 7, 10, 11, 1000], [1, 5, 10]);
    expect(series.bucketCounts).toEqual([2, 1, 2]);
    expect(series.overflow).toBe(2);
    expect(series.bucketCounts.reduce((a, b) => a + b, 0) + series.overflow).toBe(7);
    expect(series.sum).toBeCloseTo(0.5 + 1 + 1.01 + 7 + 10 + 11 + 1000);
  });
});
