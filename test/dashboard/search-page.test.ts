/**
 * The dashboard's search page: signed-in only, the navigation links to it, hits link to Canvas with escaped text and
 * marked terms, the next page follows the cursor, and a bad query is shown as an error (400), not a crash.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type ItemRow, upsertItemStatements } from "../../src/storage/d1/item-writes";
import { api, resetStorage } from "../support/harness";

const COURSE = 6101;

function page(canvasId: number, title: string, text: string): ItemRow {
  return {
    id: `${COURSE}:page:${canvasId}`,
    courseId: COURSE,
    type: "page",
    canvasId: String(canvasId),
    parentId: null,
    title,
    contentHash: `h${canvasId}`,
    canvasUpdatedAt: null,
    canvasModifiedAt: null,
    size: null,
    data: JSON.stringify({ url: `page-${canvasId}` }),
    blobSha256: null,
    textHash: null,
    text,
    textKey: null,
    textStatus: "ok",
    replacesId: null,
    dataKey: null,
    writeText: true,
    observedAt: null,
    jobId: "seed-job",
    changeKind: "added",
    now: 1_700_000_000_000,
  };
}

describe("dashboard search page", () => {
  beforeAll(async () => {
    await resetStorage();
    const rows = [page(1, "<img src=x onerror=alert(1)>", "Glacier <b>melt</b> rates")];
    for (let i = 2; i < 32; i++) rows.push(page(i, `Glacier note ${i}`, `Ice core sample ${i}`));
    await env.DB.batch(upsertItemStatements(env.DB, rows));
  });

  it("sends visitors without a session to sign in, and is linked from the navigation", async () => {
    const anonymous = await exports.default.fetch(
      new Request("https://sync.test/search?q=glacier", { redirect: "manual" }),
    );
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/login");
    const overview = await (await api("/")).text();
    expect(overview).toContain('<a href="/search">Search</a>');
  });

  it("lists hits linked to Canvas, escaped, with marked terms, and pages with the cursor", async () => {
    const response = await api("/search?q=melt");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain(`href="https://canvas.test/courses/${COURSE}/pages/page-1"`);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("Glacier &lt;b&gt;<mark>melt</mark>&lt;/b&gt; rates");

    const first = await (await api("/search?q=glacier")).text();
    expect(first.match(/<li>/g)).toHaveLength(25);
    const next = /href="(\/search\?[^"]*cursor=[^"]+)"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toBeDefined();
    const second = await (await api(next ?? "/search")).text();
    expect(second.match(/<li>/g)).toHaveLength(6);
    expect(second).not.toContain("Next results");
  });

  it("shows a bad query as an error", async () => {
    const response = await api("/search?q=-glacier");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("at least one term that is not excluded");
    expect((await api("/search?q=x&course=abc")).status).toBe(400);
  });
});
