/**
 * The OpenAPI document: public, complete (every API route the app serves is described), consistent (errors use the
 * Error schema, list endpoints page the same way, authenticated routes declare 401), and the reference page loads it.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/api/app";
import { api, API_TOKEN, CANVAS_TOKEN } from "../support/harness";

const RefSchema = z.object({ $ref: z.string().optional() }).loose();
const OperationSchema = z
  .object({
    summary: z.string().optional(),
    security: z.array(z.unknown()).optional(),
    parameters: z.array(z.object({ name: z.string(), in: z.string() }).loose()).optional(),
    responses: z.record(
      z.string(),
      z
        .object({
          content: z.record(z.string(), z.object({ schema: RefSchema.optional() }).loose()).optional(),
        })
        .loose(),
    ),
  })
  .loose();
const OpenApiDocSchema = z
  .object({
    openapi: z.string(),
    security: z.array(z.unknown()),
    paths: z.record(z.string(), z.record(z.string(), OperationSchema)),
    components: z
      .object({
        schemas: z.record(
          z.string(),
          z.object({ properties: z.record(z.string(), z.unknown()).optional() }).loose(),
        ),
        securitySchemes: z.record(z.string(), z.unknown()),
      })
      .loose(),
  })
  .loose();
type OpenApiDoc = z.infer<typeof OpenApiDocSchema>;

async function loadDoc(): Promise<{ doc: OpenApiDoc; text: string }> {
  const response = await api("/openapi.json", { headers: { authorization: "" } });
  expect(response.status).toBe(200);
  const text = await response.text();
  // Parsing with a schema also checks the document's overall shape.
  const doc: OpenApiDoc = OpenApiDocSchema.parse(JSON.parse(text));
  return { doc, text };
}

/** The routes the app really serves that belong to the documented HTTP contract. */
function servedRoutes(): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const route of createApp().routes) {
    if (route.method === "ALL") continue; // middleware
    if (!/^\/(api|health|metrics|webhooks)\b/.test(route.path)) continue;
    const path = route.path.replace(/:([A-Za-z]+)/g, "{$1}");
    seen.set(`${route.method} ${path}`, { method: route.method.toLowerCase(), path });
  }
  return [...seen.values()];
}

describe("/openapi.json", () => {
  it("is public OpenAPI 3 with bearer security, and reveals no token", async () => {
    const { doc, text } = await loadDoc();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes["bearerAuth"]).toMatchObject({ type: "http", scheme: "bearer" });
    expect(text).not.toContain(API_TOKEN);
    expect(text).not.toContain(CANVAS_TOKEN);
  });

  it("describes every route the app serves, with a summary and every path parameter", async () => {
    const { doc } = await loadDoc();
    const served = servedRoutes();
    expect(served.length).toBeGreaterThanOrEqual(10);
    for (const { method, path } of served) {
      const operation = doc.paths[path]?.[method];
      expect({ route: `${method} ${path}`, documented: operation !== undefined }).toEqual({
        route: `${method} ${path}`,
        documented: true,
      });
      expect(operation?.summary ?? "").not.toBe("");
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])) {
        expect(
          operation?.parameters?.some((parameter) => parameter.in === "path" && parameter.name === name),
        ).toBe(true);
      }
    }
  });

  it("documents errors with the Error schema and 401 on every authenticated operation", async () => {
    const { doc } = await loadDoc();
    expect(Object.keys(doc.components.schemas["Error"]?.properties ?? {})).toEqual(["error"]);
    const violations: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const publicRoute = Array.isArray(operation.security) && operation.security.length === 0;
        if (!publicRoute && !("401" in operation.responses)) violations.push(`${method} ${path}: no 401`);
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400 || path === "/health") continue;
          const ref = response.content?.["application/json"]?.schema?.$ref;
          if (ref !== "#/components/schemas/Error")
            violations.push(`${method} ${path} ${status}: ${String(ref)}`);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(doc.paths["/health"]?.["get"]?.security).toEqual([]);
  });

  it("pages every list endpoint the same way: limit and cursor in, items and nextCursor out", async () => {
    const { doc } = await loadDoc();
    const lists = Object.entries(doc.paths).filter(([, operations]) => {
      const ref = operations["get"]?.responses["200"]?.content?.["application/json"]?.schema?.$ref ?? "";
      return ref.endsWith("Page");
    });
    // At least the core lists; any list added later must follow the same convention.
    expect(lists.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        "/api/courses",
        "/api/courses/{canvasCourseId}/items",
        "/api/courses/{canvasCourseId}/items/{itemId}/changes",
        "/api/courses/{canvasCourseId}/jobs",
        "/api/search",
      ]),
    );
    for (const [path, operations] of lists) {
      const query = (operations["get"]?.parameters ?? [])
        .filter((parameter) => parameter.in === "query")
        .map((parameter) => parameter.name);
      expect({ path, limit: query.includes("limit"), cursor: query.includes("cursor") }).toEqual({
        path,
        limit: true,
        cursor: true,
      });
      const ref = operations["get"]?.responses["200"]?.content?.["application/json"]?.schema?.$ref ?? "";
      const schema = doc.components.schemas[ref.replace("#/components/schemas/", "")];
      expect(Object.keys(schema?.properties ?? {}).sort()).toEqual(["items", "nextCursor"]);
    }
  });
});

describe("/docs", () => {
  it("serves the interactive reference for /openapi.json without a token, from this origin only", async () => {
    const anonymous = { headers: { authorization: "" } };
    const response = await api("/docs", anonymous);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self';");
    const html = await response.text();
    expect(html).toContain("canvas-sync API reference");
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(scripts).toEqual(["/docs/scalar-api-reference.js", "/docs/start.js"]);
    expect(html).not.toMatch(/https?:\/\//);

    const start = await (await api("/docs/start.js", anonymous)).text();
    expect(start).toContain('"url":"/openapi.json"');
    expect(start).toContain('"withDefaultFonts":false');

    // The package's standalone build, from the static assets uploaded with the worker (no CDN).
    const script = await api("/docs/scalar-api-reference.js", anonymous);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    const source = await script.text();
    expect(source.length).toBeGreaterThan(1_000_000);
    expect(source).toContain("createApiReference");
    // Nothing else in the package folder is served.
    for (const path of ["/standalone.js", "/standalone.js.map", "/docs/standalone.js"]) {
      expect({ path, status: (await api(path, anonymous)).status }).toEqual({ path, status: 404 });
    }
  });
});
