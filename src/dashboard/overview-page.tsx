/** The dashboard's home: health, running jobs with live progress, every course's sync state, and the plots. */
import type { HealthCheck, HealthStatus } from "../observability/health";
import type { MetricsSnapshot } from "../observability/metric-families";
import type { CourseRecord } from "../storage/d1/queries";
import type { JobPoint, RunningJob } from "./data";
import { formatDuration, formatRelative, formatTimestamp } from "./format";
import { JobPlots } from "./job-plots";
import { Badge, Layout } from "./layout";
import { HeadroomGauge } from "./plot";

export interface OverviewProps {
  now: number;
  health: { status: HealthStatus; checks: HealthCheck[] };
  courses: CourseRecord[];
  /** names of the mirrored course objects, by course id */
  titles: Map<number, string>;
  nextCursor: string | null;
  running: RunningJob[];
  points: JobPoint[];
  gate: MetricsSnapshot["gate"];
}

export function RunningJobsTable(props: { running: RunningJob[]; now: number }) {
  if (props.running.length === 0) return <p class="muted">No sync is running.</p>;
  return (
    <table id="running-jobs">
      <thead>
        <tr>
          <th>Course</th>
          <th>Job</th>
          <th>Progress (items done / total)</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>
        {props.running.map((job) => (
          <tr data-live-course={String(job.courseId)} data-live-job={job.jobId}>
            <td>
              <a href={`/courses/${job.courseId}`}>{job.courseId}</a>
            </td>
            <td class="muted">{job.jobId.slice(0, 8)}</td>
            <td>
              <progress value={job.done} max={Math.max(1, job.total)} />{" "}
              <span data-live-text>{`${job.done} / ${job.total}`}</span>
              {job.collection ? <span class="muted">{` ${job.collection}`}</span> : null}
            </td>
            <td>{formatRelative(job.startedAt, props.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function lagOf(course: CourseRecord, now: number): number | null {
  return course.lastSuccessAt === null ? null : now - course.lastSuccessAt;
}

function CourseRow(props: { course: CourseRecord; title: string | null; now: number }) {
  const { course, now } = props;
  const open = course.breakerOpenUntil !== null && course.breakerOpenUntil > now;
  return (
    <tr data-course-id={String(course.canvasCourseId)}>
      <td>
        <a href={`/courses/${course.canvasCourseId}`}>{course.canvasCourseId}</a>{" "}
        <span class="muted">{course.name ?? props.title ?? ""}</span>
      </td>
      <td>
        <Badge value={course.state} />
      </td>
      <td title={formatTimestamp(course.lastSyncAt)}>{formatRelative(course.lastSyncAt, now)}</td>
      <td title={formatTimestamp(course.nextSyncAt)}>{formatRelative(course.nextSyncAt, now)}</td>
      <td class="num">{formatDuration(lagOf(course, now))}</td>
      <td>
        {open ? (
          <span>
            <Badge value="open" /> {`until ${formatTimestamp(course.breakerOpenUntil)}`}
          </span>
        ) : (
          <Badge value="closed" />
        )}
      </td>
      <td class="num">{course.consecutiveFailures}</td>
      <td class="error">
        {course.lastError ? `${course.lastErrorCategory ?? "error"}: ${course.lastError}` : ""}
      </td>
    </tr>
  );
}

export function OverviewPage(props: OverviewProps) {
  return (
    <Layout title="Overview">
      <h1>
        Sync overview <Badge value={props.health.status} />
      </h1>
      <ul class="checks" id="health-checks">
        {props.health.checks.map((check) => (
          <li>
            <Badge value={check.status} /> {check.name.replace(/_/g, " ")}:{" "}
            <strong>{check.value ?? "—"}</strong>
            <span class="muted">{` (degraded above ${check.degradedAbove ?? "—"}, unhealthy above ${check.unhealthyAbove ?? "—"})`}</span>
          </li>
        ))}
      </ul>

      <h2>Running jobs</h2>
      <RunningJobsTable running={props.running} now={props.now} />

      <h2>Courses</h2>
      {props.courses.length === 0 ? (
        <p class="muted">No course is registered yet (POST /api/courses).</p>
      ) : (
        <table id="courses">
          <thead>
            <tr>
              <th>Course</th>
              <th>State</th>
              <th>Last sync</th>
              <th>Next sync</th>
              <th class="num">Lag</th>
              <th>Breaker</th>
              <th class="num">Failures</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {props.courses.map((course) => (
              <CourseRow
                course={course}
                title={props.titles.get(course.canvasCourseId) ?? null}
                now={props.now}
              />
            ))}
          </tbody>
        </table>
      )}
      {props.nextCursor ? (
        <nav class="pager">
          <a href={`/?cursor=${encodeURIComponent(props.nextCursor)}`}>Next courses →</a>
        </nav>
      ) : null}

      <h2>Recent syncs</h2>
      <JobPlots points={props.points} />

      <h2>Rate-limit headroom</h2>
      {props.gate ? (
        <div class="plots">
          <HeadroomGauge
            id="rate-limit-headroom"
            title={`Canvas token ${props.gate.token.slice(0, 8)}… on ${props.gate.host}`}
            remaining={props.gate.remaining}
            capacity={props.gate.hwm}
          />
        </div>
      ) : (
        <p class="muted">The configuration could not be read, so the token's budget is unknown.</p>
      )}
    </Layout>
  );
}
