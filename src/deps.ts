/**
 * Builds the per-invocation adapters from the bindings and configuration passed in: the Canvas client (paced by the
 * token's CanvasGate), the file store (whose Canvas hop is paced by the same gate, and whose downloads are retried
 * in place), and the token fingerprint that names the gate. Nothing here is global; tests inject fetch, sleep and
 * randomness through AccessOptions.
 */
import { CanvasClient, newRequestStats, type RequestStats } from "./canvas/client";
import { tokenFingerprint } from "./canvas/token-fingerprint";
import { budgetGateName } from "./durable/canvas-gate";
import type { Config } from "./env";
import type { Random } from "./resilience/backoff";
import { networkError } from "./resilience/errors";
import { canvasRetryPolicy, type RequestRetryPolicy } from "./resilience/retry-policy";
import { createFileStore } from "./storage/file-store";
import type { FileStore } from "./ports/file-store";
import type { RequestGate } from "./ports/request-gate";
import type { Database } from "./storage/d1/client";
import { isTransportFailure } from "./sync/item-failure";

/** What an entry point works out once per invocation and passes down: the checked configuration, the token's name. */
export interface InvocationSetup {
  config: Config;
  fingerprint: string;
}

export async function setUpInvocation(config: Config): Promise<InvocationSetup> {
  return { config, fingerprint: await tokenFingerprint(config.CANVAS_TOKEN) };
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** The rate-budget gate for one Canvas host and token, backed by the CanvasGate Durable Object. */
export function gateFor(env: Env, canvasOrigin: string, fingerprint: string): RequestGate {
  const stub = env.CANVAS_GATE.getByName(budgetGateName(new URL(canvasOrigin).host, fingerprint));
  // One holder per gate, i.e. per sync delivery: its requests leave in the order they were granted, which lets the
  // object count the charges of its older requests once (see src/resilience/rate-budget.ts).
  const holder = crypto.randomUUID();
  return {
    async acquire() {
      for (;;) {
        // The object holds the call until the budget has room (woken by a completing lease or the bucket's leak);
        // an answer without a grant means it held the call as long as it will: ask again.
        const grant = await stub.reserve(undefined, holder);
        if (grant.granted) return grant.leaseId;
        await sleep(grant.waitMs);
      }
    },
    async release(leaseId, observation) {
      await stub.complete(leaseId, observation);
    },
  };
}

export interface AccessOptions {
  /** outbound HTTP (default: the global fetch, looked up at call time) */
  fetch?: typeof fetch;
  /** the wait between in-process retries (default: real time) */
  sleep?: (ms: number) => Promise<void>;
  random?: Random;
  /** the first attempt's request timeout (default CANVAS_TIMEOUT_SECONDS) */
  timeoutMs?: number;
  /** false sends requests without asking the CanvasGate: only for control experiments */
  pacing?: boolean;
}

export interface CanvasAccess {
  client: CanvasClient;
  files: FileStore;
  stats: RequestStats;
  fileBytes: () => number;
}

export async function canvasAccess(
  env: Env,
  db: Database,
  config: Config,
  fingerprint: string,
  options: AccessOptions = {},
): Promise<CanvasAccess> {
  const fetcher: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const wait = options.sleep ?? sleep;
  const timeoutMs = options.timeoutMs ?? config.CANVAS_TIMEOUT_SECONDS * 1000;
  const canvasOrigin = new URL(config.CANVAS_BASE_URL).origin;
  const stats = newRequestStats();
  const gate = options.pacing === false ? null : gateFor(env, config.CANVAS_BASE_URL, fingerprint);
  const policy = transportRetryPolicy(canvasRetryPolicy(timeoutMs, options.random ?? Math.random));
  const client = new CanvasClient({
    baseUrl: config.CANVAS_BASE_URL,
    token: config.CANVAS_TOKEN,
    fetch: fetcher,
    timeoutMs,
    gate,
    retryPolicy: policy,
    sleep: wait,
    stats,
  });
  let fileBytes = 0;
  const store = createFileStore({
    db,
    bucket: env.BLOBS,
    canvasOrigin,
    token: config.CANVAS_TOKEN,
    allowedHosts: [new URL(config.CANVAS_BASE_URL).hostname, ...config.CANVAS_FILE_HOSTS],
    fetch: pacedFetch(fetcher, gate, canvasOrigin, stats),
    // Per hop, until the headers arrive; the body then streams without this limit.
    timeoutMs,
    multipartThresholdBytes: 100 * 1024 * 1024,
    now: Date.now,
    onBytes: (bytes) => {
      fileBytes += bytes;
    },
  });
  const files = retryingFileStore(store, policy, wait);
  return { client, files, stats, fileBytes: () => fileBytes };
}

/**
 * The retry policy, with two failures of the transport seen for what they are: a 200 whose body is not JSON (cut
 * off or garbled on the way; a malformed *object* fails its schema later and is never retried here) and a file
 * whose bytes stop short of its size. Both are retried like a dropped connection.
 */
export function transportRetryPolicy(policy: RequestRetryPolicy): RequestRetryPolicy {
  return (error, attempt) =>
    policy(isTransportFailure(error) ? networkError("transfer", error) : error, attempt);
}

/**
 * Retries a file download in place, by the same policy as API requests. When the policy gives up, the last error
 * goes to the pipeline, which leaves the file behind for the next sync (src/sync/item-failure.ts).
 */
function retryingFileStore(
  store: FileStore,
  policy: RequestRetryPolicy,
  wait: (ms: number) => Promise<void>,
): FileStore {
  return {
    storeText: (hash, text) => store.storeText(hash, text),
    storeData: (hash, json) => store.storeData(hash, json),
    loadData: (key) => store.loadData(key),
    async storeFile(input) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await store.storeFile(input);
        } catch (error) {
          const decision = policy(error, attempt);
          if (!decision.retry) throw error;
          await wait(decision.delayMs);
        }
      }
    },
  };
}

/**
 * The file store's fetch: a hop to the Canvas origin (the download URL that redirects to storage) costs Canvas
 * quota like any API call, so it asks the gate first and reports what the response said; storage hosts are not
 * Canvas and are not paced.
 */
function pacedFetch(
  fetcher: typeof fetch,
  gate: RequestGate | null,
  canvasOrigin: string,
  stats: RequestStats,
): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (gate === null || url.origin !== canvasOrigin) return fetcher(input, init);
    const leaseId = await gate.acquire();
    let observation = { cost: null as number | null, remaining: null as number | null, throttled: false };
    try {
      stats.requests++;
      const response = await fetcher(input, init);
      const cost = numberHeader(response.headers, "x-request-cost");
      const remaining = numberHeader(response.headers, "x-rate-limit-remaining");
      // A throttled 403 says so only in its body, which the caller reads; an empty bucket says it too.
      const throttled =
        response.status === 429 || (response.status === 403 && remaining !== null && remaining <= 0);
      if (throttled) stats.throttled++;
      observation = { cost, remaining, throttled };
      return response;
    } finally {
      await gate.release(leaseId, observation);
    }
  };
}

function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  if (value === null) return null;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
}
