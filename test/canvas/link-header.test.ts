import { describe, expect, it } from "vitest";
import { nextPageUrl, parseLinkHeader } from "../../src/canvas/link-header";

describe("Link header", () => {
  it("finds rel=next among Canvas's links, whatever the order or case", () => {
    const header =
      '<https://c.test/api/v1/courses/1/files?page=bookmark:WzEsMl0&per_page=100>; rel="next",' +
      '<https://c.test/api/v1/courses/1/files?page=first&per_page=100>; rel="first", ' +
      '<https://c.test/api/v1/courses/1/files?page=bookmark:WzEsM10,x&per_page=100>; REL="current"';
    expect(nextPageUrl(header)).toBe(
      "https://c.test/api/v1/courses/1/files?page=bookmark:WzEsMl0&per_page=100",
    );
    expect(parseLinkHeader(header).get("current")).toBe(
      "https://c.test/api/v1/courses/1/files?page=bookmark:WzEsM10,x&per_page=100",
    );
  });

  it("returns null on the last page or without a header", () => {
    expect(nextPageUrl('<https://c.test/x?page=1>; rel="first"')).toBeNull();
    expect(nextPageUrl(null)).toBeNull();
    expect(nextPageUrl("garbage")).toBeNull();
  });
});
