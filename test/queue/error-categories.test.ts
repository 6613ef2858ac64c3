/**
 * Issue #8's error categories, end to end through the sync consumer against the Canvas simulator: what each kind of
 * failure does to the delivery (ack, retry with which delay, dead-letter), to the job row, to the course and to the
 * course's breaker. Deliveries are made by hand so each attempt number is chosen by the test.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import worker from "../../src/index";
import type { SyncMessage } from "../../src/queue/message";
import type { CanvasSimulator } from "../local/simulator";
import { CANVAS_TOKEN, resetStorage, startSimulator } from "../support/harness";
import {
  courseRow,
  deliver,
  FAST_RUNTIME,
  jobRow,
  newJobs,
  registerCourses,
  syncEnv,
  testQueues,
  type TestQueues,
} from "../support/sync-harness";

const COURSE = 301;
/** The worker's entry points, typed as the runtime calls them (with an execution context). */
const handler: ExportedHandler<Env> = worker;

function endpointCount(simulator: CanvasSimulator, endpoint: string): number {
  return simulator.control.counters().byEndpoint[endpoint]?.requests ?? 0;
}

const ReportErrorsSchema = z.object({
  errors: z.array(z.object({ category: z.string(), count: z.number() })),
});

const byBody = (a: (string | number | null)[], b: (string | number | null)[]): number =>
  String(a[1]).localeCompare(String(b[1]));

function reportOf(row: { report: string | null } | null): z.infer<typeof ReportErrorsSchema> {
  return ReportErrorsSchema.parse(JSON.parse(row?.report ?? "null"));
}

