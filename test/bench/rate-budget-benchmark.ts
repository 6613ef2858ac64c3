/**
 * The rate-budget benchmark: courses of N objects (10,000 by default) synced for the first time on one token against
 * the Canvas simulator's default bucket (hwm 600, outflow 10 units/s, 50 up-front per request), with the request
 * schedule of runSyncJob (each collection listed, then page bodies and file download hops five at a time in
 * batches of 50), through the real CanvasClient, retry policy and the rate-budget decisions the CanvasGate makes
 * (here kept in memory, so the same pure functions run on the virtual clock). Canvas round trips take 100-500 ms of
 * virtual time. Minutes of paced syncing run in seconds.
 *
 * Efficiency compares the measured makespan with an ideal that no unthrottled client can beat (idealMakespanMs: a
 * perfectly informed fluid client under Canvas's admission rule, which charges 50 units for every request in
 * flight). The target is >= 0.9. The simulator itself answers in no time, so in-flight charges never pile up at
 * its end and the unpaced control is throttled only by accumulated cost: a real Canvas would throttle it sooner.
 */
import type { z } from "zod";
import { CanvasClient, newRequestStats, type RequestGate } from "../../src/canvas/client";
import {
  AssignmentSchema,
  CourseSchema,
  DiscussionTopicSchema,
  FileSchema,
  FolderSchema,
  ModuleItemSchema,
  ModuleSchema,
  PageSchema,
  PageSummarySchema,
  QuizSchema,
} from "../../src/canvas/schemas";
import { transportRetryPolicy } from "../../src/deps";
import { seededRandom } from "../../src/resilience/backoff";
import { complete, createRateBudget, reserve, type RateBudgetState } from "../../src/resilience/rate-budget";
import { canvasRetryPolicy } from "../../src/resilience/retry-policy";
import { createCanvasSimulator } from "../../src/simulator";
import { DEFAULT_SYNC_CONFIG } from "../../src/sync/context";
import { idealMakespanMs, type Segment } from "./ideal-makespan";
import { VirtualClock } from "./virtual-clock";

const API = "https://canvas.bench";
const STORAGE = "https://files.bench";
const TOKEN = "rate-budget-bench-token";
const HWM = 600;
const OUTFLOW = 10;
const UP_FRONT = 50;

export interface RateBudgetBenchmarkOptions {
  /** objects per course (default 10,000) */
  items?: number;
  /** courses syncing at once on the one token (default 1) */
  courses?: number;
  /** requests in flight per course (default: the sync's own, 5) */
  concurrency?: number;
  /** Canvas's processing time per request, uniform in [min, max] (default 100-500 ms), held in flight */
  processingMinMs?: number;
  processingMaxMs?: number;
  /** one-way network time (default 20 ms) */
  networkMs?: number;
  seed?: number;
  /** false sends without asking the budget: the control, which Canvas throttles */
  pacing?: boolean;
}

export interface RateBudgetBenchmarkResult {
  courses: number;
  itemsPerCourse: number;
  requests: number;
  /** throttled answers counted by the simulator */
  throttled: number;
  /** X-Request-Cost summed */
  totalCost: number;
  makespanMs: number;
  idealMs: number;
  /** idealMs / makespanMs */
  efficiency: number;
  unitsPerSecond: number;
  minRemaining: number;
  maxLeasesInFlight: number;
  wallMs: number;
}

