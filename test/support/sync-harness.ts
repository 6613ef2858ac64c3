/**
 * Test support for driving sync deliveries by hand: an Env for the consumer (with capturing queues, so the real
 * local queue never delivers behind the test's back), course and job setup through the production code paths, a
 * message batch whose acks and retries (with their delays) are recorded, and readers for job and course rows.
 */
import { env } from "cloudflare:workers";
import { tokenFingerprint } from "../../src/canvas/token-fingerprint";
import { budgetGateName } from "../../src/durable/canvas-gate";
import { consumeSyncBatch } from "../../src/queue/consumer";
import { enqueueSyncJobs, type SyncMode } from "../../src/queue/enqueue";
import { SyncMessageSchema, type SyncMessage } from "../../src/queue/message";
import type { SyncRuntime } from "../../src/queue/sync-runtime";
import { seededRandom } from "../../src/resilience/backoff";
import type { CanvasSimulator } from "../local/simulator";
import { API_TOKEN, CANVAS_ORIGIN, CANVAS_TOKEN } from "./harness";
import { openDatabase } from "../../src/storage/d1/client";
import { setUpInvocation } from "../../src/deps";
import { loadConfig } from "../../src/env";

/** A Queue that keeps what is sent to it. */
export class CapturingQueue implements Queue {
  readonly sent: { body: unknown; delaySeconds: number | null }[] = [];

  metrics(): Promise<QueueMetrics> {
    return Promise.resolve({ backlogCount: this.sent.length, backlogBytes: 0 });
  }

  send(body: unknown, options?: QueueSendOptions): Promise<QueueSendResponse> {
    this.sent.push({ body, delaySeconds: options?.delaySeconds ?? null });
    return Promise.resolve({ metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } });
  }

  sendBatch(messages: Iterable<MessageSendRequest>): Promise<QueueSendBatchResponse> {
    for (const message of messages)
      this.sent.push({ body: message.body, delaySeconds: message.delaySeconds ?? null });
    return Promise.resolve({ metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } });
  }

  /** Removes and returns what was sent so far. */
  take(): unknown[] {
    return this.sent.splice(0).map((entry) => entry.body);
  }
}

export interface TestQueues {
  sync: CapturingQueue;
  dlq: CapturingQueue;
  extract: CapturingQueue;
}

export function testQueues(): TestQueues {
  return { sync: new CapturingQueue(), dlq: new CapturingQueue(), extract: new CapturingQueue() };
}

/**
 * The worker's Env with the secrets the test config sets, capturing queues, and variable overrides (any variable
 * src/env.ts reads, e.g. CANVAS_TIMEOUT_SECONDS or ALERT_WEBHOOK_URL).
 */
export function syncEnv(queues: TestQueues, vars: Record<string, string> = {}): Env {
  const base: Env = {
    ...env,
    CANVAS_TOKEN,
    API_TOKEN,
    SYNC_QUEUE: queues.sync,
    SYNC_DLQ: queues.dlq,
    EXTRACT_QUEUE: queues.extract,
  };
  return Object.assign(base, vars);
}

export async function registerCourses(ids: readonly number[], now = Date.now()): Promise<void> {
  for (const id of ids) {
    await env.DB.prepare(
      `INSERT INTO courses (canvas_course_id, state, registered_at, next_sync_at) VALUES (?1, 'idle', ?2, ?2)
       ON CONFLICT(canvas_course_id) DO NOTHING`,
    )
      .bind(id, now)
      .run();
  }
}

/** Creates jobs the way the API and the cron do, and returns their queue messages. */
export async function newJobs(
  queues: TestQueues,
  courseIds: readonly number[],
  mode: SyncMode = "incremental",
): Promise<SyncMessage[]> {
  await enqueueSyncJobs(
    openDatabase(env.DB),
    queues.sync,
    courseIds.map((courseId) => ({ courseId, mode, trigger: "api" as const })),
    Date.now(),
  );
  return queues.sync.take().map((body) => SyncMessageSchema.parse(body));
}

