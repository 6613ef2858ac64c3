/**
 * A succeeded sync means an exact mirror (issue 12), one test per way it used not to: a cut-off object GET, a
 * watermark passing an unstored file, a listing that shifts while read, a token that loses a permission, an edit in
 * the same second as the stored revision, content too large for a D1 statement, and an extraction that dies.
 * Every job here runs through the real consumer (test/support/queue-player.ts plays Queues).
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { consumeDeadLetters } from "../../src/queue/dead-letters";
import { enqueueExtractions } from "../../src/queue/enqueue-extractions";
import { enqueueSyncJobs } from "../../src/queue/enqueue";
import { SyncMessageSchema } from "../../src/queue/message";
import type { CanvasSimulator } from "../local/simulator";
import { apiJson, CANVAS_TOKEN, resetStorage, startSimulator } from "../support/harness";
import { checkMirror } from "../support/mirror-check";
import { playJobs } from "../support/queue-player";
import {
  CapturingQueue,
  fastBudget,
  jobRow,
  newJobs,
  recordingBatch,
  registerCourses,
  syncEnv,
  testQueues,
} from "../support/sync-harness";
import { openDatabase } from "../../src/storage/d1/client";
import { loadConfig } from "../../src/env";

const COURSE = 701;

interface JobDetail {
  status: string;
  counts: Record<string, { leftBehind?: number; held?: number }>;
  leftBehind: { itemId: string; status: string; category: string; reason: string }[];
  skipped: { itemId: string; category: string }[];
}

/** A simulator on a clock the test moves, so "the same second" and "an hour later" mean what they say. */
function clockedSimulator(institution: { courses: { id: number; items: number }[] }) {
  let now = Date.parse("2026-12-01T10:00:00Z");
  const simulator = startSimulator({ seed: 71, now: () => now, institution });
  return {
    simulator,
    tick: (ms: number): void => {
      now += ms;
    },
  };
}

async function run(
  courseId: number,
  mode: "incremental" | "full" = "incremental",
  vars: Record<string, string> = {},
): Promise<string> {
  const queues = testQueues();
  const [message] = await newJobs(queues, [courseId], mode);
  if (!message) throw new Error("no job");
  await playJobs(queues, [message], { vars });
  return message.jobId;
}

async function statusOf(jobId: string): Promise<string | undefined> {
  return (await jobRow(jobId))?.status;
}

async function item(courseId: number, type: string, canvasId: number) {
  return env.DB.prepare("SELECT deleted_at, data, data_key, blob_sha256 FROM items WHERE id = ?1")
    .bind(`${courseId}:${type}:${canvasId}`)
    .first<{
      deleted_at: number | null;
      data: string;
      data_key: string | null;
      blob_sha256: string | null;
    }>();
}

async function exact(simulator: CanvasSimulator, courseId: number, fileDeletions = false) {
  const diff = await checkMirror(courseId, await simulator.control.truth(courseId), {
    expectFileDeletions: fileDeletions,
    lookbackMs: 10 * 60_000,
  });
  return diff.samples;
}