export async function runRateBudgetBenchmark(
  options: RateBudgetBenchmarkOptions = {},
): Promise<RateBudgetBenchmarkResult> {
  const items = options.items ?? 10_000;
  const courseCount = options.courses ?? 1;
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONFIG.concurrency;
  const random = seededRandom(options.seed ?? 17);
  const processingMin = options.processingMinMs ?? 100;
  const processingMax = options.processingMaxMs ?? 500;
  const networkMs = options.networkMs ?? 20;
  const processing = (): number => processingMin + random() * (processingMax - processingMin);
  const wallStart = Date.now();
  const clock = new VirtualClock(Date.now());
  const virtualStart = clock.now();
  const courseIds = Array.from({ length: courseCount }, (_, index) => 9_001 + index);
  const simulator = createCanvasSimulator({
    apiOrigin: API,
    storageOrigin: STORAGE,
    tokens: [TOKEN],
    seed: options.seed ?? 17,
    institution: { courses: courseIds.map((id) => ({ id, items })) },
    now: clock.now,
  });
  let budget: RateBudgetState = createRateBudget(clock.now());
  let maxLeases = 0;
  let minRemaining = HWM;
  let totalCost = 0;
  const gate: RequestGate = {
    async acquire() {
      for (;;) {
        const result = reserve(budget, clock.now());
        budget = result.state;
        if (result.kind === "granted") {
          maxLeases = Math.max(maxLeases, budget.inFlight.length);
          return result.leaseId;
        }
        await clock.sleep(result.waitMs);
      }
    },
    release(leaseId, observation) {
      budget = complete(budget, observation, clock.now(), leaseId);
      return Promise.resolve();
    },
  };
  const pace = options.pacing === false ? null : gate;
  const canvas = new CanvasFront(simulator, clock);
  const segments = new Map<number, Segment[]>();

  await clock.run(() =>
    clock.parallel(courseIds.length, async (index) => {
      const courseId = courseIds[index] ?? 0;
      const own: Segment[] = [];
      segments.set(courseId, own);
      let segment: Segment = { parallel: 1, requests: 0, cost: 0, latencyMs: 0 };
      const fetcher: typeof fetch = async (input, init) => {
        const work = processing();
        segment.latencyMs += work + 2 * networkMs;
        segment.requests++;
        await clock.sleep(networkMs);
        const answer = await canvas.handle(input instanceof Request ? input : String(input), init, work);
        await clock.sleep(networkMs);
        segment.cost += answer.cost;
        totalCost += answer.cost;
        if (answer.remaining !== null) minRemaining = Math.min(minRemaining, answer.remaining);
        return answer.response;
      };
      const client = new CanvasClient({
        baseUrl: API,
        token: TOKEN,
        fetch: fetcher,
        timeoutMs: 30_000,
        gate: pace,
        retryPolicy: transportRetryPolicy(canvasRetryPolicy(30_000, random)),
        sleep: clock.sleep,
        stats: newRequestStats(),
      });
      const begin = (parallel: number): void => {
        segment = { parallel, requests: 0, cost: 0, latencyMs: 0 };
        own.push(segment);
      };
      const path = (suffix: string): string => `/api/v1/courses/${courseId}${suffix}`;
      const listAll = async <S extends z.ZodType>(suffix: string, schema: S): Promise<z.infer<S>[]> => {
        begin(1);
        return (await client.list(path(suffix), schema)).items;
      };
      const each = async <T>(entries: readonly T[], task: (entry: T) => Promise<void>): Promise<void> => {
        begin(concurrency);
        for (let start = 0; start < entries.length; start += DEFAULT_SYNC_CONFIG.batchSize) {
          const batch = entries.slice(start, start + DEFAULT_SYNC_CONFIG.batchSize);
          let next = 0;
          await clock.parallel(Math.min(concurrency, batch.length), async () => {
            while (next < batch.length) {
              const entry = batch[next++];
              if (entry !== undefined) await task(entry);
            }
          });
        }
      };

      begin(1);
      await client.get(path("?include[]=syllabus_body"), CourseSchema);
      await listAll("/folders", FolderSchema);
      const files = await listAll("/files?sort=updated_at&order=desc", FileSchema);
      await each(files, async (file) => {
        if (!file.url) return;
        await downloadHop(pace, fetcher, file.url);
      });
      const pages = await listAll("/pages", PageSummarySchema);
      await each(pages, async (page) => {
        await client.get(path(`/pages/page_id:${page.page_id}`), PageSchema);
      });
      await listAll("/assignments", AssignmentSchema);
      await listAll("/discussion_topics", DiscussionTopicSchema);
      await listAll("/discussion_topics?only_announcements=true", DiscussionTopicSchema);
      await listAll("/quizzes", QuizSchema);
      const modules = await listAll("/modules?include[]=items&include[]=content_details", ModuleSchema);
      for (const module of modules) {
        if (!module.items)
          await client.list(path(`/modules/${module.id}/items?include[]=content_details`), ModuleItemSchema);
      }
    }),
  );

  const elapsed = Math.max(1, clock.now() - virtualStart);
  const counters = simulator.control.counters().total;
  const throttled = counters.throttled + canvas.refused;
  const idealMs = idealMakespanMs([...segments.values()], { hwm: HWM, outflow: OUTFLOW, upFront: UP_FRONT });
  return {
    courses: courseCount,
    itemsPerCourse: items,
    requests: counters.requests,
    throttled,
    totalCost: round(totalCost),
    makespanMs: Math.round(elapsed),
    idealMs: Math.round(idealMs),
    efficiency: round(idealMs / elapsed),
    unitsPerSecond: round(totalCost / (elapsed / 1000)),
    minRemaining: round(minRemaining),
    maxLeasesInFlight: maxLeases,
    wallMs: Date.now() - wallStart,
  };
}

