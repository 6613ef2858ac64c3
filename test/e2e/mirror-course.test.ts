/**
 * End to end in workerd: register a course, let the Cron Trigger enqueue it, let the real local queue deliver it to
 * the consumer, then compare everything mirrored in D1/R2 with the simulator's truth. A second sync of the unchanged
 * course must write no item rows and no R2 objects and download no file bytes.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { CanvasSimulator } from "../local/simulator";
import {
  api,
  apiJson,
  latestJobId,
  resetStorage,
  runCron,
  sha256Hex,
  startSimulator,
  syncNow,
  waitForExtractions,
  waitForJob,
} from "../support/harness";

/** The demo institution's first course (real PDF, DOCX and PPTX documents with known text). */
let COURSE = 0;

interface ItemView {
  id: string;
  type: string;
  canvasId: string;
  title: string | null;
  contentHash: string;
  deletedAt: string | null;
  data: Record<string, unknown>;
}

async function allItems(type: string): Promise<ItemView[]> {
  const items: ItemView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/api/courses/${COURSE}/items?type=${type}&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await apiJson<{ items: ItemView[]; nextCursor: string | null }>(query);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function countR2Objects(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const listing = await env.BLOBS.list(cursor ? { cursor } : {});
    count += listing.objects.length;
    cursor = listing.truncated ? listing.cursor : undefined;
  } while (cursor);
  return count;
}

describe("mirroring a course end to end", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({ seed: 7, institution: "demo" });
    const [first] = simulator.control.courseIds();
    if (first === undefined) throw new Error("the demo institution has no course");
    COURSE = first;
  });

  it("mirrors every object and file byte through cron, queue, consumer and Durable Object", async () => {
    const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
    expect(registered.status).toBe(201);

    await runCron();
    const job = await waitForJob(await latestJobId(COURSE));
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const course = await apiJson<{ name: string | null }>(`/api/courses/${COURSE}`);

    const truth = await simulator.control.truth(COURSE);
    expect(course.name).toBe(truth.course.name);

    const pages = new Map((await allItems("page")).map((item) => [item.canvasId, item]));
    expect(pages.size).toBe(truth.pages.length);
    for (const page of truth.pages) {
      const mirrored = pages.get(String(page.page_id));
      expect(mirrored?.data["body"], `page ${page.page_id}`).toBe(page.body);
      expect(mirrored?.title).toBe(page.title);
    }

    const files = new Map((await allItems("file")).map((item) => [item.canvasId, item]));
    expect(files.size).toBe(truth.files.length);
    for (const file of truth.files) {
      const response = await api(`/api/courses/${COURSE}/files/${file.id}/content`);
      expect(response.status, `file ${file.id}`).toBe(200);
      expect(await sha256Hex(await response.arrayBuffer()), `file ${file.id} bytes`).toBe(file.sha256);
    }

    const modules = await allItems("module");
    const moduleItems = await allItems("module_item");
    expect(modules.map((item) => Number(item.canvasId)).sort((a, b) => a - b)).toEqual(
      truth.modules.map((m) => m.id).sort((a, b) => a - b),
    );
    expect(moduleItems.length).toBe(truth.modules.reduce((sum, module) => sum + module.items.length, 0));

    const assignments = new Map((await allItems("assignment")).map((item) => [item.canvasId, item]));
    expect(assignments.size).toBe(truth.assignments.length);
    for (const assignment of truth.assignments) {
      expect(assignments.get(String(assignment.id))?.data["description"]).toBe(assignment.description);
    }
    for (const [type, expected] of [
      ["discussion_topic", truth.discussions],
      ["announcement", truth.announcements],
    ] as const) {
      const mirrored = new Map((await allItems(type)).map((item) => [item.canvasId, item]));
      expect({ type, mirrored: mirrored.size }).toEqual({ type, mirrored: expected.length });
      for (const topic of expected)
        expect(mirrored.get(String(topic.id))?.data["message"]).toBe(topic.message);
    }
    const quizzes = new Map((await allItems("quiz")).map((item) => [item.canvasId, item]));
    expect(quizzes.size).toBe(truth.quizzes.length);
    for (const quiz of truth.quizzes)
      expect(quizzes.get(String(quiz.id))?.data["description"]).toBe(quiz.description);

    const [syllabus] = await allItems("syllabus");
    expect(syllabus?.data["body"]).toBe(truth.course.syllabus_body);

    // The job's counts match what was mirrored.
    expect(job.counts["page"]?.["added"]).toBe(truth.pages.length);
    expect(job.counts["file"]?.["added"]).toBe(truth.files.length);
    expect(job.counts["module_item"]?.["added"]).toBe(moduleItems.length);
    expect(job.report?.bytesDownloaded).toBe(truth.files.reduce((sum, file) => sum + file.size, 0));

    // Each document's text is extracted in its own queue message and stored with its hash.
    await waitForExtractions();
    const documents = truth.files.filter(
      (file) => file.text !== null && /\.(pdf|docx|pptx)$/.test(file.display_name) && !file.flags.corrupt,
    );
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const row = await env.DB.prepare("SELECT text, text_status, text_hash FROM items WHERE id = ?1")
        .bind(`${COURSE}:file:${document.id}`)
        .first<{ text: string | null; text_status: string; text_hash: string | null }>();
      const firstWords = (document.text ?? "").split(/\s+/).slice(0, 6).join(" ");
      // The document's name rides along on both sides so a failure names it.
      expect({
        document: document.display_name,
        status: row?.text_status,
        text: row?.text?.replace(/\s+/g, " "),
      }).toEqual({
        document: document.display_name,
        status: expect.stringMatching(/^ok/),
        text: expect.stringContaining(firstWords),
      });
      expect(row?.text_hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("a second sync of an unchanged course adds no rows, no objects and downloads nothing", async () => {
    await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
    const first = await syncNow(COURSE);
    expect(first.status).toBe("succeeded");
    await waitForExtractions();
    const objectsBefore = await countR2Objects();
    const rowsBefore = await env.DB.prepare("SELECT count(*) AS n, sum(version) AS v FROM items").first<{
      n: number;
      v: number;
    }>();

    const second = await syncNow(COURSE);
    expect(second.status).toBe("succeeded");
    expect(second.report?.itemRowsWritten).toBe(0);
    expect(second.report?.bytesDownloaded).toBe(0);
    expect(second.report?.r2Writes).toBe(0);
    expect(await countR2Objects()).toBe(objectsBefore);
    const rowsAfter = await env.DB.prepare("SELECT count(*) AS n, sum(version) AS v FROM items").first<{
      n: number;
      v: number;
    }>();
    expect(rowsAfter).toEqual(rowsBefore);
    const changed = Object.values(second.counts).reduce(
      (sum, counts) => sum + Number(counts["added"] ?? 0) + Number(counts["deleted"] ?? 0),
      0,
    );
    expect(changed).toBe(0);
  });
});
