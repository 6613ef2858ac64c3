/**
 * The dashboard's home: health (in percent and durations), running jobs with live progress, every course's sync
 * state with its actions (sync now, remove) and a form to register one, and the plots (one series per course).
 */
import type { HealthCheck, HealthStatus } from "../observability/health";
import type { MetricsSnapshot } from "../observability/metric-families";
import type { CourseRecord } from "../storage/d1/queries";
import type { JobPoint, RunningJob } from "./data";
import {
  formatDuration,
  formatHealthValue,
  formatRelative,
  formatTimestamp,
  healthCheckLabel,
} from "./format";
import { JobPlots } from "./job-plots";
import { ActionButton, Badge, CsrfField, Layout } from "./layout";
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
  csrf: string | null;
  notice?: string | undefined;
}

export function RunningJobsTable(props: { running: RunningJob[]; now: number }) {
  if (props.running.length === 0) return <p class="muted">No sync is running.</p>;
  return (
    <table id="running-jobs" class="stack">
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
            <td data-label="Course">
              <a href={`/courses/${job.courseId}`}>{job.courseId}</a>
            </td>
            <td data-label="Job" class="muted">
              {job.jobId.slice(0, 8)}
            </td>
            <td data-label="Progress">
              <progress value={job.done} max={Math.max(1, job.total)} />{" "}
              <span data-live-text>{`${job.done} / ${job.total}`}</span>
              {job.collection ? <span class="muted">{` ${job.collection}`}</span> : null}
            </td>
            <td data-label="Started">{formatRelative(job.startedAt, props.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HealthChecks(props: { checks: HealthCheck[] }) {
  return (
    <ul class="checks" id="health-checks">
      {props.checks.map((check) => (
        <li data-check={check.name}>
          <Badge value={check.status} /> {healthCheckLabel(check.name)}:{" "}
          <strong>{formatHealthValue(check, check.value)}</strong>
          <span class="muted">{` (degraded above ${formatHealthValue(check, check.degradedAbove)}, unhealthy above ${formatHealthValue(check, check.unhealthyAbove)})`}</span>
        </li>
      ))}
    </ul>
  );
}

function lagOf(course: CourseRecord, now: number): number | null {
  return course.lastSuccessAt === null ? null : now - course.lastSuccessAt;
}

function CourseRow(props: { course: CourseRecord; title: string | null; now: number; csrf: string | null }) {
  const { course, now, csrf } = props;
  const open = course.breakerOpenUntil !== null && course.breakerOpenUntil > now;
  const id = course.canvasCourseId;
  return (
    <tr data-course-id={String(id)}>
      <td data-label="Course">
        <a href={`/courses/${id}`}>{id}</a> <span class="muted">{course.name ?? props.title ?? ""}</span>
      </td>
      <td data-label="State">
        <Badge value={course.state} />
      </td>
      <td data-label="Last sync" title={formatTimestamp(course.lastSyncAt)}>
        {formatRelative(course.lastSyncAt, now)}
      </td>
      <td data-label="Next sync" title={formatTimestamp(course.nextSyncAt)}>
        {formatRelative(course.nextSyncAt, now)}
      </td>
      <td data-label="Lag" class="num">
        {formatDuration(lagOf(course, now))}
      </td>
      <td data-label="Breaker">
        {open ? (
          <span>
            <Badge value="open" /> {`until ${formatTimestamp(course.breakerOpenUntil)}`}
          </span>
        ) : (
          <Badge value="closed" />
        )}
      </td>
      <td data-label="Failures" class="num">
        {course.consecutiveFailures}
      </td>
      <td data-label="Last error" class="error">
        {course.lastError ? `${course.lastErrorCategory ?? "error"}: ${course.lastError}` : ""}
      </td>
      {csrf ? (
        <td data-label="Actions" class="actions">
          <ActionButton action={`/courses/${id}/sync`} csrf={csrf} label="Sync now" />
          <a class="button-link" href={`/courses/${id}#remove`}>
            Remove…
          </a>
        </td>
      ) : null}
    </tr>
  );
}

function RegisterForm(props: { csrf: string }) {
  return (
    <form method="post" action="/courses" class="register" id="register-course">
      <CsrfField token={props.csrf} />
      <label for="canvasCourseId">Register a Canvas course id</label>
      <input
        id="canvasCourseId"
        name="canvasCourseId"
        inputmode="numeric"
        pattern="[1-9][0-9]{0,14}"
        required
      />
      <button type="submit">Register</button>
    </form>
  );
}

export function OverviewPage(props: OverviewProps) {
  return (
    <Layout title="Overview" active="courses" notice={props.notice}>
      <h1>
        Sync overview <Badge value={props.health.status} />
      </h1>
      <HealthChecks checks={props.health.checks} />

      <h2>Running jobs</h2>
      <RunningJobsTable running={props.running} now={props.now} />

      <h2>Courses</h2>
      {props.csrf ? <RegisterForm csrf={props.csrf} /> : null}
      {props.courses.length === 0 ? (
        <p class="muted">No course is registered yet.</p>
      ) : (
        <table id="courses" class="stack">
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
              {props.csrf ? <th>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {props.courses.map((course) => (
              <CourseRow
                course={course}
                title={props.titles.get(course.canvasCourseId) ?? null}
                now={props.now}
                csrf={props.csrf}
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
      <JobPlots points={props.points} titles={props.titles} />

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