/**
 * Canvas's front end around the simulator. The simulator answers at once, so on its own it would never see requests
 * pile up in flight; here each request stays in flight for its processing time, holding its 50 units up front as
 * Canvas does: a request that arrives while bucket + in-flight charges are at hwm is refused (counted in
 * `refused`), and X-Rate-Limit-Remaining counts the charges of the others still in flight.
 */
class CanvasFront {
  refused = 0;
  private inFlight = 0;
  /** the simulator's bucket level as of its latest answer, and when */
  private level = 0;
  private levelAt = 0;

  constructor(
    private readonly simulator: ReturnType<typeof createCanvasSimulator>,
    private readonly clock: VirtualClock,
  ) {}

  async handle(
    input: string | Request,
    init: RequestInit | undefined,
    processingMs: number,
  ): Promise<{ response: Response; cost: number; remaining: number | null }> {
    const answer = await this.simulator.fetch(input, init);
    const cost = numberOr(answer.headers.get("x-request-cost"), 0);
    const simRemaining = numberOr(answer.headers.get("x-rate-limit-remaining"), Number.NaN);
    if (Number.isNaN(simRemaining)) return { response: answer, cost, remaining: null };
    this.level = HWM - simRemaining;
    this.levelAt = this.clock.now();
    // The bucket as this request found it: what the simulator reports, before this request's own cost.
    const levelBefore = this.level - cost;
    if (answer.status !== 403 && answer.status !== 429 && levelBefore + this.inFlight * UP_FRONT >= HWM) {
      this.refused++;
      await answer.body?.cancel();
      const headers = { "content-type": "text/plain", "x-rate-limit-remaining": "0.0" };
      return {
        response: new Response("403 Forbidden (Rate Limit Exceeded)\n", { status: 403, headers }),
        cost,
        remaining: 0,
      };
    }
    this.inFlight++;
    await this.clock.sleep(processingMs);
    this.inFlight--;
    // Reported at completion, like Canvas: the bucket leaked since, plus the others' charges still in flight.
    const leaked = Math.max(0, this.level - (OUTFLOW * (this.clock.now() - this.levelAt)) / 1000);
    const remaining = HWM - leaked - this.inFlight * UP_FRONT;
    const headers = new Headers(answer.headers);
    headers.set("x-rate-limit-remaining", String(remaining));
    const body = answer.status === 204 || answer.status === 304 ? null : await answer.arrayBuffer();
    return { response: new Response(body, { status: answer.status, headers }), cost, remaining };
  }
}

function numberOr(value: string | null, fallback: number): number {
  const parsed = Number.parseFloat(value ?? "");
  return Number.isFinite(parsed) ? parsed : fallback;
}

/** The download URL's hop on the Canvas origin (a redirect to storage): it costs quota like any call. */
async function downloadHop(gate: RequestGate | null, fetcher: typeof fetch, url: string): Promise<void> {
  const leaseId = gate ? await gate.acquire() : 0;
  let observation = { cost: null as number | null, remaining: null as number | null, throttled: false };
  try {
    const response = await fetcher(url, {
      redirect: "manual",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await response.body?.cancel();
    const remaining = Number.parseFloat(response.headers.get("x-rate-limit-remaining") ?? "");
    const cost = Number.parseFloat(response.headers.get("x-request-cost") ?? "");
    observation = {
      cost: Number.isFinite(cost) ? cost : null,
      remaining: Number.isFinite(remaining) ? remaining : null,
      throttled: response.status === 403 || response.status === 429,
    };
  } finally {
    if (gate) await gate.release(leaseId, observation);
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
