/** Files: JSON shape, rename/move timestamps, replacement, soft delete, downloads via signed storage URLs. */
import { describe, expect, it } from "vitest";
import { FILES, START, clock, collect, get, getJson, sha256Hex, sim } from "../support/simulator-harness";
import { Sha256 } from "../local/simulator/sha256";
import type { CanvasSimulator } from "../local/simulator";

type FileJson = {
  id: number;
  uuid: string;
  url: string;
  size: number;
  folder_id: number;
  display_name: string;
  updated_at: string;
  modified_at: string;
  created_at: string;
  "content-type": string;
};

function url(id: number, uuid: string): string {
  return `https://canvas.test/files/${id}/download?download_frd=1&verifier=${uuid}`;
}

async function download(s: CanvasSimulator, downloadUrl: string): Promise<Response> {
  const redirect = await s.fetch(downloadUrl, { redirect: "manual" });
  expect(redirect.status).toBe(302);
  return s.fetch(redirect.headers.get("location") ?? "");
}

describe("file metadata", () => {
  it("has Canvas's fields, including the hyphenated content-type and the verifier download url", async () => {
    const s = sim();
    const file = await getJson<FileJson>(s, "/api/v1/files/2001");
    expect(file["content-type"]).toBe("application/pdf");
    expect(file.url).toBe(`https://canvas.test/files/2001/download?download_frd=1&verifier=${file.uuid}`);
    for (const key of [
      "folder_id",
      "display_name",
      "filename",
      "size",
      "created_at",
      "updated_at",
      "modified_at",
      "locked",
      "hidden",
      "uuid",
    ]) {
      expect(file).toHaveProperty(key);
    }
    expect(await getJson<FileJson>(s, "/api/v1/courses/101/files/2001")).toEqual(file);
    expect((await get(s, "/api/v1/courses/102/files/2001")).status).toBe(404);
  });

  it("sorts the file list by size, descending", async () => {
    const s = sim();
    const { items } = await collect<FileJson>(s, "/api/v1/courses/101/files?sort=size&order=desc&per_page=3");
    const sizes = items.map((f) => f.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    const truth = await s.control.truth(101, { hashes: false });
    expect(items.length).toBe(truth.files.length);
    expect(items.length).toBeGreaterThanOrEqual(15);
  });

  it("moves updated_at but not modified_at on rename and move", async () => {
    const c = clock();
    const s = sim({}, c);
    const before = await getJson<FileJson>(s, "/api/v1/files/2005");
    c.advance(120_000);
    s.control.renameFile(101, 2005, "renamed.txt");
    c.advance(60_000);
    const folder = s.control.createFolder(101, { name: "Moved" });
    s.control.moveFile(101, 2005, folder.id);
    const after = await getJson<FileJson>(s, "/api/v1/files/2005");
    expect(after.display_name).toBe("renamed.txt");
    expect(after.folder_id).toBe(folder.id);
    expect(after.modified_at).toBe(before.modified_at);
    expect(Date.parse(after.updated_at)).toBe(START + 180_000);
    expect(Date.parse(before.updated_at)).toBeLessThan(START);
    expect(after.id).toBe(before.id);
  });

  it("replaces a file with a new id in the same folder, re-pointing module items; the old id is 404", async () => {
    const s = sim();
    const old = await getJson<FileJson>(s, "/api/v1/files/2001");
    const modulesBefore = await getJson<Array<{ items: Array<{ type: string; content_id?: number }> }>>(
      s,
      "/api/v1/courses/101/modules?include[]=items&per_page=50",
    );
    expect(
      modulesBefore.flatMap((m) => m.items).some((i) => i.type === "File" && i.content_id === 2001),
    ).toBe(true);
    const replaced = s.control.replaceFile(101, 2001, {
      document: { kind: "pdf", pages: ["A brand new lecture"] },
    });
    expect(replaced.id).not.toBe(2001);
    const fresh = await getJson<FileJson>(s, `/api/v1/files/${replaced.id}`);
    expect(fresh.folder_id).toBe(old.folder_id);
    expect(fresh.display_name).toBe(old.display_name);
    expect(fresh.size).not.toBe(old.size);
    const gone = await get(s, "/api/v1/files/2001");
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ errors: [{ message: "The specified resource does not exist." }] });
    const items = (
      await getJson<Array<{ items: Array<{ type: string; content_id?: number }> }>>(
        s,
        "/api/v1/courses/101/modules?include[]=items&per_page=50",
      )
    ).flatMap((m) => m.items);
    expect(items.some((i) => i.type === "File" && i.content_id === 2001)).toBe(false);
    expect(items.some((i) => i.type === "File" && i.content_id === replaced.id)).toBe(true);
    const truth = await s.control.truth(101);
    expect(truth.replaced_files).toContainEqual({ old_id: 2001, new_id: replaced.id });
    expect(truth.deleted.files).toContain(2001);
    expect(truth.files.find((f) => f.id === replaced.id)?.text).toBe("A brand new lecture");
    // Uploading the same name into the same folder is an overwrite too (on_duplicate=overwrite is the default).
    const again = s.control.createFile(101, { name: old.display_name, folder_id: old.folder_id, text: "x" });
    expect(again.replaced).toBe(replaced.id);
  });

  it("soft-deletes a file: gone from lists, 404 on both single routes", async () => {
    const s = sim();
    s.control.deleteFile(101, 2006);
    const { items } = await collect<FileJson>(s, "/api/v1/courses/101/files?per_page=4");
    expect(items.map((f) => f.id)).not.toContain(2006);
    expect((await get(s, "/api/v1/files/2006")).status).toBe(404);
    expect((await get(s, "/api/v1/courses/101/files/2006")).status).toBe(404);
    expect((await get(s, "/files/2006/download?download_frd=1")).status).toBe(404);
  });
});

