/**
 * The request pipeline of the simulated Canvas, in Canvas's order: throttle admission (synchronous, before any
 * await, so concurrent requests really pile up their up-front cost), one macrotask of being in flight, injected
 * faults, routing, authentication, the handler, then settling the bucket with the real cost and stamping
 * X-Request-Cost / X-Rate-Limit-Remaining. The storage origin is S3-like: no throttle, no Canvas auth.
 */
import { presentedToken, type TokenRegistry } from "./auth";
import { handleStorage, type StorageOptions, type StorageSigner } from "./downloads";
import { notFound, sleep, throttled, JSON_TYPE } from "./http";
import { endpointName, matchRoute, type Reply, type Route } from "./routing";
import { ThrottleState, admit, formatFloat, settle } from "./throttle";
import type { Counters } from "./counters";
import type { FaultAction, FaultEngine } from "./faults";
import type { SimContext } from "./context";

export interface Runtime {
  ctx: SimContext;
  seed: number;
  apiOrigin: string;
  storageOrigin: string;
  tokens: TokenRegistry;
  throttle: ThrottleState;
  faults: FaultEngine;
  counters: Counters;
  signer: StorageSigner;
  routes: Route[];
  control: (request: Request) => Promise<Response>;
}

type Terminal = Exclude<FaultAction, { type: "latency" }>;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

/** Sleeps, but gives up as soon as the caller aborts (as a real slow server would be abandoned). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

const MALFORMED =
  "<!DOCTYPE html><html><head><title>Canvas is temporarily unavailable</title></head><body><h1>Oops</h1>";

/** A body stream that delivers `bytes` and then fails like a dropped connection. */
function failingStream(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(bytes);
      } else controller.error(new TypeError("Network connection lost."));
    },
  });
}

function jsonReply(
  reply: Extract<Reply, { kind: "json" }>,
  fault: Terminal | null,
  headers: Headers,
): { response: Response; bytes: number } {
  let body = new TextEncoder().encode(JSON.stringify(reply.body));
  headers.set("content-type", JSON_TYPE);
  for (const [k, v] of Object.entries(reply.headers ?? {})) headers.set(k, v);
  if (fault?.type === "malformedBody") {
    body = new TextEncoder().encode(MALFORMED);
    headers.delete("link");
  }
  if (fault?.type === "truncateBody") {
    const cut = body.slice(0, Math.floor(body.length * (fault.keepFraction ?? 0.5)));
    if (fault.error === true)
      return {
        response: new Response(failingStream(cut), { status: reply.status, headers }),
        bytes: cut.length,
      };
    body = cut;
  }
  return { response: new Response(body, { status: reply.status, headers }), bytes: body.length };
}

async function hang(action: Extract<Terminal, { type: "timeout" }>, signal: AbortSignal): Promise<never> {
  await abortableSleep(action.hangMs ?? 3_600_000, signal);
  throw new TypeError("Network connection lost.");
}

function faultStatus(action: Extract<Terminal, { type: "status" }>): Response {
  const body =
    action.body ??
    JSON.stringify({ errors: [{ message: "An error occurred.", error_code: `status_${action.status}` }] });
  return new Response(body, {
    status: action.status,
    headers: { "content-type": JSON_TYPE, ...action.headers },
  });
}

/** A throttled answer from a host that does not report its throttle on this response: the same, without headers. */
function withoutUnreported(rt: Runtime, response: Response): Response {
  if (rt.throttle.nextCarriesHeaders()) return response;
  const headers = new Headers(response.headers);
  headers.delete("x-rate-limit-remaining");
  headers.delete("x-request-cost");
  return new Response(response.body, { status: response.status, headers });
}

