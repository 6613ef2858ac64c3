/** Canvas HTML bodies to text: blocks separate words, entities decode, non-content elements drop out. */
import { describe, expect, it } from "vitest";
import { extractHtml, htmlToText } from "../../src/extract";

describe("htmlToText", () => {
  it("turns blocks into line and paragraph breaks so adjacent words never merge", () => {
    const html =
      "<div>bold<b>line</b></div><ul><li>item one</li><li>item two</li></ul><p>para</p>end<br>next";
    expect(htmlToText(html)).toBe("boldline\n\nitem one\nitem two\n\npara\n\nend\nnext");
  });

  it("decodes entities and collapses whitespace, including &nbsp;", () => {
    expect(htmlToText("<p>caf&eacute; &amp;&nbsp;&nbsp;tea &#x263A;\n\n  &lt;tag&gt;</p>")).toBe(
      "café & tea ☺ <tag>",
    );
  });

  it("drops script, style, head, iframes and svg; keeps img alt text", () => {
    const html =
      "<html><head><title>Title</title><style>p{color:red}</style></head><body>" +
      "<script>var x = '<p>no</p>';</script><p>Visible<img src=x alt='Equation: x^2'>text</p>" +
      "<iframe src='https://video'>fallback</iframe><svg><text>vector</text></svg><noscript>ns</noscript></body></html>";
    expect(htmlToText(html)).toBe("Visible Equation: x^2 text");
  });

  it("merges adjacent breaks, but <br><br> is a blank line", () => {
    expect(htmlToText("<div><div><p>deep</p></div></div><div>next</div>")).toBe("deep\n\nnext");
    expect(htmlToText("one<br>two<br><br>three")).toBe("one\ntwo\n\nthree");
  });

  it("separates table cells with tabs and rows with lines", () => {
    const html = "<table><tr><th>Name</th><th>Score</th></tr><tr><td>Ann</td><td>10</td></tr></table>";
    expect(htmlToText(html)).toBe("Name\tScore\nAnn\t10");
  });

  it("keeps inline elements inline and survives malformed markup (a <div> closes an open <p>)", () => {
    expect(htmlToText("<p>An <a href='/x'>inline <em>link</em></a>, then <p>unclosed <div>nested")).toBe(
      "An inline link, then\n\nunclosed\n\nnested",
    );
  });

  it("stops at maxChars and reports truncation; chunked input gives the same text", () => {
    const html = `<p>${"word ".repeat(50_000)}</p><p>tail</p>`;
    const whole = extractHtml(html, 1000);
    expect(whole.truncated).toBe(true);
    expect(whole.text.length).toBeLessThanOrEqual(1000);
    expect(extractHtml(html, 10_000_000)).toEqual({
      text: `${"word ".repeat(50_000).trim()}\n\ntail`,
      truncated: false,
    });
    const chunks = ["<p>sp", "lit ac", "ross chu", "nks &am", "p; more</p>"];
    expect(extractHtml(chunks, 100)).toEqual({ text: "split across chunks & more", truncated: false });
  });
});
