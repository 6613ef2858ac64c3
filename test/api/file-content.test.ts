/**
 * Mirrored files cannot attack the operator: files uploaded to a course (HTML, SVG, XHTML, a PNG, a PDF, names with
 * quotes, newlines and non-ASCII) are synced through the real pipeline from the simulator, then fetched from
 * GET /api/courses/:id/files/:fileId/content. Every answer is an attachment with nosniff, a sandboxing CSP and a
 * same-origin resource policy; `?inline=1` is honoured for passive types only; script-capable types are never
 * labelled as such; the filename survives RFC 6266 encoding exactly.
 */
import { parse as parseDisposition } from "content-disposition";
import { beforeAll, describe, expect, it } from "vitest";
import type { CanvasSimulator } from "../local/simulator";
import { api, resetStorage, sha256Hex, startSimulator, syncNow } from "../support/harness";

const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);
const HTML = "<!doctype html><script>fetch('/api/courses').then(r=>r.text()).then(alert)</script>";
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>';
const XHTML =
  '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(document.domain)</script></body></html>';

const utf8 = (value: string) => new TextEncoder().encode(value);

interface Uploaded {
  id: number;
  name: string;
  bytes: Uint8Array;
}

let course = 0;
const files: Record<string, Uploaded> = {};

function upload(
  simulator: CanvasSimulator,
  key: string,
  name: string,
  contentType: string,
  bytes: Uint8Array,
) {
  const { id } = simulator.control.createFile(course, { name, content_type: contentType, bytes });
  files[key] = { id, name, bytes };
}

beforeAll(async () => {
  await resetStorage();
  const simulator = startSimulator({ institution: "empty" });
  course = simulator.control.createCourse({ name: "Hostile uploads" }).id;
  upload(simulator, "html", "syllabus.html", "text/html", utf8(HTML));
  upload(simulator, "svg", "logo.svg", "image/svg+xml", utf8(SVG));
  upload(simulator, "xhtml", "page.xhtml", "application/xhtml+xml", utf8(XHTML));
  upload(simulator, "png", "diagram.png", "image/png", PNG);
  upload(simulator, "txt", "notes.txt", "text/plain; charset=utf-8", utf8("plain words"));
  upload(simulator, "pdf", "reading.pdf", "application/pdf", utf8("%PDF-1.4\n%%EOF\n"));
  // A PNG label on HTML bytes: nosniff keeps the browser from reading it as a page even inline.
  upload(simulator, "fakePng", "photo.png", "image/png", utf8(HTML));
  upload(simulator, "quoted", 'say "hi"; filename=evil.html', "text/plain", utf8("q"));
  upload(simulator, "newline", "two\r\nlines\nContent-Type: text/html.txt", "text/plain", utf8("n"));
  upload(simulator, "unicode", "Übung – 日本語 ✓.pdf", "application/pdf", utf8("%PDF-1.4\n"));
  upload(simulator, "percent", "100%25 done.txt", "text/plain", utf8("p"));
  upload(simulator, "dots", "../../etc/passwd", "text/plain", utf8("d"));
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: course } });
  if (registered.status !== 201) throw new Error(`registering answered ${registered.status}`);
  const job = await syncNow(course, "full");
  if (job.status !== "succeeded") throw new Error(`the sync ended ${job.status}: ${job.error}`);
});

async function fetchFile(key: string, query = ""): Promise<Response> {
  const file = files[key];
  if (file === undefined) throw new Error(`no file ${key}`);
  return api(`/api/courses/${course}/files/${file.id}/content${query}`);
}

function expectProtected(response: Response): void {
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
  expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  expect(response.headers.get("cache-control")).toContain("private");
}

function disposition(response: Response): { type: string; filename: string | undefined } {
  const parsed = parseDisposition(response.headers.get("content-disposition") ?? "");
  return { type: parsed.type, filename: parsed.parameters["filename"] };
}

