/**
 * Pagination is total and bounded: relative `Link` URLs are resolved against the page they came from; a `next`
 * that repeats a page, leaves the Canvas origin or never ends stops the listing as incomplete with the reason
 * (never a loop, never a token sent elsewhere); each item carries the `Date` of the page that brought it.
 */
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { CanvasClient, MAX_LIST_PAGES, newRequestStats } from "../../src/canvas/client";

const ORIGIN = "https://canvas.test";
const ItemSchema = z.looseObject({ id: z.number() });

function client(pages: (url: URL) => { items: unknown[]; link?: string; date?: string }): {
  client: CanvasClient;
  requested: string[];
} {
  const requested: string[] = [];
  const fetcher: typeof fetch = (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requested.push(url.pathname + url.search);
    const page = pages(url);
    const headers = new Headers({ "content-type": "application/json" });
    if (page.link !== undefined) headers.set("link", page.link);
    if (page.date !== undefined) headers.set("date", page.date);
    return Promise.resolve(new Response(JSON.stringify(page.items), { headers }));
  };
  return {
    requested,
    client: new CanvasClient({
      baseUrl: ORIGIN,
      token: "token-0123456789",
      fetch: fetcher,
      timeoutMs: 1_000,
      gate: null,
      retryPolicy: () => ({ retry: false }),
      sleep: () => Promise.resolve(),
      stats: newRequestStats(),
      now: () => 42,
    }),
  };
}

describe("Canvas listings", () => {
  it("resolves a relative next link against the page that sent it", async () => {
    const { client: canvas, requested } = client((url) =>
      url.searchParams.get("page") === "2"
        ? { items: [{ id: 2 }] }
        : { items: [{ id: 1 }], link: '</api/v1/courses/1/assignments?page=2&per_page=100>; rel="next"' },
    );
    const listing = await canvas.list("/api/v1/courses/1/assignments", ItemSchema);
    expect(listing.items.map((item) => item.id)).toEqual([1, 2]);
    expect(listing.complete).toBe(true);
    expect(requested).toEqual([
      "/api/v1/courses/1/assignments?per_page=100",
      "/api/v1/courses/1/assignments?page=2&per_page=100",
    ]);
  });

  it("stops, incomplete, when next repeats a page already read", async () => {
    const { client: canvas, requested } = client(() => ({
      items: [{ id: 1 }],
      link: `<${ORIGIN}/api/v1/courses/1/pages?per_page=100>; rel="next"`,
    }));
    const listing = await canvas.list("/api/v1/courses/1/pages", ItemSchema);
    expect(listing.complete).toBe(false);
    expect(listing.problem).toMatch(/repeats a page/);
    expect(requested).toHaveLength(1);
  });

  it("stops, incomplete, when next points to another origin (the token never goes there)", async () => {
    const { client: canvas, requested } = client(() => ({
      items: [{ id: 1 }],
      link: '<https://evil.test/api/v1/courses/1/pages?page=2>; rel="next"',
    }));
    const listing = await canvas.list("/api/v1/courses/1/pages", ItemSchema);
    expect(listing).toMatchObject({ complete: false, items: [{ id: 1 }] });
    expect(listing.problem).toMatch(/another origin/);
    expect(requested).toHaveLength(1);
  });

  it("stops, incomplete, after more pages than any collection can have", async () => {
    const { client: canvas, requested } = client((url) => {
      const page = Number(url.searchParams.get("page") ?? "1");
      return { items: [], link: `<${ORIGIN}/api/v1/courses/1/files?page=${page + 1}>; rel="next"` };
    });
    const listing = await canvas.list("/api/v1/courses/1/files", ItemSchema);
    expect(listing.complete).toBe(false);
    expect(listing.problem).toMatch(/more than 5000 pages/);
    expect(requested).toHaveLength(MAX_LIST_PAGES);
  });

  it("dates each item with the Date of its page, or our clock when Canvas sent none", async () => {
    const { client: canvas } = client((url) =>
      url.searchParams.get("page") === "2"
        ? { items: [{ id: 2 }] }
        : {
            items: [{ id: 1 }],
            date: "Sun, 06 Dec 2026 19:06:51 GMT",
            link: `<${ORIGIN}/api/v1/courses/1/pages?page=2>; rel="next"`,
          },
    );
    const listing = await canvas.list("/api/v1/courses/1/pages", ItemSchema);
    expect(listing.observedAt).toEqual([Date.parse("2026-12-06T19:06:51Z"), 42]);
  });

  it("keeps the id of an object that fails its schema, so it can be listed as skipped", async () => {
    const { client: canvas } = client(() => ({ items: [{ id: 7, name: 1 }, { id: "x" }, { page_id: 9 }] }));
    const listing = await canvas.list(
      "/api/v1/courses/1/pages",
      z.looseObject({ id: z.number(), name: z.string() }),
    );
    expect(listing.invalid.map((entry) => entry.id)).toEqual(["7", null, "9"]);
  });
});
