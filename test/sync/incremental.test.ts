/**
 * Incremental change detection through the real pipeline (API -> queue -> consumer -> D1/R2): each tier on each
 * type, the physical floor of requests for a no-change sync, the files early stop with its lookback window, safe
 * deletions, and replacement linking.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CanvasSimulator } from "../local/simulator";
import {
  api,
  apiJson,
  resetStorage,
  startSimulator,
  syncNow,
  waitForJob,
  type JobView,
} from "../support/harness";

const COURSE = 101;
const lists = (objects: number) => Math.max(1, Math.ceil(objects / 100));
/** The New Quizzes service pages at 50 whatever per_page asks for. */
const quizLists = (objects: number) => Math.max(1, Math.ceil(objects / 50));

interface ItemView {
  id: string;
  canvasId: string;
  deletedAt: string | null;
  replacesId: string | null;
  replacedById: string | null;
  data: Record<string, unknown>;
}

async function item(type: string, canvasId: number | string): Promise<ItemView | undefined> {
  const page = await apiJson<{ items: ItemView[] }>(
    `/api/courses/${COURSE}/items?type=${type}&includeDeleted=true&limit=500`,
  );
  return page.items.find((candidate) => candidate.canvasId === String(canvasId));
}

function count(job: JobView, type: string, path: string): number {
  let node: unknown = job.counts[type];
  for (const key of path.split(".")) node = isRecord(node) ? node[key] : undefined;
  return typeof node === "number" ? node : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

async function register(): Promise<void> {
  expect((await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } })).status).toBe(201);
}

function requestsMatching(simulator: CanvasSimulator, pattern: RegExp): number {
  return Object.entries(simulator.control.counters().byEndpoint)
    .filter(([endpoint]) => pattern.test(endpoint))
    .reduce((sum, [, counters]) => sum + counters.requests, 0);
}

