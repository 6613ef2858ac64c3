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
import { dumpState } from "./state-dump";

const COURSE = 4101;
const OTHER_COURSE = 4102;
const FILE_ID = 9001;
const JOB_ID = "6f1c1f0e-8d7b-4a8e-9c55-3c1b2f4e5a61";
const SHA = "a".repeat(64);

interface Case {
  name: string;
  method?: string;
  path: string;
  /** bearer token to send; null sends no Authorization header */
  token?: string | null;
  headers?: Record<string, string>;
  body?: string;
  status: number;
}

const json = { "content-type": "application/json" };
const big = (bytes: number) => JSON.stringify({ canvasCourseId: 5, pad: "x".repeat(bytes) });
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");

function authCases(): Case[] {
  const wrong: [string, Record<string, string>][] = [
    ["no Authorization", {}],
    ["empty Authorization", { authorization: "" }],
    ["scheme only", { authorization: "Bearer" }],
    ["scheme and space", { authorization: "Bearer " }],
    ["wrong token", { authorization: "Bearer wrong-token-0123456789" }],
    ["Basic scheme", { authorization: `Basic ${btoa(`admin:${API_TOKEN}`)}` }],
    ["token without scheme", { authorization: API_TOKEN }],
    ["token with a suffix", { authorization: `Bearer ${API_TOKEN}0` }],
    ["token prefix", { authorization: `Bearer ${API_TOKEN.slice(0, 10)}` }],
    ["token in upper case", { authorization: `Bearer ${API_TOKEN.toUpperCase()}` }],
    ["the Canvas token", { authorization: `Bearer ${CANVAS_TOKEN}` }],
    ["two tokens", { authorization: `Bearer ${API_TOKEN} extra` }],
    ["two headers joined", { authorization: `Bearer wrong, Bearer ${API_TOKEN}` }],
    ["raw token as cookie", { cookie: `canvas_sync_token=${API_TOKEN}` }],
    ["forged session cookie", { cookie: `canvas_sync_token=9999999999.${"A".repeat(43)}` }],
    ["expired-looking session cookie", { cookie: "canvas_sync_token=1.abc" }],
    ["token in the query string", {}],
  ];
  const targets: [string, string, string?][] = [
    ["GET", "/api/courses"],
    ["POST", "/api/courses", JSON.stringify({ canvasCourseId: 777 })],
    ["POST", `/api/courses/${COURSE}/sync`, JSON.stringify({ mode: "full" })],
    ["GET", "/metrics"],
  ];
  const cases: Case[] = [];
  wrong.forEach(([label, headers], index) => {
    // Spread the wrong credentials over the targets so each target sees several kinds.
    const [method, path, body] = targets[index % targets.length] ?? ["GET", "/api/courses"];
    const query =
      label === "token in the query string" ? `?token=${API_TOKEN}&access_token=${API_TOKEN}` : "";
    cases.push({
      name: `${label} on ${method} ${path}`,
      method,
      path: `${path}${query}`,
      token: null,
      headers: { ...headers, ...(body ? json : {}) },
      ...(body ? { body } : {}),
      status: 401,
    });
  });
  for (const [method, path, body] of targets) {
    cases.push({
      name: `no token on ${method} ${path}`,
      method,
      path,
      token: null,
      ...(body ? { body, headers: json } : {}),
      status: 401,
    });
  }
  cases.push({ name: "no token on job status", path: `/api/jobs/${JOB_ID}`, token: null, status: 401 });
  cases.push({ name: "no token on items", path: `/api/courses/${COURSE}/items`, token: null, status: 401 });
  cases.push({
    name: "no token on file content",
    path: `/api/courses/${COURSE}/files/${FILE_ID}/content`,
    token: null,
    status: 401,
  });
  return cases;
}

const registerCase = (
  name: string,
  body: string,
  status = 400,
  headers: Record<string, string> = json,
): Case => ({
  name: `register: ${name}`,
  method: "POST",
  path: "/api/courses",
  headers,
  body,
  status,
});