describe("a succeeded sync means an exact mirror", () => {
  beforeEach(async () => {
    await resetStorage();
    await registerCourses([COURSE]);
  });

  it("(1) an object whose GET is cut off on every try is left behind, named, and retried first by the next job of any mode", async () => {
    const { simulator, tick } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const truth = await simulator.control.truth(COURSE);
    const page = truth.pages.find((candidate) => !candidate.front_page);
    const assignment = truth.assignments[0];
    if (!page || !assignment) throw new Error("course too small");
    simulator.control.editPage(COURSE, page.page_id, { body: "<p>the new version</p>" });
    const cut = simulator.control.addFault({
      match: { pathRegex: `/pages/page_id:${page.page_id}$` },
      action: { type: "truncateBody", keepFraction: 0.6 },
    });
    tick(10_000);
    const faulty = await run(COURSE);
    const detail = await apiJson<JobDetail>(`/api/jobs/${faulty}`);
    expect(detail.status).toBe("partial");
    expect(detail.counts["page"]?.leftBehind).toBe(1);
    expect(detail.leftBehind).toEqual([
      expect.objectContaining({
        itemId: `${COURSE}:page:${page.page_id}`,
        status: "left_behind",
        category: "transfer",
      }),
    ]);
    expect(JSON.parse((await item(COURSE, "page", page.page_id))?.data ?? "{}")).toMatchObject({
      body: page.body,
    });

    // The next job is a targeted one about something else (a Live Event): it still retries the page first.
    simulator.control.removeFault(cut);
    tick(10_000);
    const queues = testQueues();
    await enqueueSyncJobs(
      openDatabase(env.DB),
      queues.sync,
      [
        {
          courseId: COURSE,
          mode: "targeted",
          trigger: "event",
          scope: { kind: "assignment", id: assignment.id },
        },
      ],
      Date.now(),
    );
    const [targeted] = queues.sync.take().map((body) => SyncMessageSchema.parse(body));
    if (!targeted) throw new Error("no job");
    await playJobs(queues, [targeted]);
    expect(await statusOf(targeted.jobId)).toBe("succeeded");
    expect(JSON.parse((await item(COURSE, "page", page.page_id))?.data ?? "{}")).toMatchObject({
      body: "<p>the new version</p>",
    });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sync_issues").first<{ n: number }>()).toEqual({
      n: 0,
    });
  });

  it("(2) the files watermark never passes a file that was not stored", async () => {
    const { simulator, tick } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    tick(60_000);
    const first = simulator.control.createFile(COURSE, { name: "week-5.txt", text: "Week five handout\n" });
    // The storage host answers 404 for this file's bytes, every time, during this sync.
    const notFound = simulator.control.addFault({
      match: { origin: "api", pathRegex: `/files/${first.id}/download$` },
      action: { type: "status", status: 404, body: "{}" },
    });
    tick(10_000);
    expect(await statusOf(await run(COURSE))).toBe("partial");
    simulator.control.removeFault(notFound);
    // An hour later a newer file arrives; two more incremental syncs must leave both mirrored.
    tick(3_600_000);
    const second = simulator.control.createFile(COURSE, { name: "week-6.txt", text: "Week six handout\n" });
    tick(10_000);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    tick(10_000);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    for (const id of [first.id, second.id]) {
      const row = await item(COURSE, "file", id);
      expect({ id, sha: row?.blob_sha256 }).toEqual({ id, sha: await simulator.control.fileSha256(id) });
    }
    expect(await exact(simulator, COURSE)).toEqual([]);
  });

  it("(3) a numbered-page listing that shifts while it is read tombstones only what Canvas confirms gone", async () => {
    const { simulator } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    for (let i = 0; i < 230; i++) simulator.control.createAssignment(COURSE, { name: `Exercise ${i}` });
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const listed = (await simulator.control.truth(COURSE)).assignments;
    const removed = listed[5];
    const shifted = listed[100];
    if (!removed || !shifted) throw new Error("too few assignments");
    // While page 2 is requested, an assignment on page 1 is deleted: the first of page 2 moves onto page 1.
    let deleted = false;
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!deleted && url.pathname.endsWith("/assignments") && url.searchParams.get("page") === "2") {
        deleted = true;
        simulator.control.deleteAssignment(COURSE, removed.id);
      }
      return simulator.fetch(input, init);
    });
    expect(await statusOf(await run(COURSE, "full"))).toBe("succeeded");
    expect(deleted).toBe(true);
    // The shifted assignment was missing from the listing: one GET found it alive, so it stays.
    expect((await item(COURSE, "assignment", shifted.id))?.deleted_at).toBeNull();
    // The deleted one was read on page 1 before it went; the next listing misses it and Canvas confirms: 404.
    expect(await statusOf(await run(COURSE, "full"))).toBe("succeeded");
    expect((await item(COURSE, "assignment", removed.id))?.deleted_at).not.toBeNull();
    expect(await exact(simulator, COURSE, true)).toEqual([]);
  });

  it("(3b) a deleted module takes its items along with one confirming request, not one per item", async () => {
    const { simulator, tick } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    const module = simulator.control.createModule(COURSE, { name: "Week 9" });
    for (let i = 0; i < 12; i++) {
      simulator.control.createModuleItem(COURSE, module.id, {
        type: "ExternalUrl",
        title: `Link ${i}`,
        external_url: `https://example.edu/${i}`,
      });
    }
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    simulator.control.deleteModule(COURSE, module.id);
    simulator.control.resetCounters();
    tick(10_000);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const byEndpoint = simulator.control.counters().byEndpoint;
    expect(byEndpoint["GET /api/v1/courses/:id/modules/:id"]?.requests).toBe(1);
    expect(byEndpoint["GET /api/v1/courses/:id/modules/:id/items/:id"]).toBeUndefined();
    const live = await env.DB.prepare(
      "SELECT count(*) AS n FROM items WHERE course_id = ?1 AND deleted_at IS NULL AND (id = ?2 OR parent_id = ?3)",
    )
      .bind(COURSE, `${COURSE}:module:${module.id}`, String(module.id))
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
    expect(await exact(simulator, COURSE)).toEqual([]);
  });

  it("(4) a token that loses sight of unpublished content deletes nothing: the loss is held and alerted", async () => {
    const { simulator, tick } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    const hidden: number[] = [];
    for (let i = 0; i < 30; i++) {
      hidden.push(
        simulator.control.createPage(COURSE, { title: `Draft ${i}`, body: "<p>draft</p>", published: false })
          .id,
      );
    }
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const alerts: unknown[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith("https://alerts.test/")) {
        alerts.push(JSON.parse(typeof init?.body === "string" ? init.body : "null"));
        return new Response(null, { status: 204 });
      }
      return simulator.fetch(input, init);
    });
    simulator.control.restrictToPublished(CANVAS_TOKEN, true);
    tick(10_000);
    const jobId = await run(COURSE, "full", { ALERT_WEBHOOK_URL: "https://alerts.test/hook" });
    const detail = await apiJson<JobDetail>(`/api/jobs/${jobId}`);
    expect(detail.status).toBe("partial");
    const tombstoned = await env.DB.prepare(
      "SELECT count(*) AS n FROM items WHERE course_id = ?1 AND deleted_at IS NOT NULL",
    )
      .bind(COURSE)
      .first<{ n: number }>();
    expect(tombstoned?.n).toBe(0);
    // Three were probed (401 through page_id:, 401 by slug: kept and skipped), the other 27 held.
    expect(detail.skipped.filter((issue) => issue.category === "permission")).toHaveLength(3);
    expect(detail.leftBehind.filter((issue) => issue.status === "held")).toHaveLength(27);
    expect(alerts).toEqual([expect.objectContaining({ kind: "mass_disappearance" })]);

    // A Live Event about one of them: 401, so nothing is deleted either.
    const queues = testQueues();
    const [page] = hidden;
    await enqueueSyncJobs(
      openDatabase(env.DB),
      queues.sync,
      [{ courseId: COURSE, mode: "targeted", trigger: "event", scope: { kind: "page", pageId: page } }],
      Date.now(),
    );
    await playJobs(queues, queues.sync.take());
    expect((await item(COURSE, "page", page ?? 0))?.deleted_at).toBeNull();

    // Access comes back: everything is confirmed live again and nothing is left open.
    simulator.control.restrictToPublished(CANVAS_TOKEN, false);
    tick(10_000);
    expect(await statusOf(await run(COURSE, "full"))).toBe("succeeded");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sync_issues").first<{ n: number }>()).toEqual({
      n: 0,
    });
    expect(await exact(simulator, COURSE, true)).toEqual([]);
  });

  it("(5) a page edited again in the same second as the revision stored is re-read once by the next sync", async () => {
    const { simulator, tick } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const page = (await simulator.control.truth(COURSE)).pages.find((candidate) => !candidate.front_page);
    if (!page) throw new Error("no page");
    const pageGets = () =>
      simulator.control.counters().byEndpoint["GET /api/v1/courses/:id/pages/:id"]?.requests ?? 0;
    tick(10_000);
    simulator.control.editPage(COURSE, page.page_id, { body: "<p>first edit</p>" });
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    // The clock has not moved: this edit shares the second (and so the updated_at) of the revision just stored.
    simulator.control.editPage(COURSE, page.page_id, { body: "<p>second edit, same second</p>" });
    tick(10_000);
    const before = pageGets();
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    expect(pageGets() - before).toBe(1);
    expect(JSON.parse((await item(COURSE, "page", page.page_id))?.data ?? "{}")).toMatchObject({
      body: "<p>second edit, same second</p>",
    });
    // Re-read once: the revision is no longer ambiguous, so the sync after costs no page GET.
    tick(10_000);
    const after = pageGets();
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    expect(pageGets() - after).toBe(0);
  });

  it("(6) writes fit D1 whatever the content: CJK pages and a page with a 3 MB inline image", async () => {
    const { simulator } = clockedSimulator({ courses: [{ id: COURSE, items: 12 }] });
    await fastBudget(simulator);
    const cjk = `<p>${"漢字かな交じり文".repeat(3_750)}</p>`; // 30,000 characters, 90,000 UTF-8 bytes
    for (let i = 0; i < 70; i++)
      simulator.control.createPage(COURSE, { title: `第${i}課`, body: `${cjk}${i}` });
    const image = `<p><img src="data:image/png;base64,${"A".repeat(3 * 1024 * 1024)}"></p>`;
    const big = simulator.control.createPage(COURSE, { title: "Diagram", body: image });
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const row = await item(COURSE, "page", big.id);
    expect(row?.data_key).toMatch(/^data\/[0-9a-f]{64}\.json$/);
    expect(row?.data.length).toBeLessThan(10_000);
    const listed = await apiJson<{ items: { canvasId: string; data: { body?: string } }[] }>(
      `/api/courses/${COURSE}/items?type=page&limit=500`,
    );
    expect(listed.items.find((entry) => entry.canvasId === String(big.id))?.data.body).toBe(image);
    expect(await exact(simulator, COURSE)).toEqual([]);
  });

  it("(8) a document whose extraction is dead-lettered is marked failed and not sent again until its bytes change", async () => {
    const { simulator } = clockedSimulator({ courses: [{ id: COURSE, items: 24 }] });
    await fastBudget(simulator);
    expect(await statusOf(await run(COURSE))).toBe("succeeded");
    const file = await env.DB.prepare(
      "SELECT id, blob_sha256 FROM items WHERE course_id = ?1 AND type = 'file' AND text_status = 'pending' LIMIT 1",
    )
      .bind(COURSE)
      .first<{ id: string; blob_sha256: string }>();
    if (!file) throw new Error("no pending file");
    const message = { v: 1, kind: "extract", courseId: COURSE, itemId: file.id, sha256: file.blob_sha256 };
    const { batch } = recordingBatch("canvas-sync-dlq", [{ id: "dead", body: message, attempts: 4 }]);
    await consumeDeadLetters(batch, syncEnv(testQueues()), loadConfig(env));
    const status = await env.DB.prepare("SELECT text_status FROM items WHERE id = ?1")
      .bind(file.id)
      .first<{ text_status: string }>();
    expect(status?.text_status).toBe("failed:dead_lettered");
    const queue = new CapturingQueue();
    await enqueueExtractions(openDatabase(env.DB), queue, COURSE);
    const sent = queue.take().map((body) => JSON.stringify(body));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((body) => body.includes(file.id))).toEqual([]);
  });
});
