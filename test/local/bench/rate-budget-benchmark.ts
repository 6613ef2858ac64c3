/**
 * The rate-budget benchmark, through the product path: first syncs of N courses sharing one Canvas token, as real
 * sync jobs delivered to the queue consumer (src/queue/consumer.ts -> handle-sync -> runSyncJob), every Canvas
 * request paced by the token's CanvasGate Durable Object, against the simulator's default bucket (hwm 600, outflow
 * 10 units/s, 50 units up front per request in flight), in real time. Canvas takes 100-500 ms to answer each API
 * request (simulator latency rules, mean 300 ms) and holds its 50 units meanwhile, so requests in flight matter.
 *
 * The measure is the share of the sustainable request rate used: sustainable = the requests / idealMs, where idealMs
 * is the makespan of a perfectly informed client that is never throttled (test/local/bench/ideal-makespan.ts:
 * Canvas's admission rule, the leak, the measured cost and latency of every request), sending the same requests of
 * each course in the same order, listing pages one after another and everything else six at a time per course (a
 * Worker invocation has six connections waiting for headers; a file's hop to the storage host holds one of them
 * too, but not Canvas's bucket). So the share (= idealMs / makespan) includes the phases where latency, not the
 * budget, is the limit, and our pipeline's own pauses (settling, commits, deliveries).
 *
 * Why not outflow / mean cost: at 0.1 units a request the leak alone would allow 100 requests a second, but every
 * request holds 50 units for its 300 ms, so Canvas admits at most 11 at once (11 x 50 < 600), about 37 a second:
 * the up-front charges, not the leak, bound this bucket. `leakRequestsPerSecond` is printed for reference.
 */
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { tokenFingerprint } from "../../../src/canvas/token-fingerprint";
import { budgetGateName } from "../../../src/durable/canvas-gate";
import { SyncMessageSchema } from "../../../src/queue/message";
import { seededRandom } from "../../../src/resilience/backoff";
import type { CanvasSimulator } from "../simulator";
import { DEFAULT_THROTTLE } from "../simulator/throttle";
import { CANVAS_ORIGIN, resetStorage, startSimulator } from "../../support/harness";
import { idealMakespanMs, type Segment } from "./ideal-makespan";
import {
  deliver,
  jobRow,
  newJobs,
  registerCourses,
  syncEnv,
  testQueues,
  type TestQueues,
} from "../../support/sync-harness";

export interface RateBudgetBenchmarkOptions {
  /** objects per course */
  items: number;
  /** courses syncing at once on the one token */
  courses: number;
  /** bucket units left when the syncs start (default: a fresh, empty bucket) */
  startRemaining?: number;
  seed?: number;
  /** share of responses carrying the throttle headers (the simulator's headerFraction; default 1) */
  headerFraction?: number;
  /** false: a Canvas with throttling off, which sends no throttle headers at all (default true) */
  throttle?: boolean;
  /**
   * another integration on the same token while the syncs run, not paced by our gate: this many requests of its
   * own at a time, one after another, until the syncs end (default: none)
   */
  otherClient?: number;
}

export interface RateBudgetBenchmarkResult {
  /** requestsPerSecond / sustainableRequestsPerSecond (= idealMs / makespanMs): the share of the sustainable rate */
  rateUse: number;
  /** seconds during which callers waited at the gate (the budget, not latency, was the limit) */
  contendedSeconds: number;
  courses: number;
  itemsPerCourse: number;
  jobs: string[];
  requests: number;
  throttled: number;
  /** units charged by the simulator's bucket */
  totalCost: number;
  meanCost: number;
  makespanMs: number;
  /** from the X-Request-Cost of each response: meaningful only when every response reports it */
  idealMs: number;
  requestsPerSecond: number;
  /** requests / idealMs: the rate the bucket (and six connections per sync delivery) sustains for these requests */
  sustainableRequestsPerSecond: number;
  /** outflow / mean cost: what the leak alone would sustain if requests held nothing up front */
  leakRequestsPerSecond: number;
  /** most API requests Canvas was serving at once */
  maxInFlight: number;
  /** the bucket level when the syncs ended */
  endLevel: number;
  /** the other integration's requests and how many of them Canvas throttled (absent without one) */
  otherClient?: { requests: number; throttled: number };
}

const ANSWER_LATENCY = [
  { match: { origin: "api" as const }, action: { type: "latency" as const, ms: 100 } },
  { match: { origin: "api" as const }, probability: 0.5, action: { type: "latency" as const, ms: 200 } },
  { match: { origin: "api" as const }, probability: 0.5, action: { type: "latency" as const, ms: 200 } },
  { match: { origin: "storage" as const }, action: { type: "latency" as const, ms: 20 } },
];