function registerCases(): Case[] {
  return [
    registerCase("truncated JSON", '{"canvasCourseId": 5'),
    registerCase("not JSON at all", "canvasCourseId=5"),
    registerCase("empty body", ""),
    registerCase("JSON null", "null"),
    registerCase("JSON array", "[5]"),
    registerCase("JSON string", '"5"'),
    registerCase("empty object", "{}"),
    registerCase("id as string", '{"canvasCourseId":"5"}'),
    registerCase("id negative", '{"canvasCourseId":-5}'),
    registerCase("id zero", '{"canvasCourseId":0}'),
    registerCase("id fractional", '{"canvasCourseId":5.5}'),
    registerCase("id beyond 2^53", '{"canvasCourseId":9007199254740993}'),
    registerCase("id overflowing to Infinity", `{"canvasCourseId":1${"0".repeat(400)}}`),
    registerCase("id as object", '{"canvasCourseId":{"$gt":0}}'),
    registerCase("id as array", '{"canvasCourseId":[5]}'),
    registerCase("id as boolean", '{"canvasCourseId":true}'),
    registerCase("id null", '{"canvasCourseId":null}'),
    registerCase("unknown field", '{"canvasCourseId":5,"admin":true}'),
    registerCase("prototype pollution", '{"canvasCourseId":5,"__proto__":{"admin":true}}'),
    registerCase("constructor key", '{"canvasCourseId":5,"constructor":{"prototype":{"x":1}}}'),
    registerCase("script in the id", '{"canvasCourseId":"<script>alert(1)</script>"}'),
    registerCase("script in an unknown field", '{"canvasCourseId":5,"name":"<img src=x onerror=alert(1)>"}'),
    registerCase("SQL in the id", `{"canvasCourseId":"5; DROP TABLE courses; --"}`),
    registerCase("deeply nested arrays", nested(5000)),
    registerCase("body over 64 KB", big(70 * 1024), 413),
    registerCase("body of 1 MB", big(1024 * 1024), 413),
    registerCase("duplicate of a registered course", JSON.stringify({ canvasCourseId: COURSE }), 409),
    registerCase("text/plain content type", JSON.stringify({ canvasCourseId: 5 }), 415, {
      "content-type": "text/plain",
    }),
    registerCase("form content type", "canvasCourseId=5", 415, {
      "content-type": "application/x-www-form-urlencoded",
    }),
    registerCase("no content type", JSON.stringify({ canvasCourseId: 5 }), 415, {}),
    registerCase("NUL bytes", '{"canvasCourseId":5\u0000}'),
    registerCase("UTF-16 garbage", "\uFEFF\uD800{}"),
  ];
}

const syncCase = (name: string, path: string, body: string | undefined, status = 400): Case => ({
  name: `sync: ${name}`,
  method: "POST",
  path,
  headers: json,
  ...(body === undefined ? {} : { body }),
  status,
});

function syncCases(): Case[] {
  const ok = `/api/courses/${COURSE}/sync`;
  return [
    syncCase("unknown mode", ok, '{"mode":"turbo"}'),
    syncCase("mode as number", ok, '{"mode":1}'),
    syncCase("mode with script", ok, '{"mode":"<script>alert(1)</script>"}'),
    syncCase("unknown field", ok, '{"mode":"full","priority":"now"}'),
    syncCase("bad JSON", ok, "{mode:full}"),
    syncCase("array body", ok, '["full"]'),
    syncCase("body over 64 KB", ok, JSON.stringify({ mode: "full", pad: "y".repeat(70 * 1024) }), 413),
    syncCase("unregistered course", "/api/courses/999999/sync", '{"mode":"full"}', 404),
    syncCase("id not numeric", "/api/courses/abc/sync", '{"mode":"full"}'),
    syncCase("id negative", "/api/courses/-1/sync", '{"mode":"full"}'),
    syncCase("id zero", "/api/courses/0/sync", '{"mode":"full"}'),
    syncCase("id with exponent", "/api/courses/1e3/sync", '{"mode":"full"}'),
    syncCase("id of 16 digits", "/api/courses/1234567890123456/sync", '{"mode":"full"}'),
    syncCase("encoded traversal in id", "/api/courses/..%2F..%2Fetc%2Fpasswd/sync", '{"mode":"full"}'),
    syncCase("NUL in id", "/api/courses/41%0001/sync", '{"mode":"full"}'),
    syncCase("SQL in id", "/api/courses/4101%20OR%201=1/sync", '{"mode":"full"}'),
    syncCase("Arabic-Indic digits in id", "/api/courses/%D9%A1%D9%A0%D9%A1/sync", '{"mode":"full"}'),
  ];
}

const readCase = (name: string, path: string, status = 400): Case => ({
  name: `read: ${name}`,
  path,
  status,
});