describe("error categories through the consumer", () => {
  let simulator: CanvasSimulator;
  let queues: TestQueues;
  let message: SyncMessage;

  beforeEach(async () => {
    // Storage lives for the whole file: without a reset, the failures of one test would open the host breaker
    // for the next.
    await resetStorage();
    simulator = startSimulator({ seed: 11, institution: { courses: [{ id: COURSE, items: 24 }] } });
    queues = testQueues();
    await registerCourses([COURSE]);
    const [created] = await newJobs(queues, [COURSE]);
    if (!created) throw new Error("no job");
    message = created;
  });

  it("a 5xx that outlasts the in-place retries retries the delivery with backoff; the redelivery resumes", async () => {
    simulator.control.addFault({
      match: { pathPrefix: `/api/v1/courses/${COURSE}/assignments` },
      action: { type: "status", status: 503 },
    });
    const batch = createMessageBatch("canvas-sync-jobs", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: message },
    ]);
    const [first] = batch.messages;
    if (!first) throw new Error("no message");
    const retry = vi.spyOn(first, "retry");
    const ctx = createExecutionContext();
    await handler.queue?.(batch, syncEnv(queues), ctx);
    const result = await getQueueResult(batch, ctx);

    expect(result.retryMessages.map((entry) => entry.msgId)).toEqual(["m1"]);
    expect(result.explicitAcks).toEqual([]);
    const delay = retry.mock.calls[0]?.[0]?.delaySeconds ?? 0;
    expect(delay).toBeGreaterThanOrEqual(1);
    expect(delay).toBeLessThanOrEqual(30);
    // One try and three in-place retries, then the queue takes over.
    expect(endpointCount(simulator, "GET /api/v1/courses/:id/assignments")).toBe(4);
    expect(await jobRow(message.jobId)).toMatchObject({ status: "queued", error_category: "transient" });
    // A retried delivery is not (yet) a failed sync of the course.
    expect(await courseRow(COURSE)).toMatchObject({ state: "queued", consecutive_failures: 0 });

    simulator.control.clearFaults();
    simulator.control.resetCounters();
    const [second] = await deliver(syncEnv(queues), [{ id: "m1", body: message, attempts: 2 }]);
    expect(second).toEqual({ id: "m1", action: "ack" });
    expect(await jobRow(message.jobId)).toMatchObject({ status: "succeeded" });
    // The collections committed before the failure were not listed again.
    expect(endpointCount(simulator, "GET /api/v1/courses/:id/pages")).toBe(0);
    expect(endpointCount(simulator, "GET /api/v1/courses/:id/assignments")).toBe(1);
  });

  it("rate limiting is retried after Retry-After and never counts as a failure of the course", async () => {
    simulator.control.addFault({
      match: { pathPrefix: `/api/v1/courses/${COURSE}/assignments` },
      action: {
        type: "status",
        status: 429,
        body: "429 Too Many Requests (Rate Limit Exceeded)",
        headers: { "retry-after": "120", "x-rate-limit-remaining": "0.0" },
      },
    });
    const waits: number[] = [];
    // Unpaced: after a throttled answer the gate rightly waits for Canvas's bucket to drain (10 s in real time).
    const runtime = {
      ...FAST_RUNTIME,
      pacing: false,
      sleep: (ms: number) => {
        waits.push(ms);
        return Promise.resolve();
      },
    };
    const [result] = await deliver(syncEnv(queues), [{ id: "m1", body: message, attempts: 1 }], runtime);

    expect(result?.action).toBe("retry");
    expect(result?.action === "retry" ? result.delaySeconds : 0).toBeGreaterThanOrEqual(120);
    expect(waits.length).toBeGreaterThan(0);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(120_000);
    expect(await jobRow(message.jobId)).toMatchObject({ status: "queued", error_category: "rate_limited" });
    const status = await env.COURSE_SYNC.getByName(String(COURSE)).status();
    expect(status.breaker).toEqual({ status: "closed", consecutiveFailures: 0 });
    expect(await courseRow(COURSE)).toMatchObject({ consecutive_failures: 0 });
  });

  it("a timeout is retried with the timeout raised x1.5", async () => {
    // 250 ms of latency on the first four pages listings: a fixed 200 ms timeout would time out all four tries.
    simulator.control.addFault({
      match: { pathRegex: `^/api/v1/courses/${COURSE}/pages$` },
      count: 4,
      action: { type: "latency", ms: 250 },
    });
    const [result] = await deliver(syncEnv(queues, { CANVAS_TIMEOUT_SECONDS: "0.2" }), [
      { id: "m1", body: message, attempts: 1 },
    ]);
    expect(result).toEqual({ id: "m1", action: "ack" });
    expect(await jobRow(message.jobId)).toMatchObject({ status: "succeeded" });
    // 200 ms timed out, 300 ms was enough: the latency rule fired twice and has two shots left.
    expect(simulator.control.listFaults().map((fault) => [fault.fired, fault.remaining])).toEqual([[2, 2]]);
  });

  /** Mirrors the course cleanly first; the next job (returned) meets what the test changed. */
  async function mirroredThenNextJob(): Promise<SyncMessage> {
    await deliver(syncEnv(queues), [{ id: "first", body: message, attempts: 1 }]);
    expect(await jobRow(message.jobId)).toMatchObject({ status: "succeeded" });
    const [next] = await newJobs(queues, [COURSE]);
    if (!next) throw new Error("no job");
    return next;
  }

  it("a 401 without WWW-Authenticate, a JSON 403 and a malformed object skip their item and keep what was stored; the job succeeds", async () => {
    const truth = await simulator.control.truth(COURSE);
    const [deniedPage, brokenPage] = truth.pages.filter((page) => !page.front_page);
    if (!deniedPage || !brokenPage) throw new Error("course too small");
    const next = await mirroredThenNextJob();
    // Edited pages are fetched one by one by the next (incremental) sync; the new file is downloaded.
    simulator.control.editPage(COURSE, deniedPage.page_id, { body: "<p>denied edit</p>" });
    simulator.control.editPage(COURSE, brokenPage.page_id, { body: "<p>broken edit</p>" });
    const forbiddenFile = simulator.control.createFile(COURSE, { name: "forbidden.txt", text: "secret\n" });
    simulator.control.denyAccess(CANVAS_TOKEN, {
      pathRegex: `/pages/page_id:${deniedPage.page_id}$`,
      kind: "unauthorized",
    });
    simulator.control.addFault({
      match: { pathPrefix: `/files/${forbiddenFile.id}/download` },
      action: {
        type: "status",
        status: 403,
        body: JSON.stringify({
          status: "unauthorized",
          errors: [{ message: "user not authorized to perform that action" }],
        }),
      },
    });
    // A well-formed JSON object that is not a page.
    simulator.control.addFault({
      match: { pathRegex: `/pages/page_id:${brokenPage.page_id}$` },
      action: { type: "status", status: 200, body: JSON.stringify({ nonsense: true }) },
    });
    const [result] = await deliver(syncEnv(queues), [{ id: "m2", body: next, attempts: 1 }]);

    expect(result).toEqual({ id: "m2", action: "ack" });
    const job = await jobRow(next.jobId);
    // Permanent, object-specific outcomes may be skipped (and are listed): the job still succeeds.
    expect(job?.status).toBe("succeeded");
    const errors = reportOf(job).errors;
    expect(errors.find((entry) => entry.category === "permission")?.count).toBe(2);
    expect(errors.find((entry) => entry.category === "content")?.count).toBe(1);
    const skipped = await env.DB.prepare(
      "SELECT item_id, category FROM sync_issues WHERE job_id = ?1 AND status = 'skipped' ORDER BY item_id",
    )
      .bind(next.jobId)
      .all<{ item_id: string; category: string }>();
    expect(skipped.results).toEqual(
      [
        { item_id: `${COURSE}:file:${forbiddenFile.id}`, category: "permission" },
        { item_id: `${COURSE}:page:${deniedPage.page_id}`, category: "permission" },
        { item_id: `${COURSE}:page:${brokenPage.page_id}`, category: "content" },
      ].sort((a, b) => a.item_id.localeCompare(b.item_id)),
    );
    // The skipped pages keep the version mirrored before; nothing was deleted for a refusal.
    const bodies = await env.DB.prepare(
      "SELECT canvas_id, deleted_at, json_extract(data, '$.body') AS body FROM items WHERE course_id = ?1 AND type = 'page' AND canvas_id IN (?2, ?3)",
    )
      .bind(COURSE, String(deniedPage.page_id), String(brokenPage.page_id))
      .all<{ canvas_id: string; deleted_at: number | null; body: string }>();
    expect(bodies.results.map((row) => [row.deleted_at, row.body]).sort(byBody)).toEqual(
      [
        [null, brokenPage.body],
        [null, deniedPage.body],
      ].sort(byBody),
    );
    const file = await env.DB.prepare("SELECT 1 AS one FROM items WHERE id = ?1")
      .bind(`${COURSE}:file:${forbiddenFile.id}`)
      .first();
    expect(file).toBeNull();
  });

  it("a page whose body answers 404 mid-sync is left behind (job partial), and deleted only once Canvas confirms", async () => {
    const truth = await simulator.control.truth(COURSE);
    const [page] = truth.pages.filter((candidate) => !candidate.front_page);
    if (!page) throw new Error("course too small");
    const next = await mirroredThenNextJob();
    simulator.control.editPage(COURSE, page.page_id, { body: "<p>edited</p>" });
    const notFound = simulator.control.addFault({
      match: { pathRegex: `/pages/page_id:${page.page_id}$` },
      action: { type: "status", status: 404, body: JSON.stringify({ message: "page not found" }) },
    });
    await deliver(syncEnv(queues), [{ id: "m2", body: next, attempts: 1 }]);
    const job = await jobRow(next.jobId);
    expect(job?.status).toBe("partial");
    expect(job?.error).toMatch(/1 object\(s\) left behind/);
    const item = () =>
      env.DB.prepare("SELECT deleted_at, json_extract(data, '$.body') AS body FROM items WHERE id = ?1")
        .bind(`${COURSE}:page:${page.page_id}`)
        .first<{ deleted_at: number | null; body: string }>();
    expect(await item()).toEqual({ deleted_at: null, body: page.body });

    // The 404 was transient: the next job retries the page first and mirrors the edit.
    simulator.control.removeFault(notFound);
    const [third] = await newJobs(queues, [COURSE]);
    if (!third) throw new Error("no job");
    await deliver(syncEnv(queues), [{ id: "m3", body: third, attempts: 1 }]);
    expect(await jobRow(third.jobId)).toMatchObject({ status: "succeeded" });
    expect(await item()).toEqual({ deleted_at: null, body: "<p>edited</p>" });

    // Deleted for real: gone from the listing and Canvas confirms with 404 (a 401 through page_id:, then 404 by slug).
    simulator.control.deletePage(COURSE, page.page_id);
    const [fourth] = await newJobs(queues, [COURSE]);
    if (!fourth) throw new Error("no job");
    await deliver(syncEnv(queues), [{ id: "m4", body: fourth, attempts: 1 }]);
    expect(await jobRow(fourth.jobId)).toMatchObject({ status: "succeeded" });
    expect((await item())?.deleted_at).not.toBeNull();
  });

  it("a garbled or cut-off body is retried like a dropped connection, not skipped", async () => {
    simulator.control.addFault({
      match: { pathRegex: `^/api/v1/courses/${COURSE}/pages$` },
      count: 1,
      action: { type: "truncateBody", keepFraction: 0.5 },
    });
    simulator.control.addFault({
      match: { pathRegex: `^/api/v1/courses/${COURSE}/assignments$` },
      count: 1,
      action: { type: "malformedBody" },
    });
    const [result] = await deliver(syncEnv(queues), [{ id: "m1", body: message, attempts: 1 }]);
    expect(result).toEqual({ id: "m1", action: "ack" });
    const job = await jobRow(message.jobId);
    expect(job?.status).toBe("succeeded");
    expect(reportOf(job).errors).toEqual([]);
    const truth = await simulator.control.truth(COURSE);
    const pages = await env.DB.prepare(
      "SELECT count(*) AS n FROM items WHERE course_id = ?1 AND type = 'page'",
    )
      .bind(COURSE)
      .first<{ n: number }>();
    expect(pages?.n).toBe(truth.pages.length);
  });

  it("an unknown error is retried with caution three times, then dead-lettered and recorded on job and course", async () => {
    simulator.control.addFault({
      match: { pathRegex: `^/api/v1/courses/${COURSE}$` },
      action: { type: "status", status: 418, body: JSON.stringify({ errors: [{ message: "teapot" }] }) },
    });
    const workerEnv = syncEnv(queues);
    const settled = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const [result] = await deliver(workerEnv, [{ id: "m1", body: message, attempts: attempt }]);
      settled.push(result);
    }
    expect(settled.slice(0, 3).map((result) => result?.action)).toEqual(["retry", "retry", "retry"]);
    // Caution: each unknown retry waits twice the normal backoff ceiling at most, and never less than a second.
    for (const result of settled.slice(0, 3)) {
      expect(result?.action === "retry" ? result.delaySeconds : 0).toBeGreaterThanOrEqual(1);
    }
    // The fourth delivery gives up: forwarded to the dead-letter queue with the reason, and acknowledged.
    expect(settled[3]).toEqual({ id: "m1", action: "ack" });
    const forwarded = queues.dlq.take();
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]).toMatchObject({ original: message });
    expect(JSON.stringify(forwarded[0])).toMatch(/unknown/);
    expect(await jobRow(message.jobId)).toMatchObject({ status: "queued", error_category: "unknown" });

    // The dead-letter consumer records it: a dead_letters row, the job failed, the course's failure counted.
    const dlqBatch = createMessageBatch("canvas-sync-dlq", [
      { id: "d1", timestamp: new Date(), attempts: 1, body: forwarded[0] },
    ]);
    const ctx = createExecutionContext();
    await handler.queue?.(dlqBatch, syncEnv(queues), ctx);
    expect((await getQueueResult(dlqBatch, ctx)).explicitAcks).toEqual(["d1"]);
    expect(await jobRow(message.jobId)).toMatchObject({ status: "failed", error_category: "unknown" });
    expect(await courseRow(COURSE)).toMatchObject({ state: "failing", consecutive_failures: 1 });
    const letters = await env.DB.prepare("SELECT job_id, course_id, reason FROM dead_letters").all<{
      job_id: string;
      course_id: number;
      reason: string;
    }>();
    expect(letters.results).toHaveLength(1);
    expect(letters.results[0]).toMatchObject({ job_id: message.jobId, course_id: COURSE });

    // Delivered twice (at-least-once), the dead letter is kept but the course is not counted again.
    const again = createMessageBatch("canvas-sync-dlq", [
      { id: "d2", timestamp: new Date(), attempts: 1, body: forwarded[0] },
    ]);
    await handler.queue?.(again, syncEnv(queues), createExecutionContext());
    expect(await courseRow(COURSE)).toMatchObject({ consecutive_failures: 1 });
  });

  it("a transient failure on the last allowed delivery is dead-lettered instead of retried", async () => {
    simulator.control.addFault({
      match: { pathRegex: `^/api/v1/courses/${COURSE}$` },
      action: { type: "status", status: 502 },
    });
    const [result] = await deliver(syncEnv(queues), [{ id: "m1", body: message, attempts: 9 }]);
    expect(result).toEqual({ id: "m1", action: "ack" });
    const [forwarded] = queues.dlq.take();
    expect(JSON.stringify(forwarded)).toMatch(/retries are used up/);
  });

  it("a message whose consumer kept crashing reaches the dead-letter queue bare and is still recorded", async () => {
    const batch = createMessageBatch("canvas-sync-dlq", [
      { id: "d1", timestamp: new Date(), attempts: 9, body: message },
    ]);
    await handler.queue?.(batch, syncEnv(queues), createExecutionContext());
    expect(await jobRow(message.jobId)).toMatchObject({ status: "failed" });
    const letter = await env.DB.prepare("SELECT reason FROM dead_letters WHERE job_id = ?1")
      .bind(message.jobId)
      .first<{ reason: string }>();
    expect(letter?.reason).toMatch(/9 deliveries/);
  });

  it("an invalid message is dead-lettered with the reason and acknowledged", async () => {
    const [result] = await deliver(syncEnv(queues), [
      { id: "bad", body: { v: 1, kind: "sync", jobId: "" }, attempts: 1 },
    ]);
    expect(result).toEqual({ id: "bad", action: "ack" });
    expect(JSON.stringify(queues.dlq.take())).toMatch(/invalid message/);
  });

  it("redelivering a finished job changes nothing", async () => {
    const workerEnv = syncEnv(queues);
    expect(await deliver(workerEnv, [{ id: "m1", body: message, attempts: 1 }])).toEqual([
      { id: "m1", action: "ack" },
    ]);
    const before = await env.DB.prepare("SELECT count(*) AS n, sum(version) AS v FROM items").first();
    const requests = simulator.control.counters().total.requests;
    expect(await deliver(workerEnv, [{ id: "m1", body: message, attempts: 2 }])).toEqual([
      { id: "m1", action: "ack" },
    ]);
    expect(simulator.control.counters().total.requests).toBe(requests);
    expect(await env.DB.prepare("SELECT count(*) AS n, sum(version) AS v FROM items").first()).toEqual(
      before,
    );
  });
});