/** Spends the token's bucket the way another integration would, until about `remaining` units are left. */
async function spendBucket(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  courseId: number,
  token: string,
  remaining: number,
): Promise<void> {
  for (let i = 0; i < 5_000; i++) {
    const response = await fetcher(`${CANVAS_ORIGIN}/api/v1/courses/${courseId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.body?.cancel();
    const left = Number.parseFloat(response.headers.get("x-rate-limit-remaining") ?? "600");
    if (left <= remaining) return;
  }
  throw new Error("the bucket did not fill");
}

/** Another integration reading the course on the same token, `parallel` requests at a time, until stopped. */
function otherIntegration(
  simulator: CanvasSimulator,
  courseId: number,
  token: string,
  parallel: number,
): { stop: () => Promise<{ requests: number; throttled: number }> } {
  const state = { running: true, requests: 0, throttled: 0 };
  const loops = Array.from({ length: parallel }, async () => {
    while (state.running) {
      const response = await simulator.fetch(`${CANVAS_ORIGIN}/api/v1/courses/${courseId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.body?.cancel();
      state.requests++;
      if (response.status === 403 || response.status === 429) {
        state.throttled++;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  });
  return {
    stop: async () => {
      state.running = false;
      await Promise.all(loops);
      return { requests: state.requests, throttled: state.throttled };
    },
  };
}

/** Requests a Worker invocation may have waiting for headers at once. */
const CONNECTIONS = 6;
/** How often the gate is asked whether callers are waiting. */
const SAMPLE_MS = 200;

/** Samples whether callers wait at the gate until `stop` is called; returns the seconds they did. */
function sampleWaiting(gate: { snapshot(): Promise<{ waiting: number }> }): { stop: () => Promise<number> } {
  const state = { running: true, seconds: 0 };
  const loop = (async () => {
    let last = Date.now();
    let waiting = false;
    while (state.running) {
      const now = Date.now();
      if (waiting) state.seconds += (now - last) / 1000;
      last = now;
      waiting = (await gate.snapshot()).waiting > 0;
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return state.seconds;
    },
  };
}

interface LoggedRequest {
  courseId: number;
  list: boolean;
  startedAt: number;
  latencyMs: number;
  /** a file download's hop to the storage host that followed this request (0 for other requests) */
  holdMs: number;
  cost: number;
}

/**
 * Answers every fetch of this isolate from the simulator (as startSimulator does) and logs each Canvas API request:
 * its course, whether it is a listing page, its latency and cost.
 */
async function logCanvasRequests(
  simulator: CanvasSimulator,
  courseIds: readonly number[],
): Promise<LoggedRequest[]> {
  const fileCourse = new Map<number, number>();
  for (const courseId of courseIds) {
    for (const file of (await simulator.control.truth(courseId, { hashes: false })).files)
      fileCourse.set(file.id, courseId);
  }
  const log: LoggedRequest[] = [];
  // A download's redirect, by the storage URL it names: the hop that follows it is added to its request.
  const redirects = new Map<string, LoggedRequest>();
  vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const startedAt = Date.now();
    const response = await simulator.fetch(input, init);
    if (url.origin !== CANVAS_ORIGIN) {
      const download = redirects.get(url.href);
      if (download !== undefined) download.holdMs += Math.max(1, Date.now() - startedAt);
      return response;
    }
    const course = /\/courses\/(\d+)/.exec(url.pathname)?.[1];
    const file = /^\/files\/(\d+)\/download/.exec(url.pathname)?.[1];
    const courseId = course !== undefined ? Number(course) : fileCourse.get(Number(file));
    if (courseId === undefined) return response;
    const logged: LoggedRequest = {
      courseId,
      // A listing page (the Link header of one names the next) or the course itself: one after another.
      list: url.searchParams.has("per_page") || /^\/api\/v1\/courses\/\d+$/.test(url.pathname),
      startedAt,
      latencyMs: Date.now() - startedAt,
      holdMs: 0,
      cost: Number.parseFloat(response.headers.get("x-request-cost") ?? "0") || 0,
    };
    log.push(logged);
    const location = response.headers.get("location");
    if (file !== undefined && location !== null) redirects.set(new URL(location, url).href, logged);
    return response;
  });
  return log;
}

/** The continuation the consumer sent for `jobId`, taken off the captured sync queue (undefined when none). */
function takeContinuation(queues: TestQueues, jobId: string): unknown {
  const index = queues.sync.sent.findIndex((entry) => {
    const message = SyncMessageSchema.safeParse(entry.body);
    return message.success && message.data.jobId === jobId;
  });
  return index < 0 ? undefined : queues.sync.sent.splice(index, 1)[0]?.body;
}

/** Each course's requests in order, cut into runs of listing pages (one at a time) and the rest (six at once). */
function segmentsOf(log: readonly LoggedRequest[], courseIds: readonly number[]): Segment[][] {
  return courseIds.map((courseId) => {
    const segments: Segment[] = [];
    let current: (Segment & { list: boolean }) | null = null;
    for (const request of log
      .filter((entry) => entry.courseId === courseId)
      .sort((a, b) => a.startedAt - b.startedAt)) {
      if (current === null || current.list !== request.list) {
        current = {
          list: request.list,
          parallel: request.list ? 1 : CONNECTIONS,
          requests: 0,
          cost: 0,
          latencyMs: 0,
          holdMs: 0,
        };
        segments.push(current);
      }
      current.requests++;
      current.cost += request.cost;
      current.latencyMs += Math.max(1, request.latencyMs);
      current.holdMs = (current.holdMs ?? 0) + request.holdMs;
    }
    return segments;
  });
}

export async function runRateBudgetBenchmark(
  options: RateBudgetBenchmarkOptions,
): Promise<RateBudgetBenchmarkResult> {
  await resetStorage();
  const token = `rate-budget-token-${options.courses}-${options.items}`;
  const courseIds = Array.from({ length: options.courses }, (_, index) => 9_001 + index);
  const simulator = startSimulator({
    seed: options.seed ?? 17,
    tokens: [token],
    institution: { courses: courseIds.map((id) => ({ id, items: options.items })) },
    throttle: { headerFraction: options.headerFraction ?? 1, enabled: options.throttle ?? true },
  });
  await registerCourses(courseIds);
  if (options.startRemaining !== undefined) {
    await spendBucket(
      (url, init) => simulator.fetch(url, init),
      courseIds[0] ?? 0,
      token,
      options.startRemaining,
    );
  }
  const log = await logCanvasRequests(simulator, courseIds);
  for (const rule of ANSWER_LATENCY) simulator.control.addFault(rule);
  const startLevel = simulator.control.throttleLevel(token);
  simulator.control.resetCounters();

  const queues = testQueues();
  const messages = await newJobs(queues, courseIds, "full");
  const gate = env.CANVAS_GATE.getByName(
    budgetGateName(new URL(CANVAS_ORIGIN).host, await tokenFingerprint(token)),
  );
  const sampler = sampleWaiting(gate);
  const other =
    options.otherClient === undefined
      ? null
      : otherIntegration(simulator, courseIds[0] ?? 0, token, options.otherClient);
  const started = Date.now();
  // One sync per consumer invocation (max_batch_size = 1): the courses' deliveries run as concurrent invocations.
  const workerEnv = syncEnv(queues, { CANVAS_TOKEN: token });
  const random = seededRandom(options.seed ?? 17);
  // A course larger than one delivery's budget continues in further deliveries (bounded deliveries): each course
  // plays its own job's continuations until the job is done, as the queue would.
  await Promise.all(
    messages.map(async (message) => {
      for (let body: unknown = message; body !== undefined; body = takeContinuation(queues, message.jobId))
        await deliver(workerEnv, [{ id: message.jobId, body, attempts: 1 }], { random });
    }),
  );
  const makespanMs = Math.max(1, Date.now() - started);
  const contendedSeconds = await sampler.stop();
  const otherClient = await other?.stop();
  const jobs: string[] = [];
  for (const message of messages) jobs.push((await jobRow(message.jobId))?.status ?? "missing");

  // The simulator counts every request on the token: ours are what the other integration did not send.
  const total = simulator.control.counters().total;
  const counters = {
    requests: total.requests - (otherClient?.requests ?? 0),
    throttled: total.throttled - (otherClient?.throttled ?? 0),
  };
  const load = simulator.control.load();
  const { hwm, outflow, upFront } = DEFAULT_THROTTLE;
  const idealMs = idealMakespanMs(segmentsOf(log, courseIds), { hwm, outflow, upFront, startLevel });
  const meanCost = load.cost / Math.max(1, counters.requests);
  return {
    rateUse: round(idealMs / makespanMs),
    contendedSeconds: round(contendedSeconds),
    courses: options.courses,
    itemsPerCourse: options.items,
    jobs,
    requests: counters.requests,
    throttled: counters.throttled,
    totalCost: round(load.cost),
    meanCost: round(meanCost),
    makespanMs,
    idealMs: Math.round(idealMs),
    requestsPerSecond: round(counters.requests / (makespanMs / 1000)),
    sustainableRequestsPerSecond: round(counters.requests / (Math.max(1, idealMs) / 1000)),
    leakRequestsPerSecond: round(outflow / meanCost),
    maxInFlight: load.maxInFlight,
    endLevel: round(simulator.control.throttleLevel(token)),
    ...(otherClient === undefined ? {} : { otherClient }),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