function readCases(): Case[] {
  const items = `/api/courses/${COURSE}/items`;
  return [
    readCase("limit 0", "/api/courses?limit=0"),
    readCase("limit negative", "/api/courses?limit=-1"),
    readCase("limit above 500", "/api/courses?limit=501"),
    readCase("limit not a number", "/api/courses?limit=abc"),
    readCase("limit fractional", "/api/courses?limit=1.5"),
    readCase("limit empty", "/api/courses?limit="),
    readCase("limit with SQL", "/api/courses?limit=1;DROP%20TABLE%20courses"),
    readCase("cursor garbage", "/api/courses?cursor=!!!"),
    readCase("cursor of the wrong shape", `/api/courses?cursor=${b64({ x: 1 })}`),
    readCase("cursor over 200 chars", `/api/courses?cursor=${"A".repeat(201)}`),
    readCase("course id not numeric", "/api/courses/abc"),
    readCase("course id negative", "/api/courses/-4101"),
    readCase("course id with leading zero", "/api/courses/04101"),
    readCase("course id overflow", "/api/courses/99999999999999999999"),
    readCase("course id traversal", "/api/courses/..%2F..%2Fetc%2Fpasswd"),
    readCase("course not registered", "/api/courses/424242", 404),
    readCase("items: unknown type", `${items}?type=gradebook`),
    readCase("items: script as type", `${items}?type=%3Cscript%3Ealert(1)%3C%2Fscript%3E`),
    readCase("items: changedSince not a date", `${items}?changedSince=yesterday`),
    readCase("items: changedSince impossible date", `${items}?changedSince=2024-13-45T00:00:00Z`),
    readCase("items: changedSince without zone", `${items}?changedSince=2024-01-01`),
    readCase("items: includeDeleted yes", `${items}?includeDeleted=yes`),
    readCase("items: cursor garbage", `${items}?cursor=%%%`),
    readCase("items: cursor of the wrong shape", `${items}?cursor=${b64({ changedAt: "x", id: 1 })}`),
    readCase("items: limit 100000", `${items}?limit=100000`),
    readCase("items: course id traversal", "/api/courses/..%2F4101/items"),
    readCase("changes: item id traversal", `${items}/..%2F..%2Fsecrets/changes`),
    readCase("changes: item id with SQL", `${items}/4101:page:1%3BDROP%20TABLE%20items/changes`),
    readCase("changes: item id of another course", `${items}/${OTHER_COURSE}:page:1/changes`, 404),
    readCase("changes: unknown item", `${items}/${COURSE}:page:999/changes`, 404),
    readCase("changes: cursor of the wrong shape", `${items}/${COURSE}:page:1/changes?cursor=${b64("x")}`),
    readCase("file: id not numeric", `/api/courses/${COURSE}/files/abc/content`),
    readCase("file: id traversal", `/api/courses/${COURSE}/files/..%2F..%2Fblobs/content`),
    readCase("file: unknown file", `/api/courses/${COURSE}/files/424242/content`, 404),
    readCase("file: file of another course", `/api/courses/${OTHER_COURSE}/files/${FILE_ID}/content`, 404),
    readCase("job: not a uuid", "/api/jobs/not-a-job"),
    readCase("job: traversal", "/api/jobs/..%2F..%2Fetc%2Fpasswd"),
    readCase("job: SQL", "/api/jobs/'%20OR%20'1'='1"),
    readCase("job: unknown uuid", "/api/jobs/00000000-0000-4000-8000-000000000000", 404),
    readCase("jobs: cursor garbage", `/api/courses/${COURSE}/jobs?cursor=zzz`),
    readCase("jobs: limit 0", `/api/courses/${COURSE}/jobs?limit=0`),
  ];
}

function routeCases(): Case[] {
  return [
    { name: "DELETE a course", method: "DELETE", path: `/api/courses/${COURSE}`, status: 404 },
    {
      name: "PUT the course list",
      method: "PUT",
      path: "/api/courses",
      headers: json,
      body: "[]",
      status: 404,
    },
    {
      name: "PATCH a job",
      method: "PATCH",
      path: `/api/jobs/${JOB_ID}`,
      headers: json,
      body: "{}",
      status: 404,
    },
    { name: "POST to metrics", method: "POST", path: "/metrics", status: 404 },
    { name: "POST to health", method: "POST", path: "/health", status: 404 },
    { name: "unknown API route", path: "/api/admin", status: 404 },
    { name: "dot-dot traversal out of the API", path: "/api/../../etc/passwd", status: 404 },
    { name: "encoded dot-dot traversal", path: "/%2e%2e/%2e%2e/etc/passwd", status: 404 },
    { name: "wrangler internals", path: "/.wrangler/state", status: 404 },
    { name: "unknown route with script", path: "/%3Cscript%3Ealert(1)%3C%2Fscript%3E", status: 404 },
  ];
}

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

const cases = [...authCases(), ...registerCases(), ...syncCases(), ...readCases(), ...routeCases()];

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
