/**
 * The per-sync plots shared by the overview and the course page: duration, Canvas requests, changes, throttling.
 * One series (and legend entry) per course, its points joined in time order; a failed sync is a red dot on every
 * plot; times are UTC.
 */
import type { JobPoint } from "./data";
import { formatCount, formatSeconds, timeAxisFormat } from "./format";
import { layoutLines, type Point, type Series } from "./plot-geometry";
import { LinePlot } from "./plot";

/** One series per course, in order of first appearance; `label` names a course. */
export function seriesByCourse(
  points: JobPoint[],
  value: (point: JobPoint) => number | null,
  label: (courseId: number) => string,
): Series[] {
  const byCourse = new Map<number, Point[]>();
  for (const point of points) {
    const y = value(point);
    if (y === null) continue;
    const list = byCourse.get(point.courseId) ?? [];
    list.push({ x: point.finishedAt, y, ...(point.status === "failed" ? { failed: true } : {}) });
    byCourse.set(point.courseId, list);
  }
  return [...byCourse.entries()].map(([courseId, list]) => ({ label: label(courseId), points: list }));
}

export function JobPlots(props: { points: JobPoint[]; titles?: Map<number, string> }) {
  const { points } = props;
  const label = (courseId: number): string => {
    const title = props.titles?.get(courseId);
    return title ? `${courseId} ${title}` : `course ${courseId}`;
  };
  const times = points.map((point) => point.finishedAt);
  const formatTime = timeAxisFormat(times.length === 0 ? 0 : Math.max(...times) - Math.min(...times));
  const plot = (value: (point: JobPoint) => number | null) => seriesByCourse(points, value, label);
  return (
    <div class="plots">
      <LinePlot
        id="sync-duration"
        title="Sync duration per finished job (time axis in UTC)"
        unit=" s"
        layout={layoutLines(
          plot((point) => (point.durationMs === null ? null : point.durationMs / 1000)),
          formatTime,
          formatSeconds,
        )}
      />
      <LinePlot
        id="canvas-requests"
        title="Canvas requests per sync"
        layout={layoutLines(
          plot((point) => point.canvasRequests),
          formatTime,
          formatCount,
        )}
      />
      <LinePlot
        id="changes"
        title="Objects changed per sync (added, updated, deleted, restored)"
        layout={layoutLines(
          plot((point) => point.changed),
          formatTime,
          formatCount,
        )}
      />
      <LinePlot
        id="throttled"
        title="Throttled Canvas responses per sync"
        layout={layoutLines(
          plot((point) => point.throttled),
          formatTime,
          formatCount,
        )}
      />
    </div>
  );
}
