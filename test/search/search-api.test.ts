/**
 * GET /api/search over HTTP: ranked hits (title weighted over body), filters by course and type, cursor paging that
 * visits every hit once in score order, HTML-safe snippets, and bad input as a 400 naming the problem: FTS5 syntax
 * errors in the advanced syntax, a simple query that cannot be an FTS5 error whatever it contains, bad limits and
 * cursors (including one from another query). Items are written through the sync's own write path.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type ItemRow, upsertItemStatements } from "../../src/storage/d1/item-writes";
import { api, apiJson, resetStorage } from "../support/harness";

const COURSE_A = 5101;
const COURSE_B = 5102;

interface Hit {
  itemId: string;
  type: string;
  title: string;
  canvasCourseId: number;
  snippet: string;
  score: number;
  canvasUrl: string;
}
interface Page {
  items: Hit[];
  nextCursor: string | null;
}

function item(courseId: number, type: string, canvasId: number, title: string, text: string | null): ItemRow {
  return {
    id: `${courseId}:${type}:${canvasId}`,
    courseId,
    type,
    canvasId: String(canvasId),
    parentId: null,
    title,
    contentHash: `h${canvasId}`,
    canvasUpdatedAt: null,
    canvasModifiedAt: null,
    size: null,
    data: JSON.stringify(type === "page" ? { url: `p-${canvasId}` } : {}),
    blobSha256: null,
    textHash: null,
    text,
    textKey: null,
    textStatus: text === null ? null : "ok",
    replacesId: null,
    dataKey: null,
    writeText: true,
    observedAt: null,
    jobId: "seed-job",
    changeKind: "added",
    now: 1_700_000_000_000 + canvasId,
  };
}

async function ids(q: string): Promise<string[]> {
  const page = await apiJson<Page>(`/api/search?q=${encodeURIComponent(q)}`);
  return page.items.map((hit) => hit.itemId).sort();
}

/** Sends the request and returns its status and error body. */
async function badRequest(
  path: string,
): Promise<{ path: string; status: number; code: string; message: string }> {
  const response = await api(path);
  const body = await response.json<{ error: { code: string; message: string } }>();
  return { path, status: response.status, code: body.error.code, message: body.error.message };
}

