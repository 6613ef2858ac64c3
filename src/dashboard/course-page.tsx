/** One course: its sync state and breaker, live progress, per-sync plots, job history and change log. */
import type { CourseSyncStatus } from "../durable/course-sync";
import type { CourseRecord, JobRecord } from "../storage/d1/queries";
import type { ChangeEntry, JobPoint, JobSummary, RunningJob } from "./data";
import { formatDuration, formatRelative, formatTimestamp } from "./format";
import { JobPlots } from "./job-plots";
import { Badge, Layout } from "./layout";
import { RunningJobsTable } from "./overview-page";

export interface CourseProps {
  now: number;
  course: CourseRecord;
  title: string | null;
  itemCounts: Record<string, number>;
  breaker: CourseSyncStatus["breaker"];
  running: RunningJob[];
  jobs: { row: JobRecord; summary: JobSummary | null }[];
  olderJobsCursor: string | null;
  points: JobPoint[];
  changes: ChangeEntry[];
}

function Facts(props: CourseProps) {
  const { course, now, breaker } = props;
  const counts = Object.entries(props.itemCounts).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <dl class="facts" id="course-facts">
      <dt>State</dt>
      <dd>
        <Badge value={course.state} />
      </dd>
      <dt>Registered</dt>
      <dd>{formatTimestamp(course.registeredAt)}</dd>
      <dt>Last sync</dt>
      <dd>{`${formatTimestamp(course.lastSyncAt)} (${formatRelative(course.lastSyncAt, now)})`}</dd>
      <dt>Last success</dt>
      <dd>{formatTimestamp(course.lastSuccessAt)}</dd>
      <dt>Next sync</dt>
      <dd>{`${formatTimestamp(course.nextSyncAt)} (${formatRelative(course.nextSyncAt, now)})`}</dd>
      <dt>Lag</dt>
      <dd>{formatDuration(course.lastSuccessAt === null ? null : now - course.lastSuccessAt)}</dd>
      <dt>Breaker</dt>
      <dd>
        <Badge value={breaker.status} />
        {` ${breaker.consecutiveFailures} consecutive failure(s)`}
        {"openUntil" in breaker ? ` — cool-down until ${formatTimestamp(breaker.openUntil)}` : ""}
      </dd>
      <dt>Last error</dt>
      {course.lastError ? (
        <dd class="error">{`${course.lastErrorCategory ?? "error"}: ${course.lastError}`}</dd>
      ) : (
        <dd class="muted">none</dd>
      )}
      <dt>Mirrored items</dt>
      <dd>
        {counts.length === 0 ? "none yet" : counts.map(([type, count]) => `${type} ${count}`).join(" · ")}
      </dd>
    </dl>
  );
}

function JobHistory(props: { jobs: CourseProps["jobs"]; olderJobsCursor: string | null; courseId: number }) {
  if (props.jobs.length === 0) return <p class="muted">No job yet.</p>;
  return (
    <>
      <table id="job-history">
        <thead>
          <tr>
            <th>Created</th>
            <th>Status</th>
            <th>Mode</th>
            <th>Trigger</th>
            <th class="num">Duration</th>
            <th class="num">Attempts</th>
            <th class="num">Canvas requests</th>
            <th class="num">Changed</th>
            <th class="num">Unchanged</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {props.jobs.map(({ row, summary }) => {
            return (
              <tr data-job-id={row.id}>
                <td title={row.id}>{formatTimestamp(row.createdAt)}</td>
                <td>
                  <Badge value={row.status} />
                </td>
                <td>{row.mode}</td>
                <td>{row.trigger}</td>
                <td class="num">
                  {formatDuration(
                    row.startedAt !== null && row.finishedAt !== null ? row.finishedAt - row.startedAt : null,
                  )}
                </td>
                <td class="num">{row.attempts}</td>
                <td class="num">{summary ? summary.canvasRequests : "—"}</td>
                <td class="num">{summary ? summary.changed : "—"}</td>
                <td class="num">{summary ? summary.unchanged : "—"}</td>
                <td class="error">{row.error ? `${row.errorCategory ?? "error"}: ${row.error}` : ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.olderJobsCursor ? (
        <nav class="pager">
          <a href={`/courses/${props.courseId}?jobs=${encodeURIComponent(props.olderJobsCursor)}`}>
            Older jobs →
          </a>
        </nav>
      ) : null}
    </>
  );
}

function ChangeLog(props: { changes: ChangeEntry[] }) {
  if (props.changes.length === 0) return <p class="muted">No change recorded yet.</p>;
  return (
    <table id="change-log">
      <thead>
        <tr>
          <th>When</th>
          <th>Change</th>
          <th>Type</th>
          <th>Item</th>
          <th>Fields</th>
        </tr>
      </thead>
      <tbody>
        {props.changes.map((change) => (
          <tr>
            <td>{formatTimestamp(change.at)}</td>
            <td>{change.kind.replace(/_/g, " ")}</td>
            <td>{change.type ?? ""}</td>
            <td title={change.itemId}>{change.title ?? change.itemId}</td>
            <td class="muted">{change.fields.join(", ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CoursePage(props: CourseProps) {
  const { course } = props;
  return (
    <Layout title={`Course ${course.canvasCourseId}`}>
      <h1>
        {`Course ${course.canvasCourseId}`} <span class="muted">{course.name ?? props.title ?? ""}</span>
      </h1>
      <Facts {...props} />
      <h2>Running job</h2>
      <RunningJobsTable running={props.running} now={props.now} />
      <h2>Syncs of this course</h2>
      <JobPlots points={props.points} />
      <h2>Job history</h2>
      <JobHistory
        jobs={props.jobs}
        olderJobsCursor={props.olderJobsCursor}
        courseId={course.canvasCourseId}
      />
      <h2>Change log (newest first)</h2>
      <ChangeLog changes={props.changes} />
    </Layout>
  );
}

export function NotFoundPage(props: { message: string }) {
  return (
    <Layout title="Not found">
      <h1>Not found</h1>
      <p>{props.message}</p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </Layout>
  );
}
