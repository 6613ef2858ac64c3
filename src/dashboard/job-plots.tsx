/** The per-sync plots shared by the overview and the course page: duration, Canvas requests, changes, throttling. */
import type { JobPoint } from "./data";
import { formatCount, formatSeconds, timeAxisFormat } from "./format";
import { layoutLines, type Point, type Series } from "./plot-geometry";
import { LinePlot } from "./plot";

function series(label: string, points: JobPoint[], value: (point: JobPoint) => number | null): Series {
  return {
    label,
    points: points.flatMap((point): Point[] => {
      const y = value(point);
      return y === null ? [] : [{ x: point.finishedAt, y }];
    }),
  };
}

/** Job points split by outcome, so failed syncs stand out (an empty series is left out). */
function byOutcome(points: JobPoint[], value: (point: JobPoint) => number | null): Series[] {
  return [
    series(
      "succeeded",
      points.filter((point) => point.status === "succeeded"),
      value,
    ),
    series(
      "failed",
      points.filter((point) => point.status === "failed"),
      value,
    ),
  ].filter((entry) => entry.points.length > 0);
}

export function JobPlots(props: { points: JobPoint[] }) {
  const { points } = props;
  const times = points.map((point) => point.finishedAt);
  const formatTime = timeAxisFormat(times.length === 0 ? 0 : Math.max(...times) - Math.min(...times));
  return (
    <div class="plots">
      <LinePlot
        id="sync-duration"
        title="Sync duration (seconds) per finished job"
        layout={layoutLines(
          byOutcome(points, (point) => (point.durationMs === null ? null : point.durationMs / 1000)),
          formatTime,
          formatSeconds,
        )}
      />
      <LinePlot
        id="canvas-requests"
        title="Canvas requests per sync"
        layout={layoutLines(
          byOutcome(points, (point) => point.canvasRequests),
          formatTime,
          formatCount,
        )}
      />
      <LinePlot
        id="changes"
        title="Objects changed per sync (added, updated, deleted, restored)"
        layout={layoutLines(
          byOutcome(points, (point) => point.changed),
          formatTime,
          formatCount,
        )}
      />
      <LinePlot
        id="throttled"
        title="Throttled Canvas responses per sync"
        layout={layoutLines(
          byOutcome(points, (point) => point.throttled),
          formatTime,
          formatCount,
        )}
      />
    </div>
  );
}