describe("GET /api/search", () => {
  beforeAll(async () => {
    await resetStorage();
    const rows: ItemRow[] = [
      item(COURSE_A, "page", 1, "Volcano field trip", "Bring boots. We will look at basalt."),
      item(COURSE_A, "assignment", 2, "Essay", "Write about a volcano you would like to visit."),
      item(COURSE_A, "page", 3, "Unsafe <script>alert(1)</script>", 'Volcano & <b>lava</b> "quoted"'),
      item(COURSE_B, "page", 4, "Rivers", "Volcano ash can dam rivers."),
    ];
    for (let i = 0; i < 25; i++)
      rows.push(item(COURSE_B, "announcement", 100 + i, `Note ${i}`, `Seismograph reading ${i}`));
    await env.DB.batch(upsertItemStatements(env.DB, rows));
  });

  it("ranks a title match first and says where each hit is in Canvas", async () => {
    const page = await apiJson<Page>("/api/search?q=volcano");
    expect(page.items[0]?.itemId).toBe(`${COURSE_A}:page:1`);
    expect(page.items.map((hit) => hit.itemId).sort()).toEqual(
      [`${COURSE_A}:assignment:2`, `${COURSE_A}:page:1`, `${COURSE_A}:page:3`, `${COURSE_B}:page:4`].sort(),
    );
    const scores = page.items.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(page.items.find((hit) => hit.type === "assignment")?.canvasUrl).toBe(
      `https://canvas.test/courses/${COURSE_A}/assignments/2`,
    );
    expect(page.nextCursor).toBeNull();
  });

  it("filters by course and by type", async () => {
    const inB = await apiJson<Page>(`/api/search?q=volcano&canvasCourseId=${COURSE_B}`);
    expect(inB.items.map((hit) => hit.itemId)).toEqual([`${COURSE_B}:page:4`]);
    const assignments = await apiJson<Page>("/api/search?q=volcano&type=assignment");
    expect(assignments.items.map((hit) => hit.itemId)).toEqual([`${COURSE_A}:assignment:2`]);
  });

  it("escapes Canvas text in snippets and marks only the matched terms", async () => {
    const page = await apiJson<Page>(`/api/search?q=lava&canvasCourseId=${COURSE_A}`);
    const snippet = page.items[0]?.snippet ?? "";
    expect(snippet).toBe("Volcano &amp; &lt;b&gt;<mark>lava</mark>&lt;/b&gt; &quot;quoted&quot;");
    expect(page.items[0]?.title).toBe("Unsafe <script>alert(1)</script>");
  });

  it("pages with an opaque cursor through every hit exactly once, in score order", async () => {
    const seen: Hit[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : "";
      const page: Page = await apiJson<Page>(`/api/search?q=seismograph&limit=4${suffix}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(7);
    expect(new Set(seen.map((hit) => hit.itemId)).size).toBe(25);
    const all = await apiJson<Page>("/api/search?q=seismograph&limit=500");
    expect(seen.map((hit) => hit.itemId)).toEqual(all.items.map((hit) => hit.itemId));
  });

  it("understands phrases, prefixes, exclusions and OR in the simple syntax", async () => {
    expect(await ids('"ash can dam"')).toEqual([`${COURSE_B}:page:4`]);
    expect(await ids("seismo*")).toHaveLength(25);
    expect(await ids("volcano -basalt -lava")).toEqual(
      [`${COURSE_A}:assignment:2`, `${COURSE_B}:page:4`].sort(),
    );
    expect(await ids("basalt OR rivers")).toEqual([`${COURSE_A}:page:1`, `${COURSE_B}:page:4`].sort());
    // Input FTS5 would reject as syntax is quoted into plain words by the simple syntax: a 200, never a 400 or 500.
    const hostile = [
      "AND",
      "NEAR(",
      '"unterminated',
      "title:volcano",
      "a*b OR",
      "(volcano",
      "volcano)",
      "^volcano",
      "x:y:z",
    ];
    for (const q of hostile) {
      const response = await api(`/api/search?q=${encodeURIComponent(q)}`);
      expect({ q, status: response.status }).toEqual({ q, status: 200 });
    }
    expect(await ids("title:volcano")).toEqual([]);
    expect(await ids("(volcano")).toHaveLength(4);
  });

  it("answers FTS5 syntax errors and bad parameters with a 400 that names the problem", async () => {
    const first = await apiJson<Page>("/api/search?q=seismograph&limit=2");
    const cases: [string, string, RegExp][] = [
      ["/api/search?q=volcano%20AND&syntax=fts5", "invalid_query", /fts5: syntax error/],
      ["/api/search?q=nosuch:volcano&syntax=fts5", "invalid_query", /no such column: nosuch/],
      [`/api/search?q=${encodeURIComponent('"open')}&syntax=fts5`, "invalid_query", /unterminated string/],
      ["/api/search?q=%20%20", "invalid_query", /empty/],
      ["/api/search?q=-volcano", "invalid_query", /not excluded/],
      ["/api/search?q=%21%21%21", "invalid_query", /no searchable words/],
      ["/api/search", "invalid_request", /q/],
      [`/api/search?q=${"x".repeat(501)}`, "invalid_request", /q/],
      ["/api/search?q=volcano&limit=0", "invalid_request", /limit/],
      ["/api/search?q=volcano&limit=501", "invalid_request", /limit/],
      ["/api/search?q=volcano&type=essay", "invalid_request", /type/],
      ["/api/search?q=volcano&canvasCourseId=abc", "invalid_request", /canvasCourseId/],
      ["/api/search?q=volcano&cursor=not-a-cursor", "invalid_cursor", /cursor/],
      [`/api/search?q=volcano&cursor=${first.nextCursor ?? ""}`, "invalid_cursor", /this query/],
    ];
    for (const [path, code, message] of cases) {
      const answer = await badRequest(path);
      expect(answer).toEqual({ path, status: 400, code, message: expect.stringMatching(message) });
    }
  });

  it("requires the API token", async () => {
    const response = await api("/api/search?q=volcano", {
      headers: { authorization: "Bearer nope-nope-nope-nope" },
    });
    expect(response.status).toBe(401);
  });
});
