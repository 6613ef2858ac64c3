/**
 * Live Events benchmark (issue #5), callable from inside workerd (a test or a `*.bench.ts` file): mutates a
 * simulated course one object at a time, lets the simulator deliver each change as a signed Live Event to
 * /webhooks/canvas, and follows it through the real local queue and consumer into the mirror. Reports
 * event-to-mirror latency (event emitted -> the object's row changed in D1) and the Canvas requests each event
 * cost, checked against the one endpoint of the changed object. Wipes storage first; leaves the isolate's fetch
 * as it found it.
 */
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { generateSigningKey } from "../simulator/live-event-signing";
import type { CanvasSimulator } from "../simulator";
import { startLiveEventDelivery } from "../simulator/live-event-delivery";
import type { LiveEventDelivery } from "../simulator/live-event-delivery";
import { api, resetStorage, startSimulator, syncNow, waitForJob } from "../../support/harness";
import {
  acceptedJobId,
  routeOutboundFetch,
  waitForCourseIdle,
  webhookFetch,
} from "../../support/webhook-harness";

export interface LiveEventsBenchmarkOptions {
  /** Objects in the simulated course (default 300). */
  courseItems?: number;
  /** Events to measure, cycling through the object types (default 24). */
  events?: number;
}

export interface LatencySummary {
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface LiveEventMeasurement {
  type: string;
  eventName: string;
  /** Event emitted by the simulator -> the object's row changed in the mirror. */
  eventToMirrorMs: number;
  /** Event emitted -> the webhook's 202 (includes RS256 signing by the simulator). */
  webhookAnswerMs: number;
  /** Job created by the webhook -> picked up by the consumer (queue delivery, plus any retry back-off). */
  queueWaitMs: number;
  /** Runs of the job (1 unless a run failed; waiting behind another job's course lease shows in queueWaitMs). */
  attempts: number;
  canvasRequests: number;
  /** Requests to anything but the changed object's endpoint. */
  offTargetRequests: number;
}

export interface LiveEventsBenchmarkResult {
  events: number;
  eventToMirror: LatencySummary;
  webhookAnswer: LatencySummary;
  canvasRequestsPerEvent: number;
  /** Requests beyond the changed object's own endpoint, over all events (target: 0). */
  offTargetRequests: number;
  requestsByEndpoint: Record<string, number>;
  perEvent: LiveEventMeasurement[];
}

const COURSE = 880_001;
const JWKS_URL = "https://keys.test/local/bench/jwks";

type Scenario = {
  type: string;
  itemType: string;
  endpoint: string;
  /** Mutates the n-th object of this type; returns its canvas id. */
  mutate: (simulator: CanvasSimulator, n: number) => Promise<number>;
};

const SCENARIOS: Scenario[] = [
  {
    type: "page edit",
    itemType: "page",
    endpoint: "GET /api/v1/courses/:id/pages/:id",
    mutate: async (simulator, n) => {
      const pages = (await simulator.control.truth(COURSE, { hashes: false })).pages;
      const page = pick(pages, n);
      simulator.control.editPage(COURSE, page.page_id, { body: `${page.body}<p>event ${n}</p>` });
      return page.page_id;
    },
  },
  {
    type: "assignment edit",
    itemType: "assignment",
    endpoint: "GET /api/v1/courses/:id/assignments/:id",
    mutate: async (simulator, n) => {
      const assignment = pick((await simulator.control.truth(COURSE, { hashes: false })).assignments, n);
      simulator.control.editAssignment(COURSE, assignment.id, { description: `<p>event ${n}</p>` });
      return assignment.id;
    },
  },
  {
    type: "discussion edit",
    itemType: "discussion_topic",
    endpoint: "GET /api/v1/courses/:id/discussion_topics/:id",
    mutate: async (simulator, n) => {
      const topic = pick((await simulator.control.truth(COURSE, { hashes: false })).discussions, n);
      simulator.control.editDiscussion(COURSE, topic.id, { message: `<p>event ${n}</p>` });
      return topic.id;
    },
  },
  {
    type: "quiz edit",
    itemType: "quiz",
    endpoint: "GET /api/v1/courses/:id/quizzes/:id",
    mutate: async (simulator, n) => {
      const quiz = pick((await simulator.control.truth(COURSE, { hashes: false })).quizzes, n);
      simulator.control.editQuiz(COURSE, quiz.id, { description: `<p>event ${n}</p>` });
      return quiz.id;
    },
  },
  {
    type: "file rename",
    itemType: "file",
    endpoint: "GET /api/v1/courses/:id/files/:id",
    mutate: async (simulator, n) => {
      const file = pick((await simulator.control.truth(COURSE, { hashes: false })).files, n);
      simulator.control.renameFile(COURSE, file.id, `event-${n}-${file.display_name}`);
      return file.id;
    },
  },
  {
    type: "module edit",
    itemType: "module",
    endpoint: "GET /api/v1/courses/:id/modules",
    mutate: async (simulator, n) => {
      const module = pick((await simulator.control.truth(COURSE, { hashes: false })).modules, n);
      simulator.control.editModule(COURSE, module.id, { name: `Module (event ${n})` });
      return module.id;
    },
  },
];

/** Runs the benchmark; see the file header. Events run one after another, each waited for to the mirror. */
export async function runLiveEventsBenchmark(
  options: LiveEventsBenchmarkOptions = {},
): Promise<LiveEventsBenchmarkResult> {
  const total = options.events ?? 24;
  await resetStorage();
  const simulator = startSimulator({
    seed: 11,
    institution: { courses: [{ id: COURSE, items: options.courseItems ?? 300 }] },
  });
  let delivery: LiveEventDelivery | null = null;
  routeOutboundFetch(simulator, (url) => (url === JWKS_URL ? (delivery?.jwksResponse() ?? null) : null));
  try {
    delivery = startLiveEventDelivery({
      subscribe: (listener) => simulator.control.onEvent(listener),
      webhookUrl: "https://sync.test/webhooks/canvas",
      fetch: webhookFetch({ jwksUrl: JWKS_URL, allowUnsigned: false }),
      signingKey: await generateSigningKey("bench-live-events"),
    });
    const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
    if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
    const initial = await syncNow(COURSE, "full");
    if (initial.status !== "succeeded")
      throw new Error(`initial sync ${initial.status}: ${initial.error ?? ""}`);
    await waitForCourseIdle(COURSE);

    const perEvent: LiveEventMeasurement[] = [];
    const byEndpoint: Record<string, number> = {};
    for (let n = 0; n < total; n++) {
      const scenario = SCENARIOS[n % SCENARIOS.length];
      if (scenario === undefined) throw new Error("no scenario");
      perEvent.push(
        await measureOne(simulator, delivery, scenario, Math.floor(n / SCENARIOS.length), byEndpoint),
      );
    }
    delivery.stop();
    const requests = perEvent.reduce((sum, event) => sum + event.canvasRequests, 0);
    return {
      events: perEvent.length,
      eventToMirror: summarize(perEvent.map((event) => event.eventToMirrorMs)),
      webhookAnswer: summarize(perEvent.map((event) => event.webhookAnswerMs)),
      canvasRequestsPerEvent: perEvent.length === 0 ? 0 : requests / perEvent.length,
      offTargetRequests: perEvent.reduce((sum, event) => sum + event.offTargetRequests, 0),
      requestsByEndpoint: byEndpoint,
      perEvent,
    };
  } finally {
    delivery?.stop();
    vi.mocked(globalThis.fetch).mockRestore();
  }
}

async function measureOne(
  simulator: CanvasSimulator,
  delivery: LiveEventDelivery,
  scenario: Scenario,
  n: number,
  byEndpoint: Record<string, number>,
): Promise<LiveEventMeasurement> {
  const seen = delivery.records().length;
  simulator.control.resetCounters();
  const canvasId = await scenario.mutate(simulator, n);
  const [record, ...extra] = (await delivery.settled()).slice(seen);
  if (record === undefined || extra.length > 0) {
    throw new Error(`${scenario.type} emitted ${extra.length + (record ? 1 : 0)} events, expected 1`);
  }
  const jobId = acceptedJobId(record.response);
  if (record.status !== 202 || jobId === null) {
    throw new Error(`${scenario.type}: webhook answered ${record.status} ${JSON.stringify(record.response)}`);
  }
  const job = await waitForJob(jobId);
  if (job.status !== "succeeded") throw new Error(`${scenario.type}: job ${job.status}: ${job.error ?? ""}`);
  // Events are measured one at a time: the next one must not land in the gap before this job frees the lease.
  await waitForCourseIdle(COURSE);
  const timing = await env.DB.prepare("SELECT created_at, started_at, attempts FROM sync_jobs WHERE id = ?1")
    .bind(jobId)
    .first<{ created_at: number; started_at: number | null; attempts: number }>();
  const row = await env.DB.prepare(
    "SELECT changed_at FROM items WHERE course_id = ?1 AND type = ?2 AND canvas_id = ?3",
  )
    .bind(COURSE, scenario.itemType, String(canvasId))
    .first<{ changed_at: number }>();
  if (row === null || row.changed_at < record.emittedAt) {
    throw new Error(`${scenario.type}: the mirror did not change for ${scenario.itemType} ${canvasId}`);
  }
  let canvasRequests = 0;
  let onTarget = 0;
  for (const [endpoint, counters] of Object.entries(simulator.control.counters().byEndpoint)) {
    canvasRequests += counters.requests;
    if (endpoint === scenario.endpoint) onTarget += counters.requests;
    byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + counters.requests;
  }
  return {
    type: scenario.type,
    eventName: record.eventName,
    eventToMirrorMs: row.changed_at - record.emittedAt,
    webhookAnswerMs: (record.answeredAt ?? record.emittedAt) - record.emittedAt,
    queueWaitMs: timing?.started_at == null ? 0 : timing.started_at - timing.created_at,
    attempts: timing?.attempts ?? 0,
    canvasRequests,
    offTargetRequests: canvasRequests - Math.min(onTarget, 1),
  };
}

function pick<T>(list: readonly T[], n: number): T {
  const item = list[n % Math.max(1, list.length)];
  if (item === undefined) throw new Error("the simulated course lacks an object type the benchmark edits");
  return item;
}

function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? 0;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { medianMs: at(0.5), p95Ms: at(0.95), maxMs: sorted.at(-1) ?? 0, meanMs: Math.round(mean) };
}
