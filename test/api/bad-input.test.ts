/**
 * Hostile and malformed requests, table-driven: wrong types, huge bodies, unknown fields, path traversal in ids, bad
 * JSON, missing or wrong tokens, HTML/script in fields, wrong methods. Every one must get a 4xx JSON error (never a
 * 5xx), echo nothing large or executable, and leave every D1 table and R2 object exactly as it was. A second table
 * does the same for the dashboard's HTML routes, a third for Live Event deliveries (forged, expired, replayed,
 * another institution's, oversized, malformed: 4xx, or 202 ignored/dropped that only counts), and a fourth for queue
 * messages (invalid, unknown version, oversized, wrong types: dead-lettered with the reason, nothing stored).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { generateSigningKey, jwksFor } from "../local/simulator/live-event-signing";
import worker from "../../src/index";
import { api, API_TOKEN, CANVAS_TOKEN } from "../support/harness";
import { CapturingQueue, syncEnv, testQueues } from "../support/sync-harness";
import { postDelivery, webhookFetch } from "../support/webhook-harness";
import { reportWith, seedCourse, seedJob } from "../support/seed-rows";
import {
  COURSE,
  FILE_ID,
  hostileApiCases,
  JOB_ID,
  json,
  OTHER_COURSE,
  SHA,
  type Case,
} from "../support/bad-input-cases";
import { hostileQueueCases, QUEUE_CANARY } from "../support/bad-queue-cases";
import {
  goodToken,
  hostileWebhookCases,
  ISSUER,
  WEBHOOK_CANARY,
  type WebhookCase,
  type WebhookKeys,
} from "../support/bad-webhook-cases";
import { dumpState, type StoredState } from "../support/state-dump";

const ErrorBodySchema = z
  .object({
    error: z.object({ code: z.string().min(1), message: z.string().min(1), details: z.unknown() }).strict(),
  })
  .strict();

async function send(testCase: Case): Promise<Response> {
  const headers = new Headers(testCase.headers);
  if (testCase.token === null) {
    if (!headers.has("authorization")) headers.set("authorization", "");
  } else {
    headers.set("authorization", `Bearer ${testCase.token ?? API_TOKEN}`);
  }
  return api(testCase.path, {
    method: testCase.method ?? "GET",
    headers,
    ...(testCase.body === undefined ? {} : { body: testCase.body }),
    redirect: "manual",
  });
}

const cases = hostileApiCases();

beforeAll(async () => {
  const now = Date.now();
  await seedCourse(env.DB, { id: COURSE, registeredAt: now - 3_600_000, lastSuccessAt: now - 60_000 });
  await seedCourse(env.DB, { id: OTHER_COURSE, registeredAt: now - 3_600_000 });
  await seedJob(env.DB, {
    id: JOB_ID,
    courseId: COURSE,
    status: "succeeded",
    createdAt: now - 120_000,
    startedAt: now - 120_000,
    finishedAt: now - 60_000,
    report: reportWith({ added: { page: 1, file: 1 } }),
  });
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO items (id, course_id, type, canvas_id, title, content_hash, data, first_seen_at, changed_at)
       VALUES ('${COURSE}:page:1', ${COURSE}, 'page', '1', 'A page', 'h1', '{"body":"<p>hi</p>"}', ?1, ?1)`,
    ).bind(now),
    env.DB.prepare(
      `INSERT INTO items (id, course_id, type, canvas_id, title, content_hash, data, blob_sha256, first_seen_at, changed_at)
       VALUES ('${COURSE}:file:${FILE_ID}', ${COURSE}, 'file', '${FILE_ID}', 'notes.txt', 'h2', '{}', ?2, ?1, ?1)`,
    ).bind(now, SHA),
    env.DB.prepare(
      "INSERT INTO blobs (sha256, r2_key, size, content_type, created_at) VALUES (?1, ?2, 5, 'text/plain', ?3)",
    ).bind(SHA, `blobs/${SHA}`, now),
    env.DB.prepare(
      `INSERT INTO item_changes (item_id, course_id, job_id, kind, fields, at) VALUES ('${COURSE}:page:1', ${COURSE}, ?1, 'added', NULL, ?2)`,
    ).bind(JOB_ID, now),
  ]);
  await env.BLOBS.put(`blobs/${SHA}`, "hello");
});

describe("malformed and hostile API requests", () => {
  it(`has at least 100 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((testCase) => testCase.name)).size).toBe(cases.length);
  });

  it("sanity: the seeded data is reachable with a valid request", async () => {
    expect((await api(`/api/courses/${COURSE}`)).status).toBe(200);
    expect((await api(`/api/courses/${COURSE}/files/${FILE_ID}/content`)).status).toBe(200);
  });

  it("each gets its 4xx JSON error, nothing large or executable echoed, and no stored state changes", async () => {
    const before = await dumpState(env);
    // The comparison below is only meaningful if the dump sees the seeded data.
    expect(before.tables["courses"]?.length).toBeGreaterThanOrEqual(2);
    expect(before.tables["items"]?.length).toBeGreaterThanOrEqual(2);
    expect(before.objects.length).toBeGreaterThanOrEqual(1);
    const failures: string[] = [];
    for (const testCase of cases) {
      const response = await send(testCase);
      const text = await response.text();
      const problems: string[] = [];
      if (response.status !== testCase.status)
        problems.push(`status ${response.status}, expected ${testCase.status}`);
      if (response.status >= 500 || response.status < 400) problems.push("not a 4xx");
      if (!(response.headers.get("content-type") ?? "").startsWith("application/json"))
        problems.push(`content-type ${response.headers.get("content-type")}`);
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        problems.push("body is not JSON");
      }
      if (body !== null && !ErrorBodySchema.safeParse(body).success)
        problems.push(`not the error shape: ${text.slice(0, 200)}`);
      if (text.length > 4096) problems.push(`body of ${text.length} chars`);
      if (/<script|<img|onerror=/i.test(text)) problems.push("echoes markup");
      if (text.includes(API_TOKEN) || text.includes(CANVAS_TOKEN)) problems.push("echoes a token");
      if (problems.length > 0) failures.push(`${testCase.name}: ${problems.join("; ")}`);
    }
    expect(failures).toEqual([]);
    expect(await dumpState(env)).toEqual(before);
  });
});

describe("malformed and hostile dashboard requests", () => {
  const dashboard: Case[] = [
    {
      name: "login with JSON",
      method: "POST",
      path: "/login",
      token: null,
      headers: json,
      body: JSON.stringify({ token: API_TOKEN }),
      status: 415,
    },
    {
      name: "login without a token field",
      method: "POST",
      path: "/login",
      token: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=admin",
      status: 400,
    },
    {
      name: "login with extra fields",
      method: "POST",
      path: "/login",
      token: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${API_TOKEN}&admin=1`,
      status: 400,
    },
    {
      name: "login with a script token",
      method: "POST",
      path: "/login",
      token: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "token=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      status: 401,
    },
    {
      name: "login with a huge token",
      method: "POST",
      path: "/login",
      token: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${"t".repeat(10_000)}`,
      status: 400,
    },
    {
      name: "login body over 64 KB",
      method: "POST",
      path: "/login",
      token: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${"t".repeat(70_000)}`,
      status: 413,
    },
    { name: "course page traversal", path: "/courses/..%2F..%2Fetc%2Fpasswd", status: 404 },
    { name: "course page script id", path: "/courses/%3Cscript%3E", status: 404 },
    { name: "course page bad jobs cursor", path: `/courses/${COURSE}?jobs=%3Cscript%3E`, status: 400 },
    { name: "overview bad cursor", path: "/?cursor=%3Cscript%3E", status: 400 },
  ];

  it("answer 4xx without reflecting markup or tokens, and change nothing", async () => {
    const before = await dumpState(env);
    const failures: string[] = [];
    for (const testCase of dashboard) {
      const response = await send(testCase);
      const text = await response.text();
      if (response.status !== testCase.status) failures.push(`${testCase.name}: status ${response.status}`);
      if (response.headers.get("set-cookie") !== null) failures.push(`${testCase.name}: sets a cookie`);
      if (/<script>alert|<script%3E/i.test(text) || text.includes(API_TOKEN))
        failures.push(`${testCase.name}: reflects input`);
    }
    expect(failures).toEqual([]);
    expect(await dumpState(env)).toEqual(before);
  });
});

/** Every table but metric_counters, which the 202 webhook cases are meant to bump. */
function withoutCounters(state: StoredState): StoredState {
  const { metric_counters: _counters, ...tables } = state.tables;
  return { ...state, tables };
}

