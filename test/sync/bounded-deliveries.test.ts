/**
 * Bounded deliveries (issue 13): a sync delivery stops at its budget, commits and continues in a new message of the
 * same job, and the job ends exactly where an uninterrupted run ends. The consumer runs with
 * EMULATE_PLATFORM_LIMITS (test/vitest.config.ts), so any delivery that would pass Cloudflare's per-invocation
 * limits fails here as it would in production; every delivery's recorded counts are checked against them too.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { PRODUCTION_LIMITS } from "../../src/queue/invocation-meter";
import { apiJson, resetStorage, startSimulator } from "../support/harness";
import { checkMirror } from "../support/mirror-check";
import { playJobs } from "../support/queue-player";
import { fastBudget, newJobs, registerCourses, testQueues } from "../support/sync-harness";

const COURSE = 801;
const BASE = Date.parse("2026-12-01T10:00:00Z");

interface Delivery {
  canvasRequests: number;
  d1Statements: number;
  subrequests: number;
  outcome: string;
  stoppedBy: string | null;
  startedAt: string;
  endedAt: string;
}

interface JobDetail {
  status: string;
  attempts: number;
  counts: Record<string, unknown>;
  deliveries: Delivery[];
}

async function firstSync(items: number, vars: Record<string, string> = {}) {
  // The same content on every run (seeded at one frozen instant), on a clock that then runs in real time, so
  // Canvas's bucket leaks as it should.
  let started: number | null = null;
  const simulator = startSimulator({
    seed: 81,
    now: () => (started === null ? BASE : BASE + (Date.now() - started)),
    institution: { courses: [{ id: COURSE, items }] },
  });
  started = Date.now();
  await fastBudget(simulator);
  await registerCourses([COURSE]);
  const queues = testQueues();
  const [message] = await newJobs(queues, [COURSE], "full");
  if (!message) throw new Error("no job");
  const played = await playJobs(queues, [message], { vars, maxDeliveries: 2_000 });
  const job = await apiJson<JobDetail>(`/api/jobs/${message.jobId}`);
  return { simulator, played, job };
}

const rows = async (sql: string) => (await env.DB.prepare(sql).all()).results;

/** Everything that defines the mirror, without the times that differ between runs. */
async function snapshot() {
  return {
    items: await rows(
      `SELECT id, type, parent_id, title, content_hash, canvas_updated_at, data, data_key, blob_sha256, text_hash,
         text_status, version, deleted_at IS NULL AS live, replaces_id, replaced_by_id, last_change_kind
       FROM items ORDER BY id`,
    ),
    changes: await rows("SELECT item_id, kind, fields FROM item_changes ORDER BY item_id, kind, fields"),
    blobs: await rows("SELECT sha256, size, content_type FROM blobs ORDER BY sha256"),
    cursors: await rows(
      "SELECT collection, watermark, reconciled_at IS NOT NULL AS reconciled FROM collection_cursors ORDER BY collection",
    ),
    objects: (await env.BLOBS.list()).objects.map((object) => object.key).sort(),
  };
}

function withinProductionLimits(deliveries: readonly Delivery[]) {
  return deliveries.filter(
    (delivery) =>
      delivery.subrequests > PRODUCTION_LIMITS.subrequests ||
      delivery.d1Statements > PRODUCTION_LIMITS.d1Queries ||
      Date.parse(delivery.endedAt) - Date.parse(delivery.startedAt) > 15 * 60_000,
  );
}

describe("bounded deliveries", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("a 400-object course with a budget of ten Canvas requests per delivery ends exactly like one delivery", async () => {
    const whole = await firstSync(400);
    expect(whole.job.status).toBe("succeeded");
    expect(whole.job.deliveries.map((delivery) => delivery.outcome)).toEqual(["finished"]);
    const expected = await snapshot();

    await resetStorage();
    const bounded = await firstSync(400, { SYNC_DELIVERY_MAX_CANVAS_REQUESTS: "10" });
    expect(bounded.job.status).toBe("succeeded");
    const outcomes = bounded.job.deliveries.map((delivery) => delivery.outcome);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.at(-1)).toBe("finished");
    expect(new Set(outcomes.slice(0, -1))).toEqual(new Set(["continued"]));
    expect(new Set(bounded.job.deliveries.slice(0, -1).map((delivery) => delivery.stoppedBy))).toEqual(
      new Set(["canvas_requests"]),
    );
    // A continuation is not a retry: one attempt, no queue retries.
    expect(bounded.job.attempts).toBe(1);
    expect(bounded.played.retries).toBe(0);
    expect(bounded.played.continuations).toBe(outcomes.length - 1);
    // Each delivery keeps (near) its budget: a listing it needs is never cut, and one object of at most four
    // requests is always let through so the job moves.
    const overBudget = bounded.job.deliveries.filter((delivery) => delivery.canvasRequests > 10 + 8);
    expect(overBudget).toEqual([]);
    expect(await snapshot()).toEqual(expected);
    expect(bounded.job.counts).toEqual(whole.job.counts);
  });

  it(
    "a 10,000-object first sync completes over several deliveries, each within Cloudflare's limits, and mirrors exactly",
    { timeout: 1_800_000 },
    async () => {
      const { simulator, job } = await firstSync(10_000);
      console.log(
        `[bounded] 10,000 objects: ${job.deliveries.length} deliveries ${JSON.stringify(
          job.deliveries.map(({ canvasRequests, d1Statements, subrequests, outcome, stoppedBy }) => ({
            canvasRequests,
            d1Statements,
            subrequests,
            outcome,
            stoppedBy,
          })),
        )}`,
      );
      expect(job.status).toBe("succeeded");
      expect(job.deliveries.length).toBeGreaterThan(1);
      expect(withinProductionLimits(job.deliveries)).toEqual([]);
      const diff = await checkMirror(COURSE, await simulator.control.truth(COURSE), {
        expectFileDeletions: true,
        lookbackMs: 10 * 60_000,
      });
      expect(diff.samples).toEqual([]);
    },
  );
});
