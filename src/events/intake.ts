/**
 * Live Event intake (the adapter around the pure mapping and dedup): turns one verified event into at most one
 * targeted sync job, inside the webhook request, with a few D1 round trips and one queue send.
 *
 * 1. Resolve the course: page and file events may need the mirror's map (`items`, by type and canvas id).
 * 2. Read, in one batch: is the course registered, the object's `event_marks` row (joined with its job's state),
 *    and any unstarted full sync of the course.
 * 3. Decide (intake-decision.ts) and write. Marks are written compare-and-set on the event time read in step 2,
 *    so two concurrent deliveries for one object cannot both enqueue from the same state: the loser re-reads and
 *    decides again (it then sees the winner's mark and attaches or drops).
 *
 * A new job is enqueued only after its mark is claimed; if the enqueue fails the claim is rolled back, so
 * Canvas's retry of the delivery (we answer 5xx) is not mistaken for a duplicate. The enqueue itself is a port the
 * wiring passes in (the webhook route creates the job row and sends its message), so events does not reach into
 * the queue; the D1 reads and writes live in src/storage/d1/event-intake.ts.
 */
import type { Database } from "../storage/d1/client";
import { LIVE_EVENTS_COUNTER } from "../storage/d1/metric-counters";
import {
  attachJobToMark,
  mirroredCourseOf,
  readIntakeState,
  rollbackEventMark,
  writeEventMark,
  type EventMark,
  type IntakeState,
} from "../storage/d1/event-intake";
import { TargetScopeSchema, type TargetScope } from "../sync/targeted";
import { toLocalId } from "../shared/canvas-ids";
import type { CanvasEvent } from "./envelope";
import { countOutcome, outcomeLabels, type EventOutcome } from "./event-counters";
import { decideIntake } from "./intake-decision";
import { isIgnored, mapEventToWork, type EventLookups, type TargetedWork } from "./map-event";

/** Creates one targeted sync job (row and queue message) and returns its id; throws when it could not. */
export type EnqueueTargetedSync = (
  request: { courseId: number; scope: TargetScope },
  now: number,
) => Promise<string>;

export type IntakeDeps = { db: Database; enqueueTargetedSync: EnqueueTargetedSync; now: () => number };

export type IntakeResult = {
  outcome: EventOutcome;
  /** The course the event was resolved to, when it was. */
  courseId: number | null;
  /** The job that will refresh the object (new or attached to), when there is one. */
  jobId: string | null;
};

/** Thrown when concurrent deliveries for one object kept winning the mark; the route answers 503 (Canvas retries). */
export class IntakeContentionError extends Error {
  constructor(readonly objectKey: string) {
    super(`event mark for ${objectKey} kept changing under concurrent deliveries`);
    this.name = "IntakeContentionError";
  }
}

const MAX_CAS_ATTEMPTS = 4;

/** Processes one verified event. Throws only for storage or queue failures (and contention). */
export async function ingestEvent(deps: IntakeDeps, event: CanvasEvent): Promise<IntakeResult> {
  const maps = await loadMirrorMaps(deps.db, event);
  // First pass without the registration check: it yields the course to check (or why there is none).
  const probe = mapEventToWork(event, { ...maps, isRegisteredCourse: () => true });
  if (isIgnored(probe)) return finish(deps, { outcome: "ignored", reason: probe.ignored }, null, null);
  const scope = TargetScopeSchema.safeParse(probe.scope);
  if (!scope.success) {
    return finish(deps, { outcome: "ignored", reason: "invalid_object_id" }, probe.courseId, null);
  }

  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const state: IntakeState = await readIntakeState(deps.db, probe.courseId, probe.objectKey);
    const mapped = mapEventToWork(event, {
      ...maps,
      isRegisteredCourse: (courseId) => courseId === probe.courseId && state.registered,
    });
    if (isIgnored(mapped)) {
      return finish(deps, { outcome: "ignored", reason: mapped.ignored }, mapped.courseId ?? null, null);
    }
    const decision = decideIntake({ work: mapped, mark: state.mark, coveringJobId: state.coveringJobId });
    switch (decision.action) {
      case "drop":
        return finish(deps, { outcome: "dropped", reason: decision.reason }, mapped.courseId, null);
      case "attach": {
        const written = await writeMark(deps, mapped, state.mark, decision.eventTime, decision.jobId);
        if (!written) continue;
        return finish(
          deps,
          { outcome: "coalesced", scope: mapped.scope.kind },
          mapped.courseId,
          decision.jobId,
        );
      }
      case "enqueue": {
        if (!(await writeMark(deps, mapped, state.mark, decision.eventTime, null))) continue;
        let jobId: string;
        try {
          jobId = await deps.enqueueTargetedSync(
            { courseId: mapped.courseId, scope: scope.data },
            deps.now(),
          );
        } catch (error) {
          // The enqueue error is the one to report; a failed rollback leaves a mark without a job, which the
          // next newer event (or the polling reconciliation) gets past.
          await rollbackEventMark(deps.db, mapped.objectKey, decision.eventTime, state.mark).catch(
            () => undefined,
          );
          throw error;
        }
        const outcome: EventOutcome = { outcome: "enqueued", scope: mapped.scope.kind };
        await attachJobToMark(
          deps.db,
          { objectKey: mapped.objectKey, eventTime: decision.eventTime, jobId },
          { name: LIVE_EVENTS_COUNTER, labels: outcomeLabels(outcome), now: Date.now() },
        );
        return { outcome, courseId: mapped.courseId, jobId };
      }
    }
  }
  throw new IntakeContentionError(probe.objectKey);
}

async function finish(
  deps: IntakeDeps,
  outcome: EventOutcome,
  courseId: number | null,
  jobId: string | null,
): Promise<IntakeResult> {
  await countOutcome(deps.db, outcome);
  return { outcome, courseId, jobId };
}

/**
 * The mirror's page/file-to-course maps, loaded only for the one id the event names. Page events never carry
 * their course in the body, and job-triggered ones (imports) carry none in the metadata either.
 */
async function loadMirrorMaps(
  db: Database,
  event: CanvasEvent,
): Promise<Pick<EventLookups, "courseForPage" | "courseForFile">> {
  const { payload } = event;
  if (payload.family === "wiki_page") {
    const pageId = toLocalId(payload.body.wiki_page_id);
    const courseId = await mirroredCourseOf(db, "page", pageId);
    return { courseForPage: (id) => (id === pageId ? courseId : null) };
  }
  if (payload.family === "attachment") {
    const { context_type: type, context_id: contextId } = payload.body;
    const fileId = toLocalId(payload.body.attachment_id);
    const needsMap = type === undefined || type === null || contextId === undefined || contextId === null;
    const courseId = needsMap ? await mirroredCourseOf(db, "file", fileId) : null;
    return { courseForPage: () => null, courseForFile: (id) => (id === fileId ? courseId : null) };
  }
  return { courseForPage: () => null };
}

/** Compare-and-set of the object's mark on the event time read before; false when another delivery got there first. */
async function writeMark(
  deps: IntakeDeps,
  work: TargetedWork,
  previous: EventMark | null,
  eventTime: string,
  jobId: string | null,
): Promise<boolean> {
  return writeEventMark(
    deps.db,
    {
      objectKey: work.objectKey,
      courseId: work.courseId,
      eventTime,
      eventName: work.eventName,
      jobId,
      at: deps.now(),
    },
    previous?.eventTime ?? null,
  );
}
