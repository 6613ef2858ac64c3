/**
 * The table of malformed and hostile API requests used by bad-input.test.ts, with the fixture ids they aim at: wrong
 * or missing credentials, bad bodies, bad ids, bad queries and wrong routes, each with the status it must get.
 */
import { API_TOKEN, CANVAS_TOKEN } from "./harness";

export const COURSE = 4101;
export const OTHER_COURSE = 4102;
export const FILE_ID = 9001;
export const JOB_ID = "6f1c1f0e-8d7b-4a8e-9c55-3c1b2f4e5a61";
export const SHA = "a".repeat(64);

export interface Case {
  name: string;
  method?: string;
  path: string;
  /** bearer token to send; null sends no Authorization header */
  token?: string | null;
  headers?: Record<string, string>;
  body?: string;
  status: number;
}

export const json = { "content-type": "application/json" };
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
    ["GET", "/api/search?q=syllabus"],
    ["POST", "/mcp", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })],
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
    readCase("file: inline=2", `/api/courses/${COURSE}/files/${FILE_ID}/content?inline=2`),
    readCase("file: inline=true", `/api/courses/${COURSE}/files/${FILE_ID}/content?inline=true`),
    readCase("file: inline empty", `/api/courses/${COURSE}/files/${FILE_ID}/content?inline=`),
    readCase(
      "file: inline with script",
      `/api/courses/${COURSE}/files/${FILE_ID}/content?inline=%3Cscript%3E`,
    ),
    readCase(
      "file: inline twice",
      `/api/courses/${COURSE}/files/${FILE_ID}/content?inline=1&inline=%3Cimg%3E`,
    ),
    readCase("file: inline on an unknown file", `/api/courses/${COURSE}/files/424242/content?inline=1`, 404),
    readCase("file: id with a leading zero", `/api/courses/${COURSE}/files/0${FILE_ID}/content`),
    readCase("file: id of 16 digits", `/api/courses/${COURSE}/files/1234567890123456/content`),
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
    {
      name: "DELETE: purge not a boolean",
      method: "DELETE",
      path: `/api/courses/${COURSE}?purge=yes`,
      status: 400,
    },
    { name: "DELETE: unknown course", method: "DELETE", path: "/api/courses/424242", status: 404 },
    { name: "DELETE: id not a number", method: "DELETE", path: "/api/courses/abc", status: 400 },
    { name: "DELETE: the course list", method: "DELETE", path: "/api/courses", status: 404 },
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

export function hostileApiCases(): Case[] {
  return [...authCases(), ...registerCases(), ...syncCases(), ...readCases(), ...routeCases()];
}
