/**
 * The chaos run: several courses synced through the real consumer against a simulator that fails a fifth of all
 * requests (5xx, throttling, timeouts, cut-off bodies, connection resets, on the API and on file storage), while the
 * consumer itself is killed at random points (every binding and fetch frozen mid-flight, see kill-switch.ts), some
 * binding call (D1, R2, a Durable Object) throws a plain Error now and then, and acknowledged messages are sometimes delivered again. The driver plays Queues: it redelivers what was retried or
 * never settled with attempts + 1, moves a message to the dead-letter consumer after the last allowed delivery, and
 * delivers what the consumer forwarded there. When a course's job fails for good, it creates another, as the cron
 * would. Three rounds: the first sync, an incremental sync after edits, deletions, additions and a file
 * replacement, and a full reconciliation; after each the mirror must equal the simulator's truth exactly.
 *
 * A seed reproduces its run: Canvas runs on a virtual clock (it moves a minute between rounds and edits), its
 * bucket is off (throttling comes from the injected faults), and the pipeline processes one object at a time, so
 * the order of requests, and with it which request each fault hits, depends on the seed alone.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { healthGateName } from "../../src/durable/canvas-gate";
import { consumeDeadLetters } from "../../src/queue/dead-letters";
import { consumeSyncBatch, MAX_RETRIES } from "../../src/queue/consumer";
import { SyncMessageSchema, type SyncMessage } from "../../src/queue/message";
import { seededRandom, type Random } from "../../src/resilience/backoff";
import { createCanvasSimulator, type CanvasSimulator, type FaultAction } from "../local/simulator";
import { CANVAS_ORIGIN, CANVAS_TOKEN, STORAGE_ORIGIN } from "./harness";
import { KillSwitch } from "./kill-switch";
import { checkMirror, type MirrorDiff } from "./mirror-check";
import { mutateCourse } from "./chaos-mutations";
import {
  fastBudget,
  jobRow,
  newJobs,
  recordingBatch,
  registerCourses,
  syncEnv,
  testQueues,
  type Delivery,
  type TestQueues,
} from "./sync-harness";
import { setUpInvocation } from "../../src/deps";
import { loadConfig } from "../../src/env";

export interface ChaosOptions {
  courses?: number;
  itemsPerCourse?: number;
  /** share of requests that fail (default 0.2) */
  faultRate?: number;
  /** chance that a delivery's consumer is killed somewhere (default 0.4) */
  crashRate?: number;
  /** chance that an acknowledged message is delivered again (default 0.25) */
  duplicateRate?: number;
  /** chance that one binding call of a delivery (D1, R2, a Durable Object) throws a plain Error (default 0.4) */
  errorRate?: number;
  seed?: number;
  /** messages per delivered batch (default 2) */
  batchSize?: number;
}

export interface RoundResult {
  name: string;
  mode: "incremental" | "full";
  jobs: number;
  diff: MirrorDiff;
}

export interface ChaosReport {
  courses: number;
  itemsPerCourse: number;
  requests: number;
  faultsInjected: number;
  deliveries: number;
  crashes: number;
  /** plain Errors thrown by binding calls inside a delivery */
  injectedErrors: number;
  retries: number;
  deadLettered: number;
  duplicateDeliveries: number;
  breakerNudges: number;
  jobs: number;
  failedJobs: number;
  failedJobsWithoutError: number;
  /** jobs that finished with objects left behind (a later job of the round retried them) */
  partialJobs: number;
  /** deliveries that ran out of budget and continued their job in a new message */
  continuations: number;
  unaccountedJobs: number;
  deadLetterRows: number;
  duplicatedChanges: number;
  lost: number;
  duplicated: number;
  stale: number;
  wronglyDeleted: number;
  badBlobs: number;
  watermarkPastFailure: number;
  rounds: RoundResult[];
  wallMs: number;
}

const FAULTS: FaultAction[] = [
  { type: "status", status: 503 },
  { type: "throttle" },
  { type: "timeout" },
  { type: "truncateBody", keepFraction: 0.5 },
  { type: "resetConnection" },
];
const LOOKBACK_MS = 10 * 60_000;
/** Attempts at one course's sync per round before the run gives up on it (each attempt is a fresh job). */
const MAX_JOBS_PER_ROUND = 6;

