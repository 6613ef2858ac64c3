/**
 * Plays Queues for sync jobs, faithfully and without waiting: one message per invocation (as wrangler.toml
 * configures), a retried message comes back with attempts + 1 (its delay skipped), a continuation the consumer sent
 * is delivered as a new message, a message past its last retry goes to the dead-letter consumer (bare, as Queues
 * moves it), and what the consumer forwarded there is consumed too. A long deferral means a breaker opened: its
 * cool-down is passed virtually. Used by tests that need a job to run to its end through the real consumer.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { healthGateName } from "../../src/durable/canvas-gate";
import { consumeDeadLetters } from "../../src/queue/dead-letters";
import { MAX_RETRIES } from "../../src/queue/consumer";
import { SyncMessageSchema } from "../../src/queue/message";
import type { SyncRuntime } from "../../src/queue/sync-runtime";
import { CANVAS_ORIGIN } from "./harness";
import {
  deliver,
  FAST_RUNTIME,
  recordingBatch,
  syncEnv,
  type Delivery,
  type TestQueues,
} from "./sync-harness";
import { loadConfig } from "../../src/env";

export interface PlayResult {
  deliveries: number;
  retries: number;
  continuations: number;
  deadLettered: number;
}

export interface PlayOptions {
  runtime?: SyncRuntime;
  /** variables for the worker's Env (e.g. CANVAS_TIMEOUT_SECONDS, SYNC_DELIVERY_MAX_CANVAS_REQUESTS) */
  vars?: Record<string, string>;
  /** stop with an error after this many deliveries (a job that never ends is a bug) */
  maxDeliveries?: number;
  /** called around each delivery (the benchmark marks them to measure each one's memory) */
  onDelivery?: (edge: "start" | "end", delivery: number) => void;
}

export async function playJobs(
  queues: TestQueues,
  bodies: readonly unknown[],
  options: PlayOptions = {},
): Promise<PlayResult> {
  const workerEnv = syncEnv(queues, { CANVAS_TIMEOUT_SECONDS: "0.25", ...options.vars });
  const runtime = options.runtime ?? FAST_RUNTIME;
  const result: PlayResult = { deliveries: 0, retries: 0, continuations: 0, deadLettered: 0 };
  let next = 0;
  const pending: Delivery[] = bodies.map((body) => ({ id: `m${next++}`, body, attempts: 1 }));
  const limit = options.maxDeliveries ?? 500;
  while (pending.length > 0) {
    if (result.deliveries >= limit) throw new Error(`no end after ${limit} deliveries`);
    const delivery = pending.shift();
    if (!delivery) break;
    result.deliveries++;
    options.onDelivery?.("start", result.deliveries);
    const [settled] = await deliver(workerEnv, [delivery], runtime);
    options.onDelivery?.("end", result.deliveries);
    if (settled?.action === "retry") {
      result.retries++;
      if (settled.delaySeconds >= 60) await passBreakerCooldowns(delivery.body);
      if (delivery.attempts > MAX_RETRIES) await deadLetter(queues, delivery.body, delivery.attempts, result);
      else pending.push({ ...delivery, attempts: delivery.attempts + 1 });
    }
    for (const body of queues.sync.take()) {
      result.continuations++;
      pending.push({ id: `m${next++}`, body, attempts: 1 });
    }
    for (const forwarded of queues.dlq.take()) await deadLetter(queues, forwarded, 1, result);
    queues.extract.take();
  }
  return result;
}

async function deadLetter(
  queues: TestQueues,
  body: unknown,
  attempts: number,
  result: PlayResult,
): Promise<void> {
  result.deadLettered++;
  const { batch } = recordingBatch("canvas-sync-dlq", [{ id: `dlq-${result.deadLettered}`, body, attempts }]);
  await consumeDeadLetters(batch, syncEnv(queues), loadConfig(syncEnv(queues)));
}

/** A long deferral means a breaker opened (the course's, or the host's): let its cool-down pass, virtually. */
async function passBreakerCooldowns(body: unknown): Promise<void> {
  const { courseId } = SyncMessageSchema.parse(body);
  const course = env.COURSE_SYNC.getByName(String(courseId));
  const health = env.CANVAS_GATE.getByName(healthGateName(new URL(CANVAS_ORIGIN).host));
  const courseBreaker = (await course.status()).breaker;
  const hostBreaker = await health.hostStatus();
  for (const [stub, breaker] of [
    [course, courseBreaker],
    [health, hostBreaker],
  ] as const) {
    if (breaker.status !== "open") continue;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(breaker.openUntil);
    try {
      await runDurableObjectAlarm(stub);
    } finally {
      vi.useRealTimers();
    }
  }
}
