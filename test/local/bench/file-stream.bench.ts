/**
 * `npm run bench` (file pipeline part): one 1 GiB Canvas file streamed through the real download path (302 to the
 * storage host, no token there) into local R2 while hashing, and a simulated term in which one slide deck is uploaded
 * to many courses (bytes stored vs bytes referenced). Prints BENCH_JSON lines; the Node side (test/local/cli/bench.ts)
 * measures the worker process's peak memory between the BENCH_MARK stream lines. That process also runs the
 * simulator producing the file and local R2 storing it, so the figure is an upper bound of the worker's own use.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createCanvasSimulator } from "../simulator";
import { makePptx } from "../simulator/documents";
import { createFileStore } from "../../../src/storage/file-store";
import { resetStorage } from "../../support/harness";
import { BENCH_CANVAS, BENCH_TOKEN, measureSync } from "./sync-driver";
import { openDatabase } from "../../../src/storage/d1/client";

const GiB = 1024 * 1024 * 1024;
const STREAM_BYTES = Number(env.BENCH_STREAM_BYTES ?? GiB);

it(
  "streams a 1 GiB file into R2 with its SHA-256 (its memory measured by the Node side)",
  { timeout: 3_600_000 },
  async () => {
    await resetStorage();
    const simulator = createCanvasSimulator({
      apiOrigin: BENCH_CANVAS,
      storageOrigin: "https://files.canvas-storage.test",
      institution: "empty",
      tokens: [BENCH_TOKEN],
      throttle: { enabled: false },
    });
    const course = simulator.control.createCourse({ name: "Lecture videos" }).id;
    const file = simulator.control.createFile(course, {
      name: "lecture.mp4",
      size: STREAM_BYTES,
      content_type: "video/mp4",
    });
    const expected = await simulator.control.fileSha256(file.id);
    const fileResponse = await simulator.fetch(`${BENCH_CANVAS}/api/v1/files/${file.id}`, {
      headers: { authorization: `Bearer ${BENCH_TOKEN}` },
    });
    const fileJson = await fileResponse.json<{ url: string }>();
    let bytes = 0;
    const store = createFileStore({
      db: openDatabase(env.DB),
      bucket: env.BLOBS,
      canvasOrigin: BENCH_CANVAS,
      token: BENCH_TOKEN,
      allowedHosts: ["canvas.test", "files.canvas-storage.test"],
      fetch: (input, init) => simulator.fetch(input, init),
      timeoutMs: 3_600_000,
      multipartThresholdBytes: 100 * 1024 * 1024,
      now: Date.now,
      onBytes: (count) => {
        bytes += count;
      },
    });
    console.log("BENCH_MARK stream-start");
    const started = Date.now();
    const stored = await store.storeFile({
      courseId: course,
      fileId: file.id,
      url: fileJson.url,
      size: STREAM_BYTES,
      contentType: "video/mp4",
      version: "v1",
    });
    const seconds = (Date.now() - started) / 1000;
    console.log("BENCH_MARK stream-end");
    expect(stored.sha256).toBe(expected);
    const head = await env.BLOBS.head(stored.r2Key);
    expect(head?.size).toBe(STREAM_BYTES);
    console.log(
      `BENCH_JSON ${JSON.stringify({
        benchmark: "file-stream",
        bytes,
        seconds,
        megabytesPerSecond: Math.round((bytes / 1024 / 1024 / seconds) * 10) / 10,
        sha256Matches: stored.sha256 === expected,
        multipart: STREAM_BYTES > 100 * 1024 * 1024,
      })}`,
    );
  },
);

it("a term where one deck is uploaded to many courses stores it once", { timeout: 3_600_000 }, async () => {
  await resetStorage();
  const courses = 20;
  const simulator = createCanvasSimulator({
    apiOrigin: BENCH_CANVAS,
    storageOrigin: "https://files.canvas-storage.test",
    seed: 9,
    institution: { courses: Array.from({ length: courses }, (_, index) => ({ id: 700 + index, items: 40 })) },
    tokens: [BENCH_TOKEN],
    throttle: { enabled: false },
  });
  const deck = makePptx(
    Array.from({ length: 400 }, (_, slide) => [
      `Orientation slide ${slide + 1}`,
      `Welcome to the term, part ${slide}`,
    ]),
  );
  const deckSha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", deck))]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  for (let index = 0; index < courses; index++) {
    simulator.control.createFile(700 + index, { name: "Orientation deck.pptx", bytes: deck });
  }
  let blobHits = 0;
  for (let index = 0; index < courses; index++) {
    blobHits += (await measureSync(simulator, 700 + index, "full")).report.dedup.blobHits;
  }
  const stored = await env.DB.prepare("SELECT sum(size) AS bytes, count(*) AS blobs FROM blobs").first<{
    bytes: number;
    blobs: number;
  }>();
  const referenced = await env.DB.prepare(
    "SELECT sum(b.size) AS bytes, count(*) AS files FROM items i JOIN blobs b ON b.sha256 = i.blob_sha256 WHERE i.deleted_at IS NULL",
  ).first<{ bytes: number; files: number }>();
  expect(stored?.bytes ?? 0).toBeLessThan(referenced?.bytes ?? 0);
  const deckRows = await env.DB.prepare(
    "SELECT count(*) AS files FROM items WHERE blob_sha256 = ?1 AND deleted_at IS NULL",
  )
    .bind(deckSha)
    .first<{ files: number }>();
  const deckBlobs = await env.DB.prepare("SELECT count(*) AS blobs FROM blobs WHERE sha256 = ?1")
    .bind(deckSha)
    .first<{ blobs: number }>();
  expect(deckRows?.files).toBe(courses);
  expect(deckBlobs?.blobs).toBe(1);
  console.log(
    `BENCH_JSON ${JSON.stringify({
      benchmark: "term-dedup",
      courses,
      files: referenced?.files,
      blobs: stored?.blobs,
      bytesReferenced: referenced?.bytes,
      bytesStored: stored?.bytes,
      savedPercent: Math.round((1 - (stored?.bytes ?? 0) / (referenced?.bytes ?? 1)) * 1000) / 10,
      blobHits,
      deck: {
        bytes: deck.byteLength,
        copiesReferenced: deckRows?.files,
        copiesStored: deckBlobs?.blobs,
        bytesReferenced: deck.byteLength * (deckRows?.files ?? 0),
        bytesStored: deck.byteLength * (deckBlobs?.blobs ?? 0),
      },
    })}`,
  );
});
