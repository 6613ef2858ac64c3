/** Canvas pagination: per_page clamp, absolute Link URLs, ordinal pages, bookmark cursors, invalid pages. */
import { describe, expect, it } from "vitest";
import { API, collect, get, getJson, links, sim } from "../support/simulator-harness";

const BULK = { courses: [{ id: 900, items: 400 }] };

describe("pagination", () => {
  it("defaults per_page to 10 and clamps it into 1..100", async () => {
    const s = sim({ institution: BULK });
    expect((await getJson<unknown[]>(s, "/api/v1/courses/900/assignments")).length).toBe(10);
    expect((await getJson<unknown[]>(s, "/api/v1/courses/900/assignments?per_page=500")).length).toBe(80);
    const huge = await get(s, "/api/v1/courses/900/pages?per_page=1000");
    expect((await huge.json<unknown[]>()).length).toBe(100);
    expect(links(huge)["next"]).toContain("per_page=100");
    expect((await getJson<unknown[]>(s, "/api/v1/courses/900/assignments?per_page=0")).length).toBe(1);
    expect((await getJson<unknown[]>(s, "/api/v1/courses/900/assignments?per_page=abc")).length).toBe(1);
  });

  it("builds absolute Link URLs that repeat the query but drop access_token", async () => {
    const s = sim({ institution: BULK });
    const response = await get(
      s,
      `/api/v1/courses/900/assignments?order_by=name&per_page=7&page=2&access_token=sim-token`,
      null,
    );
    expect(response.status).toBe(200);
    const rels = links(response);
    expect(Object.keys(rels).sort()).toEqual(["current", "first", "last", "next", "prev"]);
    for (const href of Object.values(rels)) {
      const url = new URL(href);
      expect(url.origin).toBe(API);
      expect(url.pathname).toBe("/api/v1/courses/900/assignments");
      expect(url.searchParams.get("order_by")).toBe("name");
      expect(url.searchParams.get("per_page")).toBe("7");
      expect(url.searchParams.has("access_token")).toBe(false);
    }
    expect(new URL(rels["next"] ?? "").searchParams.get("page")).toBe("3");
    expect(new URL(rels["prev"] ?? "").searchParams.get("page")).toBe("1");
    expect(new URL(rels["last"] ?? "").searchParams.get("page")).toBe(String(Math.ceil(80 / 7)));
    expect(response.headers.get("Link")).toBe(response.headers.get("link"));
  });

  it("answers [] with 200 past the last ordinal page and 404 for an invalid page", async () => {
    const s = sim({ institution: BULK });
    const past = await get(s, "/api/v1/courses/900/assignments?page=99");
    expect(past.status).toBe(200);
    expect(await past.json()).toEqual([]);
    expect(links(past)["next"]).toBeUndefined();
    expect((await get(s, "/api/v1/courses/900/assignments?page=0")).status).toBe(404);
  });

  it("pages and files use opaque bookmark cursors that visit every row exactly once", async () => {
    const s = sim({ institution: BULK });
    const first = await get(s, "/api/v1/courses/900/files?per_page=25");
    const next = links(first)["next"] ?? "";
    expect(new URL(next).searchParams.get("page")).toMatch(/^bookmark:[A-Za-z0-9_-]+$/);
    expect(links(first)["last"]).toBeUndefined();
    const truth = await s.control.truth(900, { hashes: false });
    const files = await collect<{ id: number; display_name: string }>(
      s,
      "/api/v1/courses/900/files?per_page=25",
    );
    expect(files.items.map((f) => f.id).sort((a, b) => a - b)).toEqual(truth.files.map((f) => f.id));
    const names = files.items.map((f) => f.display_name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const pages = await collect<{ page_id: number }>(
      s,
      "/api/v1/courses/900/pages?per_page=30&sort=updated_at&order=desc",
    );
    expect(new Set(pages.items.map((p) => p.page_id)).size).toBe(truth.pages.length);
  });

  it("keeps a bookmark stable when rows are inserted or deleted before the cursor", async () => {
    const s = sim({ institution: BULK });
    const first = await get(s, "/api/v1/courses/900/pages?per_page=10");
    const seen = (await first.json<Array<{ page_id: number; title: string }>>()).map((p) => p.page_id);
    // A new page sorting before everything seen, and the deletion of a seen page: ordinal paging would skip or
    // repeat rows here; the bookmark continues right after the last title seen.
    s.control.createPage(900, { title: "AAAA first of all" });
    const firstSeen = seen[0] ?? 0;
    s.control.editPage(900, firstSeen, { title: "zzzz renamed" });
    const rest = await collect<{ page_id: number }>(
      s,
      new URL(links(first)["next"] ?? "").pathname + new URL(links(first)["next"] ?? "").search,
    );
    const restIds = rest.items.map((p) => p.page_id);
    for (const id of seen.slice(1)) expect(restIds).not.toContain(id);
    const truth = await s.control.truth(900, { hashes: false });
    const expected = truth.pages
      .map((p) => p.page_id)
      .filter(
        (id) =>
          !seen.slice(1).includes(id) &&
          truth.pages.find((p) => p.page_id === id)?.title !== "AAAA first of all",
      );
    expect(restIds.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });

  it("answers 404 to an undecodable or mis-shaped bookmark", async () => {
    const s = sim({ institution: BULK });
    expect((await get(s, "/api/v1/courses/900/files?page=bookmark:%%%")).status).toBe(404);
    expect((await get(s, "/api/v1/courses/900/files?page=bookmark:bm90anNvbg")).status).toBe(404);
    const wrongShape = btoa(JSON.stringify([1, 2, 3])).replace(/=+$/, "");
    expect((await get(s, `/api/v1/courses/900/pages?page=bookmark:${wrongShape}`)).status).toBe(404);
    expect((await get(s, "/api/v1/courses/900/pages?page=2")).status).toBe(404);
  });
});