describe("incremental sync", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({ seed: 11, institution: { courses: [{ id: COURSE, items: 120 }] } });
  });

  it("detects a change of each type with the right tier, fetching only what changed", async () => {
    await register();
    expect((await syncNow(COURSE)).status).toBe("succeeded");
    const truth = await simulator.control.truth(COURSE);
    const [pageA, pageB] = truth.pages;
    const [file] = truth.files;
    const [assignment] = truth.assignments.filter((candidate) => candidate.quiz_id === null);
    const [discussion] = truth.discussions;
    const [announcement] = truth.announcements;
    const [quiz] = truth.quizzes;
    const [module] = truth.modules;
    if (!pageA || !pageB || !file || !assignment || !discussion || !announcement || !quiz || !module) {
      throw new Error("the seeded course lacks a type");
    }
    const control = simulator.control;
    control.editPage(COURSE, pageA.page_id, { body: `${pageA.body}<p>One more paragraph.</p>` });
    control.editPage(COURSE, pageB.page_id, { published: !pageB.published });
    control.renameFile(COURSE, file.id, `renamed ${file.display_name}`);
    control.editAssignment(COURSE, assignment.id, { description: "<p>A new description.</p>" });
    control.editDiscussion(COURSE, discussion.id, { message: "<p>Changed message.</p>" });
    control.editDiscussion(COURSE, announcement.id, { title: "A new announcement title" });
    control.editQuiz(COURSE, quiz.id, { description: "<p>New quiz description.</p>" });
    control.editModule(COURSE, module.id, { name: "Renamed module" });
    control.editSyllabus(COURSE, "<p>The new syllabus.</p>");
    control.resetCounters();

    const job = await syncNow(COURSE);
    expect(job.status).toBe("succeeded");
    expect(count(job, "page", "updated.modified")).toBe(2);
    expect(count(job, "file", "updated.modified")).toBe(1);
    expect(count(job, "assignment", "updated.modified")).toBeGreaterThanOrEqual(1);
    expect(count(job, "discussion_topic", "updated.modified")).toBe(1);
    expect(count(job, "announcement", "updated.modified")).toBe(1);
    expect(count(job, "quiz", "updated.modified")).toBe(1);
    expect(count(job, "module", "updated.modified")).toBe(1);
    expect(count(job, "syllabus", "updated.modified")).toBe(1);
    for (const type of ["page", "file", "discussion_topic", "quiz", "module"]) {
      expect({ type, added: count(job, type, "added"), deleted: count(job, type, "deleted") }).toEqual({
        type,
        added: 0,
        deleted: 0,
      });
    }

    // Tier 1 at work: one page body fetched (the revised page; publishing moves no revision time), no file bytes.
    expect(requestsMatching(simulator, /pages\/[^/]+$/)).toBe(1);
    expect(simulator.control.counters().total.fileBytes).toBe(0);
    expect(job.report?.bytesDownloaded).toBe(0);

    // Tier 3: the change log names the fields.
    const pageItem = await item("page", pageA.page_id);
    const changes = await apiJson<{
      items: { kind: string; fields: { field: string; summary?: string }[] }[];
    }>(`/api/courses/${COURSE}/items/${encodeURIComponent(pageItem?.id ?? "")}/changes`);
    const last = changes.items.at(-1);
    expect(last?.kind).toBe("content_modified");
    expect(last?.fields.map((field) => field.field)).toEqual(["body"]);
    expect(last?.fields[0]?.summary).toContain("words +3");
    const published = await apiJson<{
      items: { kind: string; fields: { field: string; old?: unknown; new?: unknown }[] }[];
    }>(
      `/api/courses/${COURSE}/items/${encodeURIComponent((await item("page", pageB.page_id))?.id ?? "")}/changes`,
    );
    expect(published.items.at(-1)?.fields).toEqual([
      { field: "published", old: pageB.published, new: !pageB.published },
    ]);
  });

  it("a no-change sync makes exactly L(N) list requests, downloads nothing and writes no item rows", async () => {
    await register();
    await syncNow(COURSE);
    const truth = await simulator.control.truth(COURSE);
    const newest = Math.max(...truth.files.map((file) => Date.parse(file.updated_at)));
    const cutoff = newest - 10 * 60_000;
    const walked = truth.files.filter((file) => Date.parse(file.updated_at) >= cutoff).length;
    const olderExists = truth.files.some((file) => Date.parse(file.updated_at) < cutoff);
    const bigModules = truth.modules
      .filter((module) => module.items.length > 100)
      .reduce((sum, module) => sum + lists(module.items.length), 0);
    const expected =
      1 +
      lists(truth.folders.length) +
      lists(walked + (olderExists ? 1 : 0)) +
      lists(truth.pages.length) +
      lists(truth.assignments.length) +
      lists(truth.discussions.length) +
      lists(truth.announcements.length) +
      lists(truth.quizzes.length) +
      quizLists(truth.new_quizzes.length) +
      lists(truth.modules.length) +
      bigModules;
    simulator.control.resetCounters();

    const job = await syncNow(COURSE);
    expect(job.status).toBe("succeeded");
    expect(simulator.control.counters().total.requests).toBe(expected);
    expect(job.report?.canvasRequests).toBe(expected);
    expect(job.report?.bytesDownloaded).toBe(0);
    expect(job.report?.itemRowsWritten).toBe(0);
    expect(job.report?.r2Writes).toBe(0);
  });

  it("stops the files listing early, yet sees a file committed late inside the lookback window", async () => {
    let clock = Date.now();
    simulator = startSimulator({
      seed: 12,
      institution: { courses: [{ id: COURSE, items: 400 }] },
      now: () => clock,
      throttle: { enabled: false },
    });
    await register();
    await syncNow(COURSE);
    const truth = await simulator.control.truth(COURSE);
    const watermark = Math.max(...truth.files.map((file) => Date.parse(file.updated_at)));
    clock = watermark - 5 * 60_000;
    const late = simulator.control.createFile(COURSE, { name: "late-commit.txt", text: "committed late" });
    clock = watermark - 30 * 60_000;
    const tooLate = simulator.control.createFile(COURSE, {
      name: "very-late.txt",
      text: "outside the window",
    });
    clock = Date.now() + 3_600_000;
    simulator.control.resetCounters();

    const job = await syncNow(COURSE);
    expect(count(job, "file", "added")).toBe(1);
    expect(await item("file", late.id)).toBeDefined();
    expect(await item("file", tooLate.id)).toBeUndefined();
    expect(requestsMatching(simulator, /courses\/:id\/files$/)).toBe(1);

    // The daily reconciliation (here: a full sync) lists everything and finds what fell outside the window.
    const full = await syncNow(COURSE, "full");
    expect(count(full, "file", "added")).toBe(1);
    expect(await item("file", tooLate.id)).toBeDefined();
  });

  it("a listing that fails part-way deletes nothing and does not advance the watermark", async () => {
    simulator = startSimulator({ seed: 13, institution: { courses: [{ id: COURSE, items: 400 }] } });
    await register();
    await syncNow(COURSE);
    const truth = await simulator.control.truth(COURSE);
    const before = await env.DB.prepare(
      "SELECT watermark FROM collection_cursors WHERE course_id = ?1 AND collection = 'files'",
    )
      .bind(COURSE)
      .first<{ watermark: string }>();
    const [gone] = truth.files;
    if (!gone) throw new Error("no file");
    simulator.control.deleteFile(COURSE, gone.id);
    const added = simulator.control.createFile(COURSE, { name: "new.txt", text: "new" });
    const fetchSpy = vi.mocked(globalThis.fetch);
    const simulated = fetchSpy.getMockImplementation();
    fetchSpy.mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.endsWith(`/courses/${COURSE}/files`) && url.searchParams.has("page")) {
        return new Response('{"errors":[{"message":"An error occurred."}]}', { status: 500 });
      }
      if (!simulated) throw new Error("no simulator");
      return simulated(input, init);
    });

    const { jobId } = await apiJson<{ jobId: string }>(`/api/courses/${COURSE}/sync`, {
      method: "POST",
      json: { mode: "full" },
    });
    const failed = await vi.waitUntil(
      async () => {
        const job = await apiJson<JobView>(`/api/jobs/${jobId}`);
        return job.errorCategory ? job : false;
      },
      { timeout: 150_000, interval: 100 },
    );
    expect(failed.status).not.toBe("succeeded");
    expect((await item("file", gone.id))?.deletedAt).toBeNull();
    expect(await item("file", added.id)).toBeUndefined();
    const after = await env.DB.prepare(
      "SELECT watermark FROM collection_cursors WHERE course_id = ?1 AND collection = 'files'",
    )
      .bind(COURSE)
      .first<{ watermark: string }>();
    expect(after?.watermark).toBe(before?.watermark);
  });

  it("links a replaced file to the file it replaced instead of an unrelated add and delete", async () => {
    await register();
    await syncNow(COURSE);
    const truth = await simulator.control.truth(COURSE);
    const [original] = truth.files.filter((file) => !file.flags.corrupt);
    if (!original) throw new Error("no file");
    const replacement = simulator.control.replaceFile(COURSE, original.id, { text: "the corrected handout" });

    const job = await syncNow(COURSE);
    expect(count(job, "file", "replaced")).toBe(1);
    expect(count(job, "file", "deleted")).toBe(0);
    const oldItem = await item("file", original.id);
    const newItem = await item("file", replacement.id);
    expect(oldItem?.deletedAt).not.toBeNull();
    expect(oldItem?.replacedById).toBe(newItem?.id);
    expect(newItem?.replacesId).toBe(oldItem?.id);
    const content = await api(`/api/courses/${COURSE}/files/${replacement.id}/content`);
    expect(await content.text()).toBe("the corrected handout");
  });

  it("follows the mirror incrementally with changedSince, tombstones included", async () => {
    await register();
    await syncNow(COURSE);
    const truth = await simulator.control.truth(COURSE);
    const page = truth.pages.find((candidate) => !candidate.front_page);
    if (!page) throw new Error("no page");
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    simulator.control.deletePage(COURSE, page.page_id);
    const job = await syncNow(COURSE);
    expect(count(job, "page", "deleted")).toBe(1);
    const changed = await apiJson<{ items: ItemView[] }>(
      `/api/courses/${COURSE}/items?changedSince=${since}`,
    );
    expect(changed.items.map((candidate) => candidate.canvasId)).toEqual([String(page.page_id)]);
    expect(changed.items[0]?.deletedAt).not.toBeNull();
    const job2 = await waitForJob(job.jobId);
    expect(job2.status).toBe("succeeded");
  });
});
