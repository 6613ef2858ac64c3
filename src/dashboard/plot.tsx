/**
 * SVG plot components: they draw a layout computed by plot-geometry.ts (axes, grid, lines with hoverable points,
 * bars, a headroom gauge). No client-side script; all text goes through JSX escaping.
 */
import type { BarLayout, LineLayout } from "./plot-geometry";

function Empty(props: { width: number; height: number }) {
  return (
    <text x={props.width / 2} y={props.height / 2} text-anchor="middle" class="plot-empty">
      no data yet
    </text>
  );
}

function YAxis(props: { layout: LineLayout | BarLayout }) {
  const { area, yTicks } = props.layout;
  return (
    <g class="axis y-axis">
      {yTicks.map((tick) => (
        <g>
          <line x1={area.x} x2={area.x + area.width} y1={tick.position} y2={tick.position} class="grid" />
          <text x={area.x - 6} y={tick.position + 4} text-anchor="end">
            {tick.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** The colour of a failed sync's dot on every plot, whatever its series. */
export const FAILED_COLOR = "#dc2626";

/** Series colours (the legend's swatches repeat them in assets.ts, classes s0..s7); red is kept for failures. */
const SERIES_PALETTE = [
  "#2563eb",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#a16207",
  "#db2777",
  "#4b5563",
];

export function seriesColor(index: number): string {
  return SERIES_PALETTE[index % SERIES_PALETTE.length] ?? "#2563eb";
}

export function LinePlot(props: { id: string; title: string; layout: LineLayout; unit?: string }) {
  const { layout } = props;
  const bottom = layout.area.y + layout.area.height;
  const anyFailed = layout.series.some((series) => series.dots.some((dot) => dot.failed));
  return (
    <figure class="plot" data-plot={props.id}>
      <figcaption>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        role="img"
        aria-label={props.title}
      >
        {layout.empty ? (
          <Empty width={layout.width} height={layout.height} />
        ) : (
          <g>
            <YAxis layout={layout} />
            <g class="axis x-axis">
              <line x1={layout.area.x} x2={layout.area.x + layout.area.width} y1={bottom} y2={bottom} />
              {layout.xTicks.map((tick, index) => (
                <text
                  x={tick.position}
                  y={bottom + 18}
                  text-anchor={index === 0 ? "start" : index === layout.xTicks.length - 1 ? "end" : "middle"}
                >
                  {tick.label}
                </text>
              ))}
            </g>
            {layout.series.map((series, index) => (
              <g class="series" data-series={series.label} stroke={seriesColor(index)}>
                <path d={series.path} fill="none" stroke-width="1.5" />
                {series.dots.map((dot) => (
                  <circle
                    cx={dot.px}
                    cy={dot.py}
                    r={dot.failed ? "3.5" : "2.5"}
                    fill={dot.failed ? FAILED_COLOR : seriesColor(index)}
                    stroke={dot.failed ? "#7f1d1d" : seriesColor(index)}
                    class={dot.failed ? "failed" : "ok"}
                  >
                    <title>{`${series.label}${dot.failed ? " (failed)" : ""}: ${dot.y}${props.unit ?? ""}`}</title>
                  </circle>
                ))}
              </g>
            ))}
          </g>
        )}
      </svg>
      {layout.empty ? null : (
        <ul class="legend">
          {layout.series.map((series, index) => (
            <li>
              <span class={`swatch s${index % SERIES_PALETTE.length}`} />
              {series.label}
            </li>
          ))}
          {anyFailed ? (
            <li>
              <span class="swatch failed" />
              failed sync
            </li>
          ) : null}
        </ul>
      )}
    </figure>
  );
}

export function BarPlot(props: { id: string; title: string; layout: BarLayout }) {
  const { layout } = props;
  return (
    <figure class="plot" data-plot={props.id}>
      <figcaption>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        role="img"
        aria-label={props.title}
      >
        {layout.empty ? (
          <Empty width={layout.width} height={layout.height} />
        ) : (
          <g>
            <YAxis layout={layout} />
            {layout.bars.map((bar) => (
              <rect x={bar.x} y={bar.y} width={bar.width} height={bar.height} class="bar">
                <title>{`${bar.label}: ${bar.value}`}</title>
              </rect>
            ))}
          </g>
        )}
      </svg>
    </figure>
  );
}

/** A horizontal gauge of remaining / capacity (the token's rate-limit headroom). */
export function HeadroomGauge(props: { id: string; title: string; remaining: number; capacity: number }) {
  const width = 480;
  const height = 44;
  const share = props.capacity > 0 ? Math.min(1, Math.max(0, props.remaining / props.capacity)) : 0;
  const filled = Math.round(share * (width - 2));
  const color = share < 0.2 ? "#dc2626" : share < 0.5 ? "#ea580c" : "#16a34a";
  return (
    <figure class="plot" data-plot={props.id}>
      <figcaption>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={props.title}
      >
        <rect x="1" y="1" width={width - 2} height="22" class="gauge-track" />
        <rect x="1" y="1" width={filled} height="22" fill={color} />
        <text
          x="4"
          y="38"
        >{`${Math.round(props.remaining)} of ${Math.round(props.capacity)} remaining (${Math.round(share * 100)}%)`}</text>
      </svg>
    </figure>
  );
}