describe("downloads", () => {
  it("redirects to a signed storage URL whose bytes hash to truth, for every demo file", async () => {
    const s = sim();
    const truth = await s.control.truth(101);
    const files = await collect<FileJson>(s, "/api/v1/courses/101/files?per_page=100");
    for (const file of files.items) {
      const redirect = await s.fetch(file.url, { redirect: "manual" });
      expect(redirect.status).toBe(302);
      const location = new URL(redirect.headers.get("location") ?? "");
      expect(location.origin).toBe(FILES);
      expect(location.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
      const bytes = await s.fetch(location.href);
      expect(bytes.status).toBe(200);
      expect(bytes.headers.get("content-type")).toBe(file["content-type"]);
      const body = await bytes.arrayBuffer();
      expect(Number(bytes.headers.get("content-length"))).toBe(body.byteLength);
      const expected = truth.files.find((f) => f.id === file.id);
      expect(body.byteLength).toBe(expected?.size);
      expect(await sha256Hex(body)).toBe(expected?.sha256);
    }
    const deck = truth.files.find((f) => f.display_name.endsWith(".pptx"));
    const deckElsewhere = (await s.control.truth(102)).files.find((f) => f.display_name.endsWith(".pptx"));
    expect(deck?.sha256).toBe(deckElsewhere?.sha256);
    expect(
      new Uint8Array(await (await download(s, files.items[0]?.url ?? "")).arrayBuffer()).length,
    ).toBeGreaterThan(0);
  });

  it("storage refuses an Authorization header (400 S3 XML) and bad or expired signatures (403)", async () => {
    const c = clock();
    const s = sim({}, c);
    const redirect = await s.fetch("https://canvas.test/files/2001/download?download_frd=1", {
      redirect: "manual",
      headers: { authorization: "Bearer sim-token" },
    });
    const location = redirect.headers.get("location") ?? "";
    const withAuth = await s.fetch(location, { headers: { authorization: "Bearer sim-token" } });
    expect(withAuth.status).toBe(400);
    expect(await withAuth.text()).toContain("Only one auth mechanism allowed");
    const tampered = location.replace(
      /signature=[0-9a-f]/,
      (m) => `${m.slice(0, -1)}${m.endsWith("0") ? "1" : "0"}`,
    );
    expect((await s.fetch(tampered)).status).toBe(403);
    c.advance(301_000);
    const expired = await s.fetch(location);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("Request has expired");
  });

  it("follows the redirect like fetch() when asked to, dropping Authorization at the origin change", async () => {
    const s = sim();
    const file = await getJson<FileJson>(s, "/api/v1/files/2005");
    const followed = await s.fetch(file.url, { headers: { authorization: "Bearer sim-token" } });
    expect(followed.status).toBe(200);
    expect((await followed.arrayBuffer()).byteLength).toBe(file.size);
    await expect(s.fetch(file.url, { redirect: "error" })).rejects.toThrow(/redirect/);
  });

  it("needs the verifier or a valid token", async () => {
    const s = sim();
    const file = await getJson<FileJson>(s, "/api/v1/files/2002");
    expect(
      (await s.fetch("https://canvas.test/files/2002/download?download_frd=1", { redirect: "manual" }))
        .status,
    ).toBe(401);
    expect(
      (
        await s.fetch("https://canvas.test/files/2002/download?download_frd=1&verifier=wrong", {
          redirect: "manual",
        })
      ).status,
    ).toBe(401);
    expect((await s.fetch(file.url, { redirect: "manual" })).status).toBe(302);
    expect(
      (await s.fetch(file.url, { redirect: "manual", headers: { authorization: "Bearer bad" } })).status,
    ).toBe(401);
  });

  it("serves misbehaving files as flagged: no Content-Length, a lying Content-Length, a lying size, corrupt bytes", async () => {
    const s = sim();
    const chunked = s.control.createFile(101, {
      name: "chunked.txt",
      text: "hello chunked world\n",
      flags: { omitContentLength: true },
    });
    const liar = s.control.createFile(101, {
      name: "liar.txt",
      text: "twelve bytes",
      flags: { contentLengthDelta: 100 },
    });
    const sized = s.control.createFile(101, {
      name: "sized.txt",
      text: "abc",
      flags: { declaredSizeDelta: 5 },
    });
    const broken = s.control.createFile(101, {
      name: "broken.docx",
      document: { kind: "docx", paragraphs: ["hello"] },
      corrupt: true,
    });
    const a = await download(s, url(chunked.id, chunked.uuid));
    expect(a.headers.get("content-length")).toBeNull();
    expect(await a.text()).toBe("hello chunked world\n");
    const b = await download(s, url(liar.id, liar.uuid));
    expect(b.headers.get("content-length")).toBe("112");
    expect((await b.arrayBuffer()).byteLength).toBe(12);
    expect((await getJson<FileJson>(s, `/api/v1/files/${sized.id}`)).size).toBe(8);
    const brokenBytes = new Uint8Array(await (await download(s, url(broken.id, broken.uuid))).arrayBuffer());
    const truth = await s.control.truth(101);
    const brokenTruth = truth.files.find((f) => f.id === broken.id);
    expect(brokenTruth?.flags.corrupt).toBe(true);
    expect(brokenTruth?.size).toBe(brokenBytes.length);
    expect(await sha256Hex(brokenBytes)).toBe(brokenTruth?.sha256);
    expect(truth.files.find((f) => f.id === sized.id)).toMatchObject({ size: 3, declared_size: 8 });
  });

  it("streams a large generated file on the fly with its SHA-256 known to truth", async () => {
    const s = sim();
    const size = 40 * 1024 * 1024 + 123;
    const big = s.control.createFile(101, { name: "big.bin", size });
    const response = await download(
      s,
      `https://canvas.test/files/${big.id}/download?download_frd=1&verifier=${big.uuid}`,
    );
    expect(response.headers.get("content-length")).toBe(String(size));
    const reader = response.body?.getReader();
    const hasher = new Sha256();
    let total = 0;
    let chunks = 0;
    for (;;) {
      const next = await reader?.read();
      if (next === undefined || next.done) break;
      hasher.update(next.value);
      total += next.value.length;
      chunks++;
    }
    expect(total).toBe(size);
    expect(chunks).toBeGreaterThan(100);
    expect(hasher.digestHex()).toBe(await s.control.fileSha256(big.id));
    expect(s.control.counters().byEndpoint["GET /blobs/:id"]?.fileBytes).toBe(size);
  });

  it("the JS SHA-256 matches crypto.subtle at block boundaries", async () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 70_000]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 31 + 7) & 0xff);
      const split = Math.floor(length / 3);
      const incremental = new Sha256()
        .update(bytes.subarray(0, split))
        .update(bytes.subarray(split))
        .digestHex();
      expect(incremental).toBe(await sha256Hex(bytes));
    }
  });
});
