/**
 * One course: its sync state and breaker (and, for a course Canvas does not know, why and what happens next), its
 * actions (sync now, full sync, remove with or without its mirror), live progress, per-sync plots, job history and
 * the paged change log.
 */
import type { CourseSyncStatus } from "../durable/course-sync";
import type { ChangeLogEntry } from "../storage/d1/change-log";
import type { CourseRecord, JobRecord } from "../storage/d1/queries";
import { ChangeLog } from "./change-log";
import type { JobPoint, JobSummary, RunningJob } from "./data";
import { formatDuration, formatRelative, formatTimestamp } from "./format";
import { JobPlots } from "./job-plots";
import { ActionButton, Badge, CsrfField, Layout } from "./layout";
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
  changes: ChangeLogEntry[];
  olderChangesHref: string | null;
  newestChangesHref: string | null;
  csrf: string | null;
  notice?: string | undefined;
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
      {course.state === "not_found" ? (
        <>
          <dt>Why not found</dt>
          <dd class="error" id="not-found-reason">
            Canvas answers 404 for this course: the id is wrong or the course was deleted. It is looked up
            again once a day (next at the time above); it counts against neither the service's error rate nor
            its lag. Remove it, or sync it now once Canvas has it.
          </dd>
        </>
      ) : null}
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
      <table id="job-history" class="stack">
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
                <td data-label="Created" title={row.id}>
                  {formatTimestamp(row.createdAt)}
                </td>
                <td data-label="Status">
                  <Badge value={row.status} />
                </td>
                <td data-label="Mode">{row.mode}</td>
                <td data-label="Trigger">{row.trigger}</td>
                <td data-label="Duration" class="num">
                  {formatDuration(
                    row.startedAt !== null && row.finishedAt !== null ? row.finishedAt - row.startedAt : null,
                  )}
                </td>
                <td data-label="Attempts" class="num">
                  {row.attempts}
                </td>
                <td data-label="Canvas requests" class="num">
                  {summary ? summary.canvasRequests : "—"}
                </td>
                <td data-label="Changed" class="num">
                  {summary ? summary.changed : "—"}
                </td>
                <td data-label="Unchanged" class="num">
                  {summary ? summary.unchanged : "—"}
                </td>
                <td data-label="Error" class="error">
                  {row.error ? `${row.errorCategory ?? "error"}: ${row.error}` : ""}
                </td>
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

function Actions(props: { courseId: number; csrf: string }) {
  const { courseId, csrf } = props;
  return (
    <div class="actions" id="course-actions">
      <ActionButton action={`/courses/${courseId}/sync`} csrf={csrf} label="Sync now" />
      <ActionButton
        action={`/courses/${courseId}/sync`}
        csrf={csrf}
        label="Full sync"
        fields={{ mode: "full" }}
      />
      <form method="post" action={`/courses/${courseId}/remove`} class="inline remove" id="remove">
        <CsrfField token={csrf} />
        <label>
          <input type="checkbox" name="purge" value="true" /> also delete its mirrored content
        </label>
        <button type="submit" class="danger">
          Remove course
        </button>
      </form>
    </div>
  );
}

export function CoursePage(props: CourseProps) {
  const { course } = props;
  return (
    <Layout title={`Course ${course.canvasCourseId}`} active="courses" notice={props.notice}>
      <h1>
        {`Course ${course.canvasCourseId}`} <span class="muted">{course.name ?? props.title ?? ""}</span>
      </h1>
      <Facts {...props} />
      {props.csrf ? <Actions courseId={course.canvasCourseId} csrf={props.csrf} /> : null}
      <h2>Running job</h2>
      <RunningJobsTable running={props.running} now={props.now} />
      <h2>Syncs of this course</h2>
      <JobPlots
        points={props.points}
        titles={new Map([[course.canvasCourseId, course.name ?? props.title ?? ""]])}
      />
      <h2>Job history</h2>
      <JobHistory
        jobs={props.jobs}
        olderJobsCursor={props.olderJobsCursor}
        courseId={course.canvasCourseId}
      />
      <h2>Change log (newest first)</h2>
      <ChangeLog
        changes={props.changes}
        olderHref={props.olderChangesHref}
        newestHref={props.newestChangesHref}
      />
    </Layout>
  );
}

export function NotFoundPage(props: { message: string }) {
  return (
    <Layout title="Not found" active="courses">
      <h1>Not found</h1>
      <p>{props.message}</p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </Layout>
  );
}
