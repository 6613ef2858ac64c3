/**
 * The pure parts of search: the simple query language compiles to FTS5 expressions that quote every user term; the
 * snippet renderer escapes HTML, balances marks cut by the window and trims partial words; Canvas URLs follow
 * Canvas's web routes; text pages cover a long text exactly once.
 */
import { describe, expect, it } from "vitest";
import { canvasItemUrl } from "../../src/search/item-url";
import { pageText } from "../../src/mcp/text-page";
import { compileQuery } from "../../src/search/fts-query";
import { renderSnippet } from "../../src/search/snippet";
import { MARK_CLOSE as C, MARK_OPEN as O, queryErrorMessage } from "../../src/storage/d1/search";

describe("compileQuery (simple syntax)", () => {
  it.each([
    ["photosynthesis light", '"photosynthesis" AND "light"'],
    ['"light energy" plants', '"light energy" AND "plants"'],
    ["photo*", '"photo" *'],
    ["cells -plants", '("cells") NOT ("plants")'],
    ["cells OR tissues organs", '("cells" OR "tissues") AND "organs"'],
    ['say "hi', '"say" AND "hi"'],
    ['quote"inside', '"quote""inside"'],
    ["AND OR NOT", '("AND" OR "NOT")'],
    ["title:x NEAR(a b)", '"title:x" AND "NEAR(a" AND "b)"'],
    ["  !!! cells ...", '"cells"'],
  ])("%s -> %s", (query, match) => {
    expect(compileQuery(query)).toEqual({ ok: true, match });
  });

  it("refuses queries with nothing to search for, or too much", () => {
    expect(compileQuery("   ")).toEqual({ ok: false, message: "the query is empty" });
    expect(compileQuery("-cells -plants")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not excluded/),
    });
    expect(compileQuery("!!! ???")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no searchable/),
    });
    expect(compileQuery(Array.from({ length: 33 }, (_, i) => `w${i}`).join(" "))).toMatchObject({
      ok: false,
    });
    expect(compileQuery("x".repeat(501))).toMatchObject({ ok: false });
  });

  it("passes the fts5 syntax through and recognises FTS5's own errors", () => {
    expect(compileQuery("a NEAR b", "fts5")).toEqual({ ok: true, match: "a NEAR b" });
    expect(queryErrorMessage(new Error('D1_ERROR: fts5: syntax error near "": SQLITE_ERROR'))).toBe(
      'fts5: syntax error near ""',
    );
    expect(queryErrorMessage(new Error("D1_ERROR: no such table: items: SQLITE_ERROR"))).toBeNull();
  });
});

describe("renderSnippet", () => {
  it("escapes everything but the marks", () => {
    const hit = {
      titleMarked: "T",
      bodyWindow: { text: `<b>${O}x${C}</b> & "q"`, cutStart: false, cutEnd: false },
    };
    expect(renderSnippet(hit, "html")).toBe("&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; &quot;q&quot;");
    expect(renderSnippet(hit, "markdown")).toBe('<b>**x**</b> & "q"');
  });

  it("trims partial words at cut edges, balances marks and adds ellipses", () => {
    const hit = {
      titleMarked: "T",
      bodyWindow: { text: `tch${C} words before ${O}match${C} and ${O}cu`, cutStart: true, cutEnd: true },
    };
    expect(renderSnippet(hit, "html")).toBe("… words before <mark>match</mark> and …");
    const unbalanced = {
      titleMarked: "T",
      bodyWindow: { text: `x${C} y ${O}open end`, cutStart: false, cutEnd: false },
    };
    expect(renderSnippet(unbalanced, "html")).toBe("x y <mark>open end</mark>");
  });

  it("falls back to the marked title when the body is empty", () => {
    const hit = { titleMarked: `Week ${O}one${C}`, bodyWindow: { text: "", cutStart: false, cutEnd: false } };
    expect(renderSnippet(hit, "html")).toBe("Week <mark>one</mark>");
  });
});

describe("canvasItemUrl", () => {
  const base = "https://school.instructure.com/";
  it.each([
    [{ type: "page", canvasId: "5", pageSlug: "week-1" }, "/courses/7/pages/week-1"],
    [{ type: "file", canvasId: "9" }, "/courses/7/files/9"],
    [{ type: "announcement", canvasId: "3" }, "/courses/7/discussion_topics/3"],
    [{ type: "syllabus", canvasId: "7" }, "/courses/7/assignments/syllabus"],
    [{ type: "module", canvasId: "4" }, "/courses/7/modules#module_4"],
    [
      { type: "folder", canvasId: "2", folderPath: "course files/Week 1/Slides" },
      "/courses/7/files/folder/Week%201/Slides",
    ],
    [{ type: "folder", canvasId: "1", folderPath: "course files" }, "/courses/7/files"],
  ] as const)("%o", (facts, path) => {
    expect(canvasItemUrl(base, { courseId: 7, ...facts })).toBe(`https://school.instructure.com${path}`);
  });
});

describe("pageText", () => {
  it("covers the text exactly once without splitting words where it can", () => {
    const text = Array.from({ length: 3_000 }, (_, i) => `word${i}`).join(" ");
    let offset: number | null = 0;
    const pages: string[] = [];
    while (offset !== null) {
      const page = pageText(text, offset, 1_000);
      pages.push(page.content);
      offset = page.nextOffset;
    }
    expect(pages.join("")).toBe(text);
    expect(Math.max(...pages.map((page) => page.length))).toBeLessThanOrEqual(1_000);
    // Every page but the last ends between words.
    expect(pages.slice(0, -1).filter((page) => !page.endsWith(" "))).toEqual([]);
    expect(pageText(text, text.length + 10, 100)).toEqual({
      totalChars: text.length,
      offset: text.length,
      content: "",
      nextOffset: null,
    });
  });
});
