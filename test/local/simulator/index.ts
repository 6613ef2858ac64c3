/**
 * The Canvas LMS simulator: a faithful, deterministic stand-in for a Canvas instance (REST API under /api/v1,
 * file downloads redirecting to a separate S3-like storage origin, throttling, auth errors, pagination, soft
 * deletes, live events) as one `fetch` function in pure web-platform TypeScript, so it runs inside workerd
 * tests, behind the Node server (test/local/cli/simulator-server.ts) and in the benchmark alike. This file only wires.
 */
import { TokenRegistry } from "./auth";
import { contentRoutes } from "./api-content";
import { fileRoutes } from "./api-files";
import { moduleRoutes } from "./api-modules";
import { newQuizRoutes } from "./api-new-quizzes";
import { pageRoutes } from "./api-pages";
import { createControl, type SimulatorControl } from "./control";
import { handleControl } from "./control-http";
import { Counters } from "./counters";
import { dispatchApi, dispatchStorage, type Runtime } from "./dispatch";
import { createSigner, downloadRoutes } from "./downloads";
import { FaultEngine } from "./faults";
import type { HasherFactory } from "./file-content";
import { LiveEventHub } from "./live-events";
import { bulkPageBody, seedBulk, type BulkCourseSpec } from "./seed-bulk";
import { seedDemo } from "./seed-demo";
import { SimStore } from "./store";
import { DEFAULT_THROTTLE, ThrottleState, type ThrottleOptions } from "./throttle";
import type { SimContext } from "./context";

export interface SimulatorOptions {
  /** e.g. "https://canvas.test" or "http://127.0.0.1:8790" */
  apiOrigin: string;
  /** Separate origin for file bytes, e.g. "https://files.canvas-storage.test" */
  storageOrigin: string;
  /** Deterministic data (default 1). */
  seed?: number;
  institution?: "demo" | "empty" | { courses: BulkCourseSpec[] };
  /** Valid bearer tokens (default ["sim-token"]). */
  tokens?: string[];
  throttle?: Partial<ThrottleOptions>;
  /** Clock in ms (default Date.now); the throttle leaks and timestamps move with this clock. */
  now?: () => number;
  /**
   * Incremental SHA-256 for hashing huge generated files in truth(). Optional: workerd's crypto.DigestStream
   * or a pure-JS fallback is used otherwise (the Node server injects node:crypto).
   */
  sha256?: HasherFactory;
  /** Whether file URLs carry a verifier Canvas honours (default true; false = Canvas after the 2026 removal). */
  fileVerifiers?: boolean;
}

export interface CanvasSimulator {
  /** Handles both origins; anything else rejects like an unresolvable host. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  control: SimulatorControl;
}

const MAX_REDIRECTS = 20;

/**
 * Emulates fetch()'s redirect handling, since the simulator replaces fetch itself: "manual" returns the 3xx,
 * "error" rejects, "follow" (the default) follows up to 20 hops and, per the Fetch standard (and current
 * workerd and Node), drops Authorization once a hop changes origin.
 */
async function followRedirects(
  first: Request,
  signal: AbortSignal,
  route: (request: Request, signal: AbortSignal) => Promise<Response>,
): Promise<Response> {
  let request = first;
  for (let hops = 0; ; hops++) {
    const response = await route(request, signal);
    const location = response.headers.get("location");
    if (
      ![301, 302, 303, 307, 308].includes(response.status) ||
      location === null ||
      request.redirect === "manual"
    ) {
      return response;
    }
    if (request.redirect === "error") throw new TypeError("fetch failed: redirect mode is 'error'");
    if (hops + 1 >= MAX_REDIRECTS) throw new TypeError("fetch failed: too many redirects");
    const next = new URL(location, request.url);
    const headers = new Headers(request.headers);
    if (next.origin !== new URL(request.url).origin) headers.delete("authorization");
    const method = request.method === "HEAD" ? "HEAD" : "GET";
    request = new Request(next.href, { method, headers, redirect: request.redirect, signal });
  }
}

function origin(value: string): string {
  return new URL(value).origin;
}

export function createCanvasSimulator(opts: SimulatorOptions): CanvasSimulator {
  const apiOrigin = origin(opts.apiOrigin);
  const storageOrigin = origin(opts.storageOrigin);
  if (apiOrigin === storageOrigin) throw new Error("apiOrigin and storageOrigin must differ");
  const seed = opts.seed ?? 1;
  const now = opts.now ?? (() => Date.now());
  const store = new SimStore(seed, now);
  store.hasher = opts.sha256 ?? null;
  store.fileVerifiers = opts.fileVerifiers ?? true;
  const events = new LiveEventHub(apiOrigin, now);
  const ctx: SimContext = { store, events, apiOrigin, now };
  const tokens = new TokenRegistry(opts.tokens ?? ["sim-token"], now);
  const signer = createSigner(seed);

  events.muted = true;
  const institution = opts.institution ?? "demo";
  store.pageBodyFactory = bulkPageBody;
  if (institution === "demo") seedDemo(ctx, seed);
  else if (institution !== "empty") seedBulk(ctx, seed, institution.courses);
  events.muted = false;

  const rt: Runtime = {
    ctx,
    seed,
    apiOrigin,
    storageOrigin,
    tokens,
    throttle: new ThrottleState({ ...DEFAULT_THROTTLE, ...opts.throttle }),
    faults: new FaultEngine(seed),
    counters: new Counters(),
    signer,
    routes: [
      ...pageRoutes,
      ...fileRoutes,
      ...contentRoutes,
      ...moduleRoutes,
      ...newQuizRoutes,
      ...downloadRoutes(tokens, signer, storageOrigin, seed),
    ],
    control: (request) => handleControl(control, request),
  };
  const control = createControl(rt);

  const route = (request: Request, signal: AbortSignal): Promise<Response> => {
    const target = new URL(request.url).origin;
    if (target === apiOrigin) return dispatchApi(rt, request, signal);
    if (target === storageOrigin) return dispatchStorage(rt, request, signal);
    return Promise.reject(new TypeError(`fetch failed: the Canvas simulator does not serve ${target}`));
  };

  return {
    control,
    async fetch(input, init) {
      const request = new Request(input, init);
      return followRedirects(request, init?.signal ?? request.signal, route);
    },
  };
}

export type { SimulatorControl } from "./control";
export type { ThrottleOptions } from "./throttle";
export type { FaultRule, FaultAction } from "./faults";
export type { CounterSnapshot, EndpointCounters, LoadSnapshot } from "./counters";
export type { CourseTruth } from "./truth";
export type { LiveEvent, LiveEventListener } from "./live-events";
export type { MutationOp } from "./mutation-ops";
export type { TokenState, AccessDenial } from "./auth";
export type { FileSpec, FileBody, DocumentSpec, FilePatch } from "./mutations-files";
export type { BulkCourseSpec } from "./seed-bulk";
export type { NewQuizInput, NewQuizItemInput, NewQuizItemPatch, NewQuizPatch } from "./mutations-new-quizzes";
export * as newQuizEntries from "./new-quiz-entries";
export type { HasherFactory, IncrementalHash } from "./file-content";
export { MutationOpSchema } from "./mutation-ops";
export { FaultRuleSchema } from "./faults";
export { SHARD_BASE, globalId } from "./live-events";