async function counters(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT labels, value FROM metric_counters WHERE name = 'live_events_total'",
  ).all<{
    labels: string;
    value: number;
  }>();
  return Object.fromEntries(results.map((row) => [row.labels, row.value]));
}

describe("malformed and hostile Live Event deliveries", () => {
  const JWKS_URL = "https://keys.test/bad-input";
  const capture = new CapturingQueue();
  const settings = {
    jwksUrl: JWKS_URL,
    allowUnsigned: false,
    issuer: ISSUER,
    queue: capture,
  };
  let keys: WebhookKeys;
  let webhookCases: WebhookCase[] = [];
  let deliver: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    keys = {
      key: await generateSigningKey("bad-input-current"),
      other: await generateSigningKey("bad-input-other"),
      stranger: await generateSigningKey("bad-input-stranger"),
    };
    const jwks = jwksFor([keys.key]);
    vi.spyOn(globalThis, "fetch").mockImplementation((input) => {
      const url = input instanceof Request ? input.url : input.toString();
      return Promise.resolve(
        url === JWKS_URL ? Response.json(jwks) : new Response("no route", { status: 404 }),
      );
    });
    deliver = webhookFetch(settings);
    // One genuine delivery first (it stores its job and mark): its replay is one of the cases.
    const accepted = await goodToken(keys);
    const first = await postDelivery(deliver, accepted, "application/jwt");
    if (first.status !== 202) throw new Error(`the genuine delivery answered ${first.status}`);
    capture.sent.length = 0;
    webhookCases = await hostileWebhookCases(keys, accepted);
  });

  it("covers forged, expired, replayed, foreign, oversized and malformed deliveries (at least 50 cases)", () => {
    expect(webhookCases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(webhookCases.map((testCase) => testCase.name)).size).toBe(webhookCases.length);
  });

  it("each is refused with its 4xx, or accepted as ignored/dropped, enqueues nothing and echoes nothing", async () => {
    const before = await dumpState(env);
    const countersBefore = await counters();
    const expectedCounts: Record<string, number> = { ...countersBefore };
    const failures: string[] = [];
    for (const testCase of webhookCases) {
      const response = await deliver(
        new Request("https://sync.test/webhooks/canvas", {
          method: testCase.method ?? "POST",
          headers: { "content-type": testCase.contentType },
          ...(testCase.method === "GET" ? {} : { body: testCase.body }),
        }),
      );
      const text = await response.text();
      const problems: string[] = [];
      if (response.status !== testCase.status)
        problems.push(`status ${response.status}, expected ${testCase.status}`);
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        problems.push("body is not JSON");
      }
      if (testCase.status === 202) {
        const accepted = z
          .object({ outcome: z.string(), reason: z.string().nullable(), jobId: z.null() })
          .safeParse(body);
        if (
          !accepted.success ||
          accepted.data.outcome !== testCase.outcome ||
          accepted.data.reason !== testCase.reason
        )
          problems.push(`answer ${text.slice(0, 200)}`);
        const label = `outcome=${testCase.outcome},reason=${testCase.reason}`;
        expectedCounts[label] = (expectedCounts[label] ?? 0) + 1;
      } else {
        if (!ErrorBodySchema.safeParse(body).success)
          problems.push(`not the error shape: ${text.slice(0, 200)}`);
        const reason = z
          .object({ error: z.object({ details: z.object({ reason: z.string() }).nullable() }) })
          .safeParse(body);
        if (
          testCase.reason !== undefined &&
          (!reason.success || reason.data.error.details?.reason !== testCase.reason)
        )
          problems.push(`reason ${text.slice(0, 200)}`);
      }
      const sent = typeof testCase.body === "string" ? testCase.body : "";
      if (text.includes(WEBHOOK_CANARY) || /<script/i.test(text)) problems.push("echoes markup");
      if (sent.length > 16 && text.includes(sent.slice(0, 64))) problems.push("echoes the body");
      if (text.length > 2048) problems.push(`answer of ${text.length} chars`);
      if (problems.length > 0) failures.push(`${testCase.name}: ${problems.join("; ")}`);
    }
    expect(failures).toEqual([]);
    expect(capture.sent).toEqual([]);
    expect(withoutCounters(await dumpState(env))).toEqual(withoutCounters(before));
    expect(await counters()).toEqual(expectedCounts);
  });
});