export async function dispatchApi(rt: Runtime, request: Request, signal: AbortSignal): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) return rt.control(request);
  const matched = matchRoute(rt.routes, request.method, url.pathname);
  const endpoint =
    matched === null ? `${request.method} (unmatched)` : endpointName(request.method, matched.route.pattern);
  const token = presentedToken(request, url);
  const key = ThrottleState.keyFor(token);
  const opts = rt.throttle.options;
  const start = rt.ctx.now();
  // Admission happens before the first await: a burst of concurrent calls must see each other's reservations.
  if (opts.enabled) {
    const admission = admit(rt.throttle.bucket(key, start), opts, start);
    rt.throttle.set(key, admission.bucket);
    if (!admission.admitted) {
      rt.counters.request(endpoint, opts.mode === "429" ? 429 : 403, true);
      return withoutUnreported(rt, throttled(opts.mode, admission.retryAfterSeconds));
    }
  }
  let cost = 1;
  let settled = false;
  rt.counters.started();
  const finish = (): string => {
    settled = true;
    rt.counters.finished(cost);
    if (!opts.enabled) return "";
    const now = rt.ctx.now();
    rt.throttle.set(key, settle(rt.throttle.bucket(key, now), opts, cost, now));
    return formatFloat(rt.throttle.remaining(key, now));
  };
  try {
    await sleep(0);
    const decision = rt.faults.decide("api", request.method, url.pathname);
    if (decision.latencyMs > 0) await abortableSleep(decision.latencyMs, signal);
    const fault = decision.action;
    if (fault?.type === "resetConnection") throw new TypeError("Network connection lost.");
    if (fault?.type === "timeout") await hang(fault, signal);
    if (fault?.type === "throttle") {
      finish();
      rt.counters.request(endpoint, opts.mode === "429" ? 429 : 403, true);
      return withoutUnreported(rt, throttled(opts.mode, 1));
    }
    let reply: Reply;
    if (fault?.type === "status") reply = { kind: "response", response: faultStatus(fault), objects: 0 };
    else if (matched === null) reply = { kind: "response", response: notFound(), objects: 0 };
    else {
      const auth =
        matched.route.ownAuth === true ? null : rt.tokens.authenticate(token, request.method, url.pathname);
      if (auth !== null && !auth.ok) reply = { kind: "response", response: auth.response, objects: 0 };
      else reply = await matched.route.handle({ ctx: rt.ctx, request, url, params: matched.params, token });
    }
    cost = matched?.route.ownAuth === true ? 0.1 : 1 + 0.01 * reply.objects;
    const headers = new Headers(reply.kind === "response" ? reply.response.headers : undefined);
    const remaining = finish();
    if (remaining !== "" && rt.throttle.nextCarriesHeaders()) {
      headers.set("x-request-cost", formatFloat(cost));
      headers.set("x-rate-limit-remaining", remaining);
    }
    headers.set("x-request-context-id", `sim-${rt.seed}-${start}`);
    // Like any HTTP origin, Canvas dates its responses (whole seconds): the mirror uses it to tell whether a body
    // it read could predate an edit made in the same second as the object's updated_at.
    headers.set("date", new Date(rt.ctx.now()).toUTCString());
    let response: Response;
    let bytes: number;
    if (reply.kind === "json") ({ response, bytes } = jsonReply(reply, fault, headers));
    else {
      const text = reply.response.body === null ? null : await reply.response.arrayBuffer();
      bytes = text?.byteLength ?? 0;
      response = new Response(text, { status: reply.response.status, headers });
    }
    rt.counters.request(endpoint, response.status, false);
    rt.counters.bytes(endpoint, bytes);
    return response;
  } finally {
    if (!settled) finish();
  }
}

export async function dispatchStorage(rt: Runtime, request: Request, signal: AbortSignal): Promise<Response> {
  const endpoint = `${request.method} /blobs/:id`;
  const url = new URL(request.url);
  await sleep(0);
  const decision = rt.faults.decide("storage", request.method, url.pathname);
  if (decision.latencyMs > 0) await abortableSleep(decision.latencyMs, signal);
  const fault = decision.action;
  if (fault?.type === "resetConnection") throw new TypeError("Network connection lost.");
  if (fault?.type === "timeout") await hang(fault, signal);
  if (fault?.type === "status") {
    rt.counters.request(endpoint, fault.status, false);
    return faultStatus(fault);
  }
  if (fault?.type === "throttle") {
    rt.counters.request(endpoint, 503, true);
    return new Response(
      "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
      {
        status: 503,
        headers: { "content-type": "application/xml" },
      },
    );
  }
  const options: StorageOptions = { onBytes: (n) => rt.counters.fileBytes(endpoint, n) };
  if (fault?.type === "truncateBody") {
    options.keepFraction = fault.keepFraction ?? 0.5;
    options.failAtLimit = fault.error === true;
  }
  const response = await handleStorage(rt.ctx, rt.signer, rt.seed, request, options);
  rt.counters.request(endpoint, response.status, false);
  if (fault?.type === "malformedBody" && response.ok) {
    return new Response(MALFORMED, { status: 200, headers: response.headers });
  }
  return response;
}
