/**
 * Hostile and malformed requests, table-driven: wrong types, huge bodies, unknown fields, path traversal in ids, bad
 * JSON, missing or wrong tokens, HTML/script in fields, wrong methods. Every one must get a 4xx JSON error (never a
 * 5xx), echo nothing large or executable, and leave every D1 table and R2 object exactly as it was. A second table
 * does the same for the dashboard's HTML routes.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { api, API_TOKEN, CANVAS_TOKEN } from "../helpers/harness";
import { reportWith, seedCourse, seedJob } from "../observability/seed-rows";
import {
  COURSE,
  FILE_ID,
  hostileApiCases,
  JOB_ID,
  json,
  OTHER_COURSE,
  SHA,
  type Case,
} from "./bad-input-cases";
import { dumpState } from "./state-dump";

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
