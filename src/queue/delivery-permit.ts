/**
 * Permit, the second step of a sync delivery: the course's lease (one job per course at a time), then the host's
 * and the course's circuit breakers. A delivery turned away is not a failure of anything: it asks again when the
 * holder or the breaker may let it in.
 */
import { healthGateName, type CanvasGate } from "../durable/canvas-gate";
import type { CourseSync, LeaseResult } from "../durable/course-sync";
import type { BreakerPermit } from "../durable/stored-breaker";
import { log } from "../observability/log";
import type { Database } from "../storage/d1/client";
import { readJobStatus } from "../storage/d1/sync-jobs";
import { isFinished } from "./delivery-guard";
import type { Invocation } from "./invocation";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";

/** A lease outlives the consumer's 15-minute wall clock, so only a dead holder's lease ever expires. */
export const LEASE_TTL_MS = 16 * 60_000;

/** Queues' longest delivery delay. */
const MAX_WAIT_SECONDS = 86_400;
/**
 * How soon a job that found the course busy asks again. Short, because the holder is usually a sync that ends in
 * seconds (Live Events often arrive in bursts for one course); a dead holder's lease still expires on its own.
 */
const LEASE_POLL_MS = 15_000;

/** Granted: the course's lease is held (the caller must release it) and both breakers let the delivery in. */
export type Permit =
  | { granted: true; course: DurableObjectStub<CourseSync>; host: DurableObjectStub<CanvasGate> }
  | { granted: false; settlement: Settlement };

export async function takePermit(invocation: Invocation, message: SyncMessage): Promise<Permit> {
  const { env, config } = invocation;
  const course = env.COURSE_SYNC.getByName(String(message.courseId));
  const lease = await takeLease(invocation.db, course, message.jobId);
  // Another job holds the course; it usually finishes long before its lease would expire, so look again soon.
  if (!lease.ok)
    return { granted: false, settlement: retryAt(Date.now() + Math.min(lease.retryInMs, LEASE_POLL_MS)) };
  let granted = false;
  try {
    const host = env.CANVAS_GATE.getByName(healthGateName(new URL(config.CANVAS_BASE_URL).host));
    const denied = await askBreakers(host, course, message);
    if (denied) return { granted: false, settlement: denied };
    granted = true;
    return { granted: true, course, host };
  } finally {
    if (!granted) await course.releaseLease(message.jobId);
  }
}

/**
 * Takes the course's lease. A lease held by a job that has already finished (its consumer died between recording
 * the outcome and releasing the lease) is stale: it is released and taken, instead of blocking the course for the
 * rest of its 16 minutes.
 */
async function takeLease(
  db: Database,
  course: DurableObjectStub<CourseSync>,
  jobId: string,
): Promise<LeaseResult> {
  const first = await course.acquireLease(jobId, LEASE_TTL_MS);
  if (first.ok) return first;
  const holder = await readJobStatus(db, first.heldBy);
  if (holder && !isFinished(holder.status)) return first;
  await course.releaseLease(first.heldBy);
  return course.acquireLease(jobId, LEASE_TTL_MS);
}

/**
 * The breakers, host first: taking the course's half-open trial and then being turned away by the host would leave
 * that trial slot held for nothing. The course's trial is taken before the host's for the same reason: a host trial
 * left unused would hold up every course.
 */
async function askBreakers(
  host: DurableObjectStub<CanvasGate>,
  course: DurableObjectStub<CourseSync>,
  message: SyncMessage,
): Promise<Settlement | null> {
  const hostOpen = await host.hostPeek();
  if (!hostOpen.allowed) return backOff(hostOpen, message, "host");
  const coursePermit = await course.breakerPermits();
  if (!coursePermit.allowed) return backOff(coursePermit, message, "course");
  const hostPermit = await host.hostPermits();
  if (!hostPermit.allowed) return backOff(hostPermit, message, "host");
  return null;
}

/** A breaker turned this delivery away: ask again when it may let us in. Not a failure of anything. */
function backOff(permit: BreakerPermit, message: SyncMessage, which: "host" | "course"): Settlement {
  const at = permit.allowed ? Date.now() : permit.retryAt;
  log("info", `sync deferred: the ${which} circuit breaker is ${permit.state.status}`, {
    jobId: message.jobId,
    courseId: message.courseId,
    retryAt: new Date(at).toISOString(),
  });
  return retryAt(at);
}

function retryAt(at: number): Settlement {
  return {
    action: "retry",
    delaySeconds: Math.max(5, Math.min(MAX_WAIT_SECONDS, Math.ceil((at - Date.now()) / 1000))),
  };
}