describe("GET /api/courses/:id/files/:fileId/content", () => {
  it.each(["html", "svg", "xhtml"])(
    "serves %s as an octet-stream attachment, inline refused, bytes intact",
    async (key) => {
      for (const query of ["", "?inline=1", "?inline=0"]) {
        const response = await fetchFile(key, query);
        expect(response.status).toBe(200);
        expectProtected(response);
        expect(response.headers.get("content-type")).toBe("application/octet-stream");
        expect(disposition(response)).toEqual({ type: "attachment", filename: files[key]?.name });
        const bytes = await response.arrayBuffer();
        expect(await sha256Hex(bytes)).toBe(
          await sha256Hex(files[key]?.bytes.slice().buffer ?? new ArrayBuffer(0)),
        );
      }
    },
  );

  it.each([
    ["png", "image/png"],
    ["pdf", "application/pdf"],
    ["txt", "text/plain; charset=utf-8"],
  ])("serves %s as an attachment by default and inline with ?inline=1", async (key, type) => {
    const attached = await fetchFile(key);
    expectProtected(attached);
    expect(attached.headers.get("content-type")).toBe(type);
    expect(disposition(attached).type).toBe("attachment");
    await attached.arrayBuffer();

    const inline = await fetchFile(key, "?inline=1");
    expect(inline.status).toBe(200);
    expectProtected(inline);
    expect(inline.headers.get("content-type")).toBe(type);
    expect(disposition(inline)).toEqual({ type: "inline", filename: files[key]?.name });
    expect(new Uint8Array(await inline.arrayBuffer())).toEqual(files[key]?.bytes);
  });

  it("shows HTML bytes labelled image/png inline only as an image, with nosniff", async () => {
    const response = await fetchFile("fakePng", "?inline=1");
    expectProtected(response);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(disposition(response).type).toBe("inline");
    await response.arrayBuffer();
  });

  it("encodes hostile and non-ASCII names per RFC 6266 without breaking the header", async () => {
    const quoted = await fetchFile("quoted");
    const quotedHeader = quoted.headers.get("content-disposition") ?? "";
    // One disposition, one filename pair: the quote and the semicolon stay inside the encoded values.
    expect(quotedHeader).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[^\s;"]+$/);
    expect(disposition(quoted).filename).toBe('say "hi"; filename=evil.html');
    await quoted.arrayBuffer();

    const newline = await fetchFile("newline");
    const newlineHeader = newline.headers.get("content-disposition") ?? "";
    expect(newlineHeader).not.toMatch(/[\r\n]/);
    expect(newline.headers.get("content-type")).toBe("text/plain");
    expect(disposition(newline).filename).toBe("two__lines_Content-Type: text_html.txt");
    await newline.arrayBuffer();

    const unicode = await fetchFile("unicode");
    const unicodeHeader = unicode.headers.get("content-disposition") ?? "";
    expect(unicodeHeader).toContain(
      "filename*=UTF-8''%C3%9Cbung%20%E2%80%93%20%E6%97%A5%E6%9C%AC%E8%AA%9E%20%E2%9C%93.pdf",
    );
    // The ASCII fallback drops accents and replaces what ASCII cannot say.
    expect(unicodeHeader).toContain('filename="Ubung _ ___ _.pdf"');
    expect(disposition(unicode).filename).toBe("Übung – 日本語 ✓.pdf");
    await unicode.arrayBuffer();

    const percent = await fetchFile("percent");
    expect(percent.headers.get("content-disposition")).toContain('filename="100_25 done.txt"');
    expect(disposition(percent).filename).toBe("100%25 done.txt");
    await percent.arrayBuffer();

    const dots = await fetchFile("dots");
    expect(disposition(dots).filename).toBe("_.._etc_passwd");
    await dots.arrayBuffer();
  });

  it("answers HEAD with the same protective headers and no body", async () => {
    const file = files["svg"];
    const response = await api(`/api/courses/${course}/files/${file?.id}/content?inline=1`, {
      method: "HEAD",
    });
    expect(response.status).toBe(200);
    expectProtected(response);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(disposition(response).type).toBe("attachment");
    expect(await response.text()).toBe("");
  });

  it("refuses an inline value other than 0 or 1 without echoing it", async () => {
    const response = await fetchFile("png", "?inline=%3Cscript%3E");
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain("inline must be 0 or 1");
    expect(text).not.toContain("<script>");
  });
});
