/**
 * `npm run bench` (bounded deliveries part): the first sync of a 10,000-object course through the real queue
 * consumer with the production budget (SYNC_DELIVERY_MAX_* defaults) and the platform limits emulated, one
 * delivery per invocation as Queues would run them. Prints how many deliveries the job took and the largest
 * per-delivery counts next to Cloudflare's per-invocation limits; the Node side (test/local/cli/bench.ts) measures the
 * worker process's peak memory between the BENCH_MARK lines, for the whole sync and for each delivery. The simulator
 * and local D1/R2 live in that process too, so the figures are upper bounds of the worker's own use.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { PRODUCTION_LIMITS } from "../../../src/queue/invocation-meter";
import { resetStorage, startSimulator } from "../../support/harness";
import { playJobs } from "../../support/queue-player";
import { fastBudget, jobRow, newJobs, registerCourses, testQueues } from "../../support/sync-harness";

const OBJECTS = 10_000;
const COURSE = 9_001;

interface DeliveryRow {
  canvas_requests: number;
  d1_statements: number;
  subrequests: number;
  started_at: number;
  ended_at: number;
  outcome: string;
}

it("a 10,000-object first sync in bounded deliveries", { timeout: 3_600_000 }, async () => {
  await resetStorage();
  const simulator = startSimulator({ seed: 5, institution: { courses: [{ id: COURSE, items: OBJECTS }] } });
  await fastBudget(simulator);
  await registerCourses([COURSE]);
  const queues = testQueues();
  const [message] = await newJobs(queues, [COURSE], "full");
  if (!message) throw new Error("no job");
  console.log("BENCH_MARK deliveries-start");
  const started = Date.now();
  const played = await playJobs(queues, [message], {
    maxDeliveries: 1_000,
    // each delivery is its own memory window too: a production isolate lives for one delivery at a time
    onDelivery: (edge, delivery) => console.log(`BENCH_MARK delivery-${edge} ${delivery}`),
  });
  const wallMs = Date.now() - started;
  console.log("BENCH_MARK deliveries-end");
  const { results } = await env.DB.prepare(
    `SELECT canvas_requests, d1_statements, subrequests, started_at, ended_at, outcome FROM job_deliveries
     WHERE job_id = ?1 ORDER BY id`,
  )
    .bind(message.jobId)
    .all<DeliveryRow>();
  const most = (pick: (row: DeliveryRow) => number) => Math.max(...results.map(pick));
  const line = {
    benchmark: "deliveries",
    objects: OBJECTS,
    status: (await jobRow(message.jobId))?.status,
    deliveries: results.length,
    continuations: played.continuations,
    canvasRequests: results.reduce((sum, row) => sum + row.canvas_requests, 0),
    maxCanvasRequests: most((row) => row.canvas_requests),
    maxD1Statements: most((row) => row.d1_statements),
    maxSubrequests: most((row) => row.subrequests),
    maxDeliveryMs: most((row) => row.ended_at - row.started_at),
    limits: {
      subrequests: PRODUCTION_LIMITS.subrequests,
      d1Queries: PRODUCTION_LIMITS.d1Queries,
      wallMs: 900_000,
    },
    wallMs,
  };
  console.log(`BENCH_JSON ${JSON.stringify(line)}`);
  expect(line.status).toBe("succeeded");
  expect(line.maxSubrequests).toBeLessThanOrEqual(PRODUCTION_LIMITS.subrequests);
  expect(line.maxD1Statements).toBeLessThanOrEqual(PRODUCTION_LIMITS.d1Queries);
});