export interface Delivery {
  id: string;
  body: unknown;
  attempts: number;
}

export type DeliveryResult =
  | { id: string; action: "ack" }
  | { id: string; action: "retry"; delaySeconds: number };

/** A message batch whose acks and retries are recorded (the delay too, which getQueueResult does not report). */
export function recordingBatch(
  queue: string,
  deliveries: readonly Delivery[],
): { batch: MessageBatch; results: Map<string, DeliveryResult> } {
  const results = new Map<string, DeliveryResult>();
  const messages: Message[] = deliveries.map((delivery) => ({
    id: delivery.id,
    timestamp: new Date(),
    body: delivery.body,
    attempts: delivery.attempts,
    ack: () => {
      if (!results.has(delivery.id)) results.set(delivery.id, { id: delivery.id, action: "ack" });
    },
    retry: (options?: QueueRetryOptions) => {
      if (!results.has(delivery.id)) {
        results.set(delivery.id, {
          id: delivery.id,
          action: "retry",
          delaySeconds: options?.delaySeconds ?? 0,
        });
      }
    },
  }));
  const batch: MessageBatch = {
    queue,
    messages,
    metadata: { metrics: { backlogCount: messages.length, backlogBytes: 0 } },
    ackAll: () => {
      for (const message of messages) message.ack();
    },
    retryAll: (options?: QueueRetryOptions) => {
      for (const message of messages) message.retry(options);
    },
  };
  return { batch, results };
}

/** Delivers messages to the sync consumer and returns how each was settled. */
export async function deliver(
  workerEnv: Env,
  deliveries: readonly Delivery[],
  runtime: SyncRuntime = FAST_RUNTIME,
): Promise<DeliveryResult[]> {
  const { batch, results } = recordingBatch("canvas-sync-jobs", deliveries);
  await consumeSyncBatch(batch, workerEnv, await setUpInvocation(loadConfig(workerEnv)), runtime);
  return deliveries.map((delivery) => results.get(delivery.id) ?? { id: delivery.id, action: "ack" });
}

/** In-process retry waits shortened to a few milliseconds, with seeded jitter. */
export const FAST_RUNTIME: SyncRuntime = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
  random: seededRandom(7),
};

export interface JobRowView {
  status: string;
  attempts: number;
  error: string | null;
  error_category: string | null;
  report: string | null;
}

export async function jobRow(jobId: string): Promise<JobRowView | null> {
  return env.DB.prepare("SELECT status, attempts, error, error_category, report FROM sync_jobs WHERE id = ?1")
    .bind(jobId)
    .first<JobRowView>();
}

export interface CourseRowView {
  state: string;
  consecutive_failures: number;
  next_sync_at: number;
  last_sync_at: number | null;
  last_error_category: string | null;
  breaker_open_until: number | null;
  auth_failed_token: string | null;
  change_rate_ppm: number;
  activity: string | null;
}

export async function courseRow(courseId: number): Promise<CourseRowView | null> {
  return env.DB.prepare(
    `SELECT state, consecutive_failures, next_sync_at, last_sync_at, last_error_category, breaker_open_until,
       auth_failed_token, change_rate_ppm, activity FROM courses WHERE canvas_course_id = ?1`,
  )
    .bind(courseId)
    .first<CourseRowView>();
}

/**
 * The gate's budget and the simulator's bucket leak a hundred times faster, so throttling (injected or real) costs
 * milliseconds of real time instead of seconds, and leases of killed consumers expire in two seconds.
 */
export async function fastBudget(simulator: CanvasSimulator): Promise<void> {
  simulator.control.setThrottle({ outflow: 1_000 });
  const gate = env.CANVAS_GATE.getByName(
    budgetGateName(new URL(CANVAS_ORIGIN).host, await tokenFingerprint(CANVAS_TOKEN)),
  );
  const configured = await gate.configure({ outflow: 1_000, leaseTtlMs: 2_000 });
  if (!configured.ok) throw new Error(configured.error);
}
