/**
 * Builds the per-invocation adapters from the bindings and configuration passed in: the Canvas client (paced by the
 * token's CanvasGate), the file store, and the token fingerprint that names the gate. Nothing here is global.
 */
import { CanvasClient, newRequestStats, type RequestGate, type RequestStats } from "./canvas/client";
import { sha256Hex } from "./detect/canonical";
import type { Config } from "./env";
import { canvasRetryPolicy } from "./resilience/retry-policy";
import { createFileStore } from "./storage/file-store";
import type { FileStore } from "./sync/context";

/** A short, non-reversible name for a token: safe to store and to use as a Durable Object name. */
export async function tokenFingerprint(token: string): Promise<string> {
  return (await sha256Hex(`canvas-sync:${token}`)).slice(0, 24);
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** The rate-budget gate for one Canvas host and token, backed by the CanvasGate Durable Object. */
export function gateFor(env: Env, canvasOrigin: string, fingerprint: string): RequestGate {
  const stub = env.CANVAS_GATE.getByName(`${new URL(canvasOrigin).host}/${fingerprint}`);
  return {
    async acquire() {
      for (;;) {
        const grant = await stub.reserve();
        if (grant.granted) return grant.leaseId;
        await sleep(grant.waitMs);
      }
    },
    async release(leaseId, observation) {
      await stub.complete(leaseId, observation);
    },
  };
}

export interface CanvasAccess {
  client: CanvasClient;
  files: FileStore;
  stats: RequestStats;
  fileBytes: () => number;
}

export async function canvasAccess(
  env: Env,
  config: Config,
  fetcher: typeof fetch = fetch,
): Promise<CanvasAccess> {
  const stats = newRequestStats();
  const fingerprint = await tokenFingerprint(config.CANVAS_TOKEN);
  const client = new CanvasClient({
    baseUrl: config.CANVAS_BASE_URL,
    token: config.CANVAS_TOKEN,
    fetch: (input, init) => fetcher(input, init),
    timeoutMs: config.CANVAS_TIMEOUT_SECONDS * 1000,
    gate: gateFor(env, config.CANVAS_BASE_URL, fingerprint),
    retryPolicy: canvasRetryPolicy(config.CANVAS_TIMEOUT_SECONDS * 1000),
    sleep,
    stats,
  });
  let fileBytes = 0;
  const files = createFileStore({
    db: env.DB,
    bucket: env.BLOBS,
    canvasOrigin: new URL(config.CANVAS_BASE_URL).origin,
    token: config.CANVAS_TOKEN,
    allowedHosts: [new URL(config.CANVAS_BASE_URL).hostname, ...config.CANVAS_FILE_HOSTS],
    fetch: (input, init) => fetcher(input, init),
    timeoutMs: 300_000,
    multipartThresholdBytes: 100 * 1024 * 1024,
    now: Date.now,
    onBytes: (bytes) => {
      fileBytes += bytes;
    },
  });
  return { client, files, stats, fileBytes: () => fileBytes };
}
