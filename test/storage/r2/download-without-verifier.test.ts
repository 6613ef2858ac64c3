/**
 * Canvas's 2026 removal of `verifier` file URLs (canvas-2026.md): with the simulator in that mode, file URLs carry
 * no verifier, the Canvas download hop opens only with the bearer token, and the S3-like storage hop still refuses
 * any Authorization header. The downloader sends the token to the Canvas hop and never to storage, byte for byte
 * against the simulator's truth; a whole course syncs in that mode with every file's SHA-256 right.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createCanvasSimulator, type CanvasSimulator } from "../../local/simulator";
import { downloadCanvasFile } from "../../../src/storage/r2/download";
import {
  api,
  apiJson,
  CANVAS_ORIGIN,
  CANVAS_TOKEN,
  resetStorage,
  sha256Hex,
  startSimulator,
  STORAGE_ORIGIN,
  syncNow,
} from "../../support/harness";

interface Hop {
  origin: string;
  authorization: string | null;
  status: number;
}

/** The simulator's fetch, recording each hop's origin, Authorization header and answer. */
function recording(simulator: CanvasSimulator): { fetch: typeof fetch; hops: Hop[] } {
  const hops: Hop[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const response = await simulator.fetch(request);
    hops.push({
      origin: new URL(request.url).origin,
      authorization: request.headers.get("authorization"),
      status: response.status,
    });
    return response;
  };
  return { fetch: fetchImpl, hops };
}

describe("file downloads without verifiers", () => {
  it("the simulator's mode: no verifier in file URLs, token required on the Canvas hop, none on storage", async () => {
    const simulator = createCanvasSimulator({
      apiOrigin: CANVAS_ORIGIN,
      storageOrigin: STORAGE_ORIGIN,
      tokens: [CANVAS_TOKEN],
      fileVerifiers: false,
    });
    const auth = { authorization: `Bearer ${CANVAS_TOKEN}` };
    const [file] = await (
      await simulator.fetch(`${CANVAS_ORIGIN}/api/v1/courses/101/files`, { headers: auth })
    ).json<{ id: number; uuid: string; url: string }[]>();
    if (!file) throw new Error("no file");
    expect(file.url).toBe(`${CANVAS_ORIGIN}/files/${file.id}/download?download_frd=1`);
    // The old verifier no longer opens the file.
    const withVerifier = `${file.url}&verifier=${file.uuid}`;
    const refused = await simulator.fetch(withVerifier, { redirect: "manual" });
    expect(refused.status).toBe(401);
    const hop = await simulator.fetch(file.url, { headers: auth, redirect: "manual" });
    expect(hop.status).toBe(302);
    const location = hop.headers.get("location") ?? "";
    expect(new URL(location).origin).toBe(STORAGE_ORIGIN);
    expect((await simulator.fetch(location, { headers: auth })).status).toBe(400);
    expect((await simulator.fetch(location)).status).toBe(200);
    // Turned back on (here through the HTTP control API), the verifier works again.
    const toggled = await simulator.fetch(`${CANVAS_ORIGIN}/__sim/files/verifiers`, {
      method: "POST",
      body: JSON.stringify({ enabled: true }),
    });
    expect(toggled.status).toBe(200);
    expect((await simulator.fetch(withVerifier, { redirect: "manual" })).status).toBe(302);
  });

  it("downloadCanvasFile sends the token on the Canvas hop only and gets the right bytes", async () => {
    const simulator = createCanvasSimulator({
      apiOrigin: CANVAS_ORIGIN,
      storageOrigin: STORAGE_ORIGIN,
      tokens: [CANVAS_TOKEN],
      fileVerifiers: false,
    });
    const truth = await simulator.control.truth(101);
    const [file] = truth.files;
    if (!file) throw new Error("no file");
    const { fetch, hops } = recording(simulator);
    const response = await downloadCanvasFile(`${CANVAS_ORIGIN}/files/${file.id}/download?download_frd=1`, {
      canvasOrigin: CANVAS_ORIGIN,
      token: CANVAS_TOKEN,
      allowedHosts: [new URL(STORAGE_ORIGIN).host],
      fetch,
      timeoutMs: 10_000,
    });
    expect(await sha256Hex(await response.arrayBuffer())).toBe(file.sha256);
    expect(hops).toEqual([
      { origin: CANVAS_ORIGIN, authorization: `Bearer ${CANVAS_TOKEN}`, status: 302 },
      { origin: STORAGE_ORIGIN, authorization: null, status: 200 },
    ]);
  });
});

describe("a course synced after Canvas stopped honouring verifiers", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 5,
      fileVerifiers: false,
      institution: { courses: [{ id: 161, items: 40 }] },
    });
  });

  it("mirrors every file's bytes, with the token sent to Canvas and never to the storage host", async () => {
    const { fetch, hops } = recording(simulator);
    vi.mocked(globalThis.fetch).mockImplementation(fetch);
    expect((await api("/api/courses", { method: "POST", json: { canvasCourseId: 161 } })).status).toBe(201);
    const job = await syncNow(161);
    expect(job.status).toBe("succeeded");
    const truth = await simulator.control.truth(161);
    expect(truth.files.length).toBeGreaterThan(5);
    const page = await apiJson<{ items: { canvasId: string; data: Record<string, unknown> }[] }>(
      "/api/courses/161/items?type=file&limit=500",
    );
    const mirrored = new Map(page.items.map((item) => [item.canvasId, item.data["sha256"]]));
    expect(truth.files.map((file) => [file.display_name, mirrored.get(String(file.id))])).toEqual(
      truth.files.map((file) => [file.display_name, file.sha256]),
    );
    const storageHops = hops.filter((hop) => hop.origin === STORAGE_ORIGIN);
    const canvasHops = hops.filter((hop) => hop.origin === CANVAS_ORIGIN);
    expect(storageHops.length).toBe(truth.files.length);
    expect(storageHops.every((hop) => hop.authorization === null && hop.status === 200)).toBe(true);
    expect(canvasHops.every((hop) => hop.authorization === `Bearer ${CANVAS_TOKEN}`)).toBe(true);
    expect(canvasHops.filter((hop) => hop.status === 302).length).toBe(truth.files.length);
  });
});