export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const started = Date.now();
  const random = seededRandom(options.seed ?? 99);
  const courseIds = Array.from({ length: options.courses ?? 4 }, (_, index) => 1_001 + index);
  const itemsPerCourse = options.itemsPerCourse ?? 50;
  let clock = Date.parse("2026-11-02T08:00:00Z");
  const tick = () => {
    clock += 60_000;
  };
  const simulator = createCanvasSimulator({
    apiOrigin: CANVAS_ORIGIN,
    storageOrigin: STORAGE_ORIGIN,
    tokens: [CANVAS_TOKEN],
    seed: options.seed ?? 99,
    now: () => clock,
    institution: { courses: courseIds.map((id) => ({ id, items: itemsPerCourse })) },
  });
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) =>
    simulator.fetch(input instanceof Request ? input : String(input), init),
  );
  await fastBudget(simulator);
  simulator.control.setThrottle({ enabled: false });
  await registerCourses(courseIds);
  // Five rules with this probability each fail `faultRate` of all requests together (the first that fires wins).
  const perRule = 1 - (1 - (options.faultRate ?? 0.2)) ** (1 / FAULTS.length);
  for (const action of FAULTS)
    simulator.control.addFault({ match: { origin: "any" }, probability: perRule, action });

  const driver = new Driver(simulator, random, options);
  const rounds: RoundResult[] = [];
  tick();
  rounds.push(await driver.round("first sync", courseIds, "incremental", true));
  tick();
  for (const id of courseIds) await mutateCourse(simulator, id, random);
  tick();
  rounds.push(await driver.round("incremental after changes", courseIds, "incremental", false));
  tick();
  rounds.push(await driver.round("full reconciliation", courseIds, "full", true));
  const report = await driver.report(courseIds, itemsPerCourse, rounds, started);
  simulator.control.clearFaults();
  return report;
}

class Driver {
  private readonly queues: TestQueues = testQueues();
  private readonly jobIds: string[] = [];
  private deliveries = 0;
  private crashes = 0;
  private retries = 0;
  private deadLettered = 0;
  private duplicates = 0;
  private nudges = 0;
  private injectedErrors = 0;
  private continuations = 0;

  constructor(
    private readonly simulator: CanvasSimulator,
    private readonly random: Random,
    private readonly options: ChaosOptions,
  ) {}

  async round(
    name: string,
    courseIds: readonly number[],
    mode: "incremental" | "full",
    fileDeletions: boolean,
  ): Promise<RoundResult> {
    let outstanding = [...courseIds];
    let jobs = 0;
    for (let attempt = 0; outstanding.length > 0 && attempt < MAX_JOBS_PER_ROUND; attempt++) {
      const messages = await newJobs(this.queues, outstanding, mode);
      jobs += messages.length;
      this.jobIds.push(...messages.map((message) => message.jobId));
      await this.drive(messages);
      const next: number[] = [];
      for (const message of messages) {
        if ((await jobRow(message.jobId))?.status !== "succeeded") next.push(message.courseId);
      }
      outstanding = next;
    }
    if (outstanding.length > 0) throw new Error(`${name}: courses ${outstanding.join(", ")} never synced`);
    const diff: MirrorDiff = {
      lost: 0,
      stale: 0,
      wronglyDeleted: 0,
      duplicated: 0,
      badBlobs: 0,
      watermarkPastFailure: 0,
      samples: [],
    };
    for (const id of courseIds) {
      const one = await checkMirror(id, await this.simulator.control.truth(id), {
        expectFileDeletions: fileDeletions,
        lookbackMs: LOOKBACK_MS,
      });
      diff.lost += one.lost;
      diff.stale += one.stale;
      diff.wronglyDeleted += one.wronglyDeleted;
      diff.duplicated += one.duplicated;
      diff.badBlobs += one.badBlobs;
      diff.watermarkPastFailure += one.watermarkPastFailure;
      diff.samples.push(...one.samples);
    }
    return { name, mode, jobs, diff };
  }

  /** Plays Queues until every message of the round is settled. */
  private async drive(messages: readonly SyncMessage[]): Promise<void> {
    const pending: Delivery[] = messages.map((message) => ({
      id: message.jobId,
      body: message,
      attempts: 1,
    }));
    const workerEnv = syncEnv(this.queues, { CANVAS_TIMEOUT_SECONDS: "0.25" });
    while (pending.length > 0) {
      const batch = pending.splice(0, this.options.batchSize ?? 2);
      const kill = new KillSwitch();
      if (this.random() < (this.options.crashRate ?? 0.4)) kill.trip(1 + Math.floor(this.random() * 250));
      if (this.random() < (this.options.errorRate ?? 0.4)) kill.failAt(1 + Math.floor(this.random() * 80));
      const { batch: messageBatch, results } = recordingBatch("canvas-sync-jobs", batch);
      this.deliveries++;
      const outcome = await Promise.race([
        consumeSyncBatch(messageBatch, kill.env(workerEnv), await setUpInvocation(loadConfig(workerEnv)), {
          fetch: kill.fetch((input, init) =>
            this.simulator.fetch(input instanceof Request ? input : String(input), init),
          ),
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
          random: this.random,
          syncConfig: { concurrency: 1 },
        }).then(() => "done" as const),
        kill.dead.then(() => "crashed" as const),
      ]);
      if (outcome === "crashed") this.crashes++;
      this.injectedErrors += kill.failures;
      for (const delivery of batch) {
        const result = results.get(delivery.id);
        if (result?.action === "ack") {
          if (this.random() < (this.options.duplicateRate ?? 0.25)) {
            this.duplicates++;
            pending.push({ ...delivery, attempts: delivery.attempts + 1 });
          }
          continue;
        }
        if (result?.action === "retry") {
          this.retries++;
          if (result.delaySeconds >= 60) await this.nudgeBreaker(delivery);
        }
        if (delivery.attempts > MAX_RETRIES) await this.deadLetter(delivery.body, delivery.attempts);
        else pending.push({ ...delivery, attempts: delivery.attempts + 1 });
      }
      // A delivery that ran out of budget continues its job in a new message (not a retry).
      for (const body of this.queues.sync.take()) {
        this.continuations++;
        pending.push({ id: `continuation-${this.continuations}`, body, attempts: 1 });
      }
      for (const forwarded of this.queues.dlq.take()) await this.deadLetter(forwarded, 1);
      this.queues.extract.take();
    }
  }