describe("malformed and hostile queue messages", () => {
  const queueCases = hostileQueueCases();

  it(`covers invalid, unknown-version, oversized and mistyped messages (${queueCases.length} cases)`, () => {
    expect(queueCases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(queueCases.map((testCase) => testCase.name)).size).toBe(queueCases.length);
  });

  it("each is dead-lettered with its reason and acknowledged, the reason quotes nothing, nothing is stored", async () => {
    const queues = testQueues();
    const before = await dumpState(env);
    const batch = createMessageBatch(
      "canvas-sync-jobs",
      queueCases.map((testCase, index) => ({
        id: `bad-${index}`,
        timestamp: new Date(),
        attempts: 1,
        body: testCase.body,
      })),
    );
    const ctx = createExecutionContext();
    // Called as the runtime calls it (batch, env, ctx), whatever parameters the handler happens to declare.
    const handler: ExportedHandler<Env> = worker;
    await handler.queue?.(batch, syncEnv(queues), ctx);
    const result = await getQueueResult(batch, ctx);
    expect([...result.explicitAcks].sort()).toEqual(queueCases.map((_, index) => `bad-${index}`).sort());
    expect(result.retryMessages).toEqual([]);
    const letters = z
      .array(z.object({ body: z.object({ reason: z.string(), original: z.unknown() }) }))
      .parse(queues.dlq.sent);
    expect(letters).toHaveLength(queueCases.length);
    const failures: string[] = [];
    queueCases.forEach((testCase, index) => {
      // The consumer runs a few messages at once, so letters are matched to cases by their original body.
      const letter = letters.find((entry) => entry.body.original === testCase.body) ?? letters[index];
      const reason = letter?.body.reason ?? "";
      if (!reason.startsWith("invalid message: ")) failures.push(`${testCase.name}: reason ${reason}`);
      if (!testCase.reason.test(reason)) failures.push(`${testCase.name}: reason ${reason}`);
      if (reason.includes(QUEUE_CANARY) || reason.length > 1000)
        failures.push(`${testCase.name}: reason echoes input`);
    });
    expect(failures).toEqual([]);
    expect(queues.sync.sent).toEqual([]);
    expect(queues.extract.sent).toEqual([]);
    expect(await dumpState(env)).toEqual(before);
  });
});

describe("the whole corpus", () => {
  it("has at least 200 hostile inputs across the API, webhook and queue tables", async () => {
    const keys = {
      key: await generateSigningKey("count-a"),
      other: await generateSigningKey("count-b"),
      stranger: await generateSigningKey("count-c"),
    };
    const total =
      cases.length + (await hostileWebhookCases(keys, "x.y.z")).length + hostileQueueCases().length;
    expect(total).toBeGreaterThanOrEqual(200);
  });
});
