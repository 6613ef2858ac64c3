/**
 * Helpers for the webhook tests: call the worker's app with per-test webhook configuration (JWKS URL, unsigned
 * deliveries allowed or not) without touching the shared test bindings, serve test key endpoints next to the
 * Canvas simulator on the isolate's outbound fetch, post events, and read what the intake stored.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { createApp } from "../../src/api/app";
import type { TestSigningKey } from "../local/simulator/live-event-signing";
import { jwksFor } from "../local/simulator/live-event-signing";
import type { CanvasSimulator } from "../local/simulator";
import { API_TOKEN, CANVAS_TOKEN } from "./harness";

// The app exactly as src/index.ts serves it; called directly so each test can choose the webhook settings.
const app = createApp();

export const WEBHOOK_URL = "https://sync.test/webhooks/canvas";

let endpointCounter = 0;

/** A JWKS endpoint with a URL of its own (so each test gets a fresh isolate-level key cache) and a fetch count. */
export class KeyEndpoint {
  readonly url = `https://keys.test/jwks/${++endpointCounter}`;
  fetches = 0;
  down = false;
  constructor(public keys: TestSigningKey[]) {}

  respond(): Response {
    this.fetches += 1;
    if (this.down) return new Response("unavailable", { status: 503 });
    return Response.json(jwksFor(this.keys));
  }
}

/**
 * Routes the isolate's outbound fetch: URLs `serve` answers (key endpoints) get its response, everything else goes
 * to the simulator (which rejects hosts it does not serve, like an unresolvable name).
 */
export function routeOutboundFetch(
  simulator: CanvasSimulator,
  serve: (url: string) => Response | null,
): void {
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const served = serve(input instanceof Request ? input.url : input.toString());
    return served === null ? simulator.fetch(input, init) : Promise.resolve(served);
  });
}

export type WebhookSettings = {
  jwksUrl?: string | undefined;
  allowUnsigned: boolean;
  /** LIVE_EVENTS_ROOT_ACCOUNT_IDS; the test env's (the simulator's root account) when absent, "" for none */
  rootAccountIds?: string;
  rootAccountUuids?: string;
  /** LIVE_EVENTS_ISSUER; unset when absent */
  issuer?: string;
  /** LIVE_EVENTS_MAX_AGE_SECONDS; the default when absent */
  maxAgeSeconds?: number;
  /** Replaces SYNC_QUEUE (e.g. a capturing queue, so an accepted event starts no real sync) */
  queue?: Queue;
};

/** A fetch into the worker whose env carries these webhook settings (the rest of env is the test env). */
export function webhookFetch(settings: WebhookSettings): (request: Request) => Promise<Response> {
  const overridden: Env = {
    ...env,
    CANVAS_TOKEN,
    API_TOKEN,
    ALLOW_UNSIGNED_WEBHOOKS: settings.allowUnsigned ? "true" : "false",
    ...(settings.jwksUrl === undefined ? {} : { LIVE_EVENTS_JWKS_URL: settings.jwksUrl }),
    // A test that names the root accounts names all of them: ids, and uuids (none unless given).
    ...(settings.rootAccountIds === undefined && settings.rootAccountUuids === undefined
      ? {}
      : {
          LIVE_EVENTS_ROOT_ACCOUNT_IDS: settings.rootAccountIds ?? "",
          LIVE_EVENTS_ROOT_ACCOUNT_UUIDS: settings.rootAccountUuids ?? "",
        }),
    ...(settings.issuer === undefined ? {} : { LIVE_EVENTS_ISSUER: settings.issuer }),
    ...(settings.maxAgeSeconds === undefined
      ? {}
      : { LIVE_EVENTS_MAX_AGE_SECONDS: String(settings.maxAgeSeconds) }),
    ...(settings.queue === undefined ? {} : { SYNC_QUEUE: settings.queue }),
  };
  return async (request) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(request, overridden, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
}

/** POSTs a raw body to the webhook. */
export function postDelivery(
  send: (request: Request) => Promise<Response>,
  body: string,
  contentType: string,
): Promise<Response> {
  return send(new Request(WEBHOOK_URL, { method: "POST", headers: { "content-type": contentType }, body }));
}

export type Accepted = {
  accepted: true;
  outcome: "enqueued" | "coalesced" | "dropped" | "ignored";
  reason: string | null;
  courseId: number | null;
  jobId: string | null;
};

/** The job id in a 202 answer's body (as recorded by the simulator's delivery), or null. */
export function acceptedJobId(response: unknown): string | null {
  if (typeof response !== "object" || response === null || !("jobId" in response)) return null;
  return typeof response.jobId === "string" ? response.jobId : null;
}

/** POSTs an unsigned event and returns the 202 body (throws on any other status). */
export async function postUnsigned(
  send: (request: Request) => Promise<Response>,
  event: unknown,
): Promise<Accepted> {
  const response = await postDelivery(send, JSON.stringify(event), "application/json");
  if (response.status !== 202)
    throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  return response.json<Accepted>();
}

/** Row counts of everything the intake writes; a rejected delivery must leave all of them unchanged. */
export async function storedCounts(): Promise<{ jobs: number; marks: number; counters: number }> {
  const row = await env.DB.prepare(
    `SELECT (SELECT count(*) FROM sync_jobs) AS jobs, (SELECT count(*) FROM event_marks) AS marks,
       (SELECT coalesce(sum(value), 0) FROM metric_counters) AS counters`,
  ).first<{ jobs: number; marks: number; counters: number }>();
  if (row === null) throw new Error("count query returned nothing");
  return row;
}

export type JobRow = {
  id: string;
  course_id: number;
  mode: string;
  trigger: string;
  scope: unknown;
  status: string;
};

/** The job row with its scope parsed. */
export async function jobRow(jobId: string): Promise<JobRow | null> {
  const row = await env.DB.prepare(
    "SELECT id, course_id, mode, trigger, scope, status FROM sync_jobs WHERE id = ?1",
  )
    .bind(jobId)
    .first<Omit<JobRow, "scope"> & { scope: string | null }>();
  return row === null
    ? null
    : { ...row, scope: row.scope === null ? null : (JSON.parse(row.scope) as unknown) };
}

/** Event-triggered job rows, oldest first. */
export async function eventJobs(): Promise<JobRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, course_id, mode, trigger, scope, status FROM sync_jobs WHERE trigger = 'event' ORDER BY created_at, rowid",
  ).all<Omit<JobRow, "scope"> & { scope: string | null }>();
  return results.map((row) => ({
    ...row,
    scope: row.scope === null ? null : (JSON.parse(row.scope) as unknown),
  }));
}

/**
 * Waits until the course's sync lease is free. A job is marked succeeded just before its consumer releases the
 * lease; a job for the same course arriving in that gap would be retried later (the lease back-off), which a test
 * that changes one object after another must not mistake for slowness or loss.
 */
export async function waitForCourseIdle(courseId: number): Promise<void> {
  const course = env.COURSE_SYNC.getByName(String(courseId));
  await vi.waitUntil(async () => (await course.status()).lease === null, { timeout: 30_000, interval: 20 });
}

/** The live_events_total counter for a label set (0 when absent). */
export async function eventCounter(labels: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT value FROM metric_counters WHERE name = 'live_events_total' AND labels = ?1",
  )
    .bind(labels)
    .first<{ value: number }>();
  return row?.value ?? 0;
}