  /** Queues moving a message to the dead-letter queue (bare), or the consumer having forwarded it (with reason). */
  private async deadLetter(body: unknown, attempts: number): Promise<void> {
    this.deadLettered++;
    const { batch } = recordingBatch("canvas-sync-dlq", [{ id: `dlq-${this.deadLettered}`, body, attempts }]);
    await consumeDeadLetters(batch, syncEnv(this.queues), loadConfig(syncEnv(this.queues)));
  }

  /** A long deferral means a breaker opened (the course's, or the host's): let its cool-down pass, virtually. */
  private async nudgeBreaker(delivery: Delivery): Promise<void> {
    const { courseId } = SyncMessageSchema.parse(delivery.body);
    const course = env.COURSE_SYNC.getByName(String(courseId));
    const health = env.CANVAS_GATE.getByName(healthGateName(new URL(CANVAS_ORIGIN).host));
    const courseBreaker = (await course.status()).breaker;
    const hostBreaker = await health.hostStatus();
    for (const [stub, breaker] of [
      [course, courseBreaker],
      [health, hostBreaker],
    ] as const) {
      if (breaker.status !== "open") continue;
      this.nudges++;
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(breaker.openUntil);
      try {
        await runDurableObjectAlarm(stub);
      } finally {
        vi.useRealTimers();
      }
    }
  }

  async report(
    courseIds: readonly number[],
    itemsPerCourse: number,
    rounds: RoundResult[],
    started: number,
  ): Promise<ChaosReport> {
    const statuses = [];
    for (const id of this.jobIds) statuses.push(await jobRow(id));
    const failed = statuses.filter((row) => row?.status === "failed");
    const letters = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters").first<{ n: number }>();
    const changes = await env.DB.prepare(
      "SELECT count(*) AS n FROM (SELECT item_id FROM item_changes GROUP BY item_id, kind, job_id HAVING count(*) > 1)",
    ).first<{ n: number }>();
    const counters = this.simulator.control.counters().total;
    const sum = (pick: (diff: MirrorDiff) => number): number =>
      rounds.reduce((total, round) => total + pick(round.diff), 0);
    return {
      courses: courseIds.length,
      itemsPerCourse,
      requests: counters.requests,
      faultsInjected: this.simulator.control.listFaults().reduce((total, fault) => total + fault.fired, 0),
      deliveries: this.deliveries,
      crashes: this.crashes,
      injectedErrors: this.injectedErrors,
      retries: this.retries,
      deadLettered: this.deadLettered,
      duplicateDeliveries: this.duplicates,
      breakerNudges: this.nudges,
      jobs: this.jobIds.length,
      failedJobs: failed.length,
      failedJobsWithoutError: failed.filter((row) => !row?.error || !row.error_category).length,
      unaccountedJobs: statuses.filter(
        (row) => row?.status !== "succeeded" && row?.status !== "partial" && row?.status !== "failed",
      ).length,
      partialJobs: statuses.filter((row) => row?.status === "partial").length,
      continuations: this.continuations,
      deadLetterRows: letters?.n ?? 0,
      duplicatedChanges: changes?.n ?? 0,
      lost: sum((diff) => diff.lost),
      duplicated: sum((diff) => diff.duplicated),
      stale: sum((diff) => diff.stale),
      wronglyDeleted: sum((diff) => diff.wronglyDeleted),
      badBlobs: sum((diff) => diff.badBlobs),
      watermarkPastFailure: sum((diff) => diff.watermarkPastFailure),
      rounds,
      wallMs: Date.now() - started,
    };
  }
}
