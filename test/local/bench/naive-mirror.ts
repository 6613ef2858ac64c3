/**
 * The baseline: what existing tools do at their best. Every sync lists every collection (per_page=100, generous),
 * GETs every page body, lists modules with their items inlined (`include[]=items`, asking a module's items endpoint
 * only when Canvas leaves them out, as it does past 100 items), asks each New Quiz for its items (a naive mirror
 * cannot tell which quizzes changed), and downloads every file whose size or modified_at moved since it last looked,
 * one request at a time; it upserts every object it saw. Measured against the same simulator state as our sync, in
 * the same run.
 */
import type { CanvasSimulator } from "../simulator";
import { nextPageUrl } from "../../../src/canvas/link-header";
import { BENCH_CANVAS, BENCH_TOKEN } from "./sync-driver";

export interface NaiveMeasurement {
  canvasRequests: number;
  bytesDownloaded: number;
  rowsWritten: number;
  r2Writes: number;
  wallMs: number;
}

export class NaiveMirror {
  private readonly files = new Map<number, string>();

  constructor(private readonly simulator: CanvasSimulator) {}

  private async get(url: string): Promise<Response> {
    return this.simulator.fetch(url, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  }

  private async listAll(path: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let url: string | null = `${BENCH_CANVAS}${path}${path.includes("?") ? "&" : "?"}per_page=100`;
    while (url) {
      const response = await this.get(url);
      out.push(...(await response.json<Record<string, unknown>[]>()));
      url = nextPageUrl(response.headers.get("link"));
    }
    return out;
  }

  async sync(courseId: number): Promise<NaiveMeasurement> {
    this.simulator.control.resetCounters();
    const started = Date.now();
    const base = `/api/v1/courses/${courseId}`;
    let rows = 0;
    let r2Writes = 0;
    await (await this.get(`${BENCH_CANVAS}${base}?include[]=syllabus_body`)).json();
    rows += 2;
    for (const path of [
      "/folders",
      "/assignments",
      "/discussion_topics",
      "/discussion_topics?only_announcements=true",
      "/quizzes",
    ]) {
      rows += (await this.listAll(`${base}${path}`)).length;
    }
    // New Quizzes: the list, then every quiz's items (a naive mirror cannot tell which quizzes changed).
    for (const quiz of await this.listAll(`/api/quiz/v1/courses/${courseId}/quizzes`))
      rows +=
        1 +
        (await this.listAll(`/api/quiz/v1/courses/${courseId}/quizzes/${String(quiz["id"])}/items`)).length;
    for (const module of await this.listAll(`${base}/modules?include[]=items&include[]=content_details`)) {
      const inlined = module["items"];
      const items = Array.isArray(inlined)
        ? inlined
        : await this.listAll(`${base}/modules/${String(module["id"])}/items?include[]=content_details`);
      rows += 1 + items.length;
    }
    for (const page of await this.listAll(`${base}/pages`)) {
      await (await this.get(`${BENCH_CANVAS}${base}/pages/page_id:${String(page["page_id"])}`)).json();
      rows++;
    }
    for (const file of await this.listAll(`${base}/files`)) {
      rows++;
      const id = Number(file["id"]);
      const version = `${String(file["size"])}/${String(file["modified_at"])}`;
      if (this.files.get(id) === version) continue;
      const redirect = await this.get(String(file["url"]));
      const location = redirect.headers.get("location");
      const bytes = location
        ? await (await this.simulator.fetch(location)).arrayBuffer()
        : await redirect.arrayBuffer();
      if (bytes.byteLength >= 0) r2Writes++;
      this.files.set(id, version);
    }
    const counters = this.simulator.control.counters();
    return {
      canvasRequests: counters.total.requests,
      bytesDownloaded: counters.total.fileBytes,
      rowsWritten: rows,
      r2Writes,
      wallMs: Date.now() - started,
    };
  }
}
