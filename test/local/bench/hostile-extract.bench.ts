/**
 * `npm run bench:extract-memory` (and `npm run bench`): hostile OOXML documents go through the real extraction
 * path (handleExtractMessage: R2 read, extraction, D1 status) one at a time, between BENCH_MARK lines, so the Node
 * side (test/local/cli/bench-extract-memory.ts) can measure this worker process's peak memory from outside. Each document
 * is built and stored before its start mark; a pause after each mark lets the sampler act before work begins.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { loadConfig } from "../../../src/env";
import { handleExtractMessage } from "../../../src/queue/handle-extract";
import { API_TOKEN, CANVAS_TOKEN, resetStorage } from "../../support/harness";
import { docxWithDocumentOf, DOCX_TYPE, lyingAboutSizes } from "../../support/hostile-zips";

const MiB = 1024 * 1024;
const COURSE = 1;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Stores the document as a mirrored file would be (R2 object, blob row, item row pending extraction). */
async function storeFile(fileId: number, bytes: Uint8Array): Promise<{ itemId: string; sha: string }> {
  const sha = await sha256(bytes);
  const itemId = `${COURSE}:file:${fileId}`;
  await env.BLOBS.put(`blobs/${sha}`, bytes);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO blobs (sha256, r2_key, size, content_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    ).bind(sha, `blobs/${sha}`, bytes.byteLength, DOCX_TYPE, Date.now()),
    env.DB.prepare(
      `INSERT INTO items (id, course_id, type, canvas_id, title, content_hash, data, blob_sha256, text_status,
         first_seen_at, changed_at) VALUES (?1, ?2, 'file', ?3, ?4, 'h', ?5, ?6, 'pending', ?7, ?7)`,
    ).bind(
      itemId,
      COURSE,
      String(fileId),
      `hostile-${fileId}.docx`,
      JSON.stringify({ display_name: `hostile-${fileId}.docx`, content_type: DOCX_TYPE }),
      sha,
      Date.now(),
    ),
  ]);
  return { itemId, sha };
}

it("extracts hostile documents within bounded memory", { timeout: 600_000 }, async () => {
  await resetStorage();
  // The secrets are bound by test/vitest.config.ts, but the test pool's Env type does not declare them.
  const workerEnv: Env = { ...env, CANVAS_TOKEN, API_TOKEN };
  const config = loadConfig(workerEnv);
  const bomb = docxWithDocumentOf(60 * MiB, "repetitive");
  const documents: [string, () => Uint8Array][] = [
    ["bomb: document.xml of 60 MB in a small zip", () => bomb],
    [
      "liar: the same bomb declaring 100-byte parts",
      () => lyingAboutSizes(bomb, () => ({ uncompressed: 100 })),
    ],
    [
      "dense: 48 MB of varied XML (under the ratio cap, over the budget)",
      () => docxWithDocumentOf(48 * MiB, "dense"),
    ],
    ["control: 24 MB of varied XML (within every limit)", () => docxWithDocumentOf(24 * MiB, "dense")],
  ];
  const results: Record<string, unknown>[] = [];
  let fileId = 100;
  for (const [name, build] of documents) {
    const bytes = build();
    const { itemId, sha } = await storeFile(++fileId, bytes);
    console.log(`BENCH_MARK extract-start ${name}`);
    await pause(1500);
    const started = Date.now();
    await handleExtractMessage(workerEnv, config, {
      v: 1,
      kind: "extract",
      courseId: COURSE,
      itemId,
      sha256: sha,
    });
    const wallMs = Date.now() - started;
    console.log(`BENCH_MARK extract-end ${name}`);
    await pause(500);
    const row = await env.DB.prepare("SELECT text_status FROM items WHERE id = ?1")
      .bind(itemId)
      .first<{ text_status: string }>();
    results.push({ document: name, zipBytes: bytes.byteLength, status: row?.text_status, wallMs });
  }
  expect(results.slice(0, 3).map((result) => result["status"])).toEqual([
    "failed:too_large",
    "failed:too_large",
    "failed:too_large",
  ]);
  expect(results[3]?.["status"]).toBe("ok:truncated");
  console.log(`BENCH_JSON ${JSON.stringify({ benchmark: "hostile-extract", results })}`);
});
