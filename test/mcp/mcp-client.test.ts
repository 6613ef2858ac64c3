/**
 * The MCP endpoint driven by the official SDK's own client (Client + StreamableHTTPClientTransport, with a fetch
 * that routes to this worker) against a simulator course mirrored through the real pipeline: initialize,
 * tools/list, every tool called and checked against the simulator's truth, a deletion seen by changes_since, a
 * large page whose text lives in R2 found through the queue path, and errors for bad arguments. Plus the HTTP
 * edges: 401 without the API token, 405 for GET, and a stateless endpoint (no session id).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallToolResult, CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { CanvasSimulator } from "../local/simulator";
import type { CourseTruth } from "../local/simulator/truth";
import {
  API_TOKEN,
  CANVAS_ORIGIN,
  api,
  apiJson,
  resetStorage,
  startSimulator,
  syncNow,
  waitForExtractions,
} from "../support/harness";

const MCP_URL = "https://sync.test/mcp";
const LONG_TOPIC = "xylophonist";

/** A raw JSON-RPC POST to /mcp with the API token. */
function postMcp(body: string, contentType = "application/json"): Promise<Response> {
  return exports.default.fetch(
    new Request(MCP_URL, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        "content-type": contentType,
        accept: "application/json, text/event-stream",
      },
      body,
    }),
  );
}

function connectClient(token = API_TOKEN): { client: Client; transport: StreamableHTTPClientTransport } {
  const client = new Client({ name: "test-assistant", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), {
    // Routed straight to the worker under test (global fetch answers as the Canvas simulator in these tests).
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  return { client, transport };
}

/** The structured result of a successful tool call, checked against the shape the test relies on. */
function structured<S extends z.ZodType>(result: CallToolResult, schema: S): z.infer<S> {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
  const first = result.content[0];
  // The text a model reads and the structured content a program reads carry the same object.
  const text: unknown = JSON.parse(first?.type === "text" ? first.text : "null");
  if (JSON.stringify(text) !== JSON.stringify(result.structuredContent)) {
    throw new Error("the text content differs from the structured content");
  }
  return schema.parse(result.structuredContent);
}

function errorText(result: CallToolResult): string {
  if (!result.isError) throw new Error(`expected a tool error, got ${JSON.stringify(result.content)}`);
  const first = result.content[0];
  return first?.type === "text" ? first.text : "";
}

const HitsSchema = z.object({
  hits: z.array(
    z.object({
      itemId: z.string(),
      type: z.string(),
      title: z.string(),
      snippet: z.string(),
      canvasUrl: z.string(),
      textIndexed: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
const TextPageSchema = z.object({
  available: z.boolean(),
  content: z.string(),
  totalChars: z.number(),
  nextOffset: z.number().nullable(),
});
const ItemSchema = z.object({
  item: z.object({ title: z.string(), canvasUrl: z.string(), fields: z.record(z.string(), z.unknown()) }),
  text: TextPageSchema,
});
const FileTextSchema = z.object({
  file: z.object({ name: z.string(), canvasUrl: z.string() }),
  text: TextPageSchema,
});
const CoursesSchema = z.object({
  courses: z.array(
    z.object({ canvasCourseId: z.number(), name: z.string().nullable(), canvasUrl: z.string() }),
  ),
});
const StatusSchema = z.object({
  state: z.string(),
  lagSeconds: z.number(),
  lastJob: z.object({ status: z.string(), mode: z.string() }),
  itemCounts: z.record(z.string(), z.number()),
});
const ChangesSchema = z.object({
  changes: z.array(z.object({ itemId: z.string(), change: z.string(), deletedAt: z.string().nullable() })),
});

describe("the MCP server, driven by the official SDK client", () => {
  let simulator: CanvasSimulator;
  let course = 0;
  let truth: CourseTruth;
  let client: Client;
  let labPage: { id: number; url: string };
  let longPage: { id: number; url: string };
  let firstSyncAt = "";
  /** tools/call through the SDK client, its answer checked against the SDK's own result schema. */
  const callTool = async (params: { name: string; arguments: Record<string, unknown> }) =>
    CallToolResultSchema.parse(await client.callTool(params));

  beforeAll(async () => {
    await resetStorage();
    simulator = startSimulator({ seed: 11, institution: "demo" });
    const [first] = simulator.control.courseIds();
    if (first === undefined) throw new Error("the demo institution has no course");
    course = first;
    labPage = simulator.control.createPage(course, {
      title: "Photosynthesis lab",
      body: "<p>Measure how <b>chlorophyll</b> absorbs red and blue light; bring goggles.</p>",
    });
    // Longer than the 32,000 characters kept inline: its text goes to R2 and is indexed from the queue path.
    longPage = simulator.control.createPage(course, {
      title: "Orchestra handbook",
      body: `<p>${"Rehearsal etiquette and seating. ".repeat(1_200)}</p><p>Ask the ${LONG_TOPIC} about mallets.</p>`,
    });
    const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: course } });
    if (registered.status !== 201) throw new Error(`registration answered ${registered.status}`);
    firstSyncAt = new Date().toISOString();
    const job = await syncNow(course);
    if (job.status !== "succeeded") throw new Error(`the first sync ${job.status}: ${job.error}`);
    await waitForExtractions();
    truth = await simulator.control.truth(course);
    const connection = connectClient();
    client = connection.client;
    await client.connect(connection.transport);
  });

  afterAll(async () => {
    await client.close();
  });

  it("initializes and lists six read-only tools with input schemas", async () => {
    expect(client.getServerVersion()?.name).toBe("canvas-sync");
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getInstructions()).toMatch(/search_content/);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "changes_since",
      "get_file_text",
      "get_item",
      "list_courses",
      "search_content",
      "sync_status",
    ]);
    for (const tool of tools) {
      expect({ tool: tool.name, described: (tool.description?.length ?? 0) > 40 }).toEqual({
        tool: tool.name,
        described: true,
      });
      expect(tool.inputSchema.type).toBe("object");
      expect({ tool: tool.name, readOnly: tool.annotations?.readOnlyHint }).toEqual({
        tool: tool.name,
        readOnly: true,
      });
    }
    const search = tools.find((tool) => tool.name === "search_content");
    expect(search?.inputSchema.required).toEqual(["query"]);
  });

  it("list_courses and sync_status describe the mirrored course", async () => {
    const listed = structured(await callTool({ name: "list_courses", arguments: {} }), CoursesSchema);
    expect(listed.courses).toEqual([
      expect.objectContaining({
        canvasCourseId: course,
        name: truth.course.name,
        canvasUrl: `${CANVAS_ORIGIN}/courses/${course}`,
      }),
    ]);
    const status = structured(
      await callTool({ name: "sync_status", arguments: { canvasCourseId: course } }),
      StatusSchema,
    );
    expect(status.state).toBe("idle");
    expect(status.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(status.lastJob).toMatchObject({ status: "succeeded", mode: "incremental" });
    expect(status.itemCounts["page"]).toBe(truth.pages.length);
    expect(status.itemCounts["file"]).toBe(truth.files.length);
  });

  it("search_content finds a page by its body, with a bold snippet and its Canvas URL; get_item pages its text", async () => {
    const { hits } = structured(
      await callTool({
        name: "search_content",
        arguments: { query: "chlorophyll", canvasCourseId: course },
      }),
      HitsSchema,
    );
    expect(hits.map((hit) => hit.itemId)).toEqual([`${course}:page:${labPage.id}`]);
    expect(hits[0]?.snippet).toContain("**chlorophyll**");
    expect(hits[0]?.canvasUrl).toBe(`${CANVAS_ORIGIN}/courses/${course}/pages/${labPage.url}`);

    const full = structured(
      await callTool({ name: "get_item", arguments: { itemId: `${course}:page:${labPage.id}` } }),
      ItemSchema,
    );
    expect(full.item.title).toBe("Photosynthesis lab");
    expect(full.item.canvasUrl).toBe(hits[0]?.canvasUrl);
    expect(full.item.fields["body"]).toBeUndefined();
    expect(full.text.content).toMatch(/chlorophyll absorbs red and blue light/);
    expect(full.text.nextOffset).toBeNull();
  });

  it("a text too large to keep inline is found once the queue path has indexed it from R2, and reads in pages", async () => {
    const itemId = `${course}:page:${longPage.id}`;
    const found = await vi.waitUntil(
      async () => {
        const { hits } = structured(
          await callTool({ name: "search_content", arguments: { query: LONG_TOPIC } }),
          HitsSchema,
        );
        return hits.length > 0 ? hits : false;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(found.map((hit) => [hit.itemId, hit.textIndexed])).toEqual([[itemId, "full"]]);
    let offset: number | null = 0;
    let text = "";
    let pages = 0;
    while (offset !== null) {
      const page: z.infer<typeof ItemSchema> = structured(
        await callTool({ name: "get_item", arguments: { itemId, offset, maxChars: 10_000 } }),
        ItemSchema,
      );
      text += page.text.content;
      offset = page.text.nextOffset;
      pages++;
      expect(page.text.totalChars).toBeGreaterThan(32_000);
    }
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(text).toContain(`Ask the ${LONG_TOPIC} about mallets.`);
  });

  it("get_file_text returns a document's extracted text", async () => {
    const document = truth.files.find(
      (file) => file.text !== null && file.display_name.endsWith(".pdf") && !file.flags.corrupt,
    );
    if (!document) throw new Error("the demo course has no PDF");
    const result = structured(
      await callTool({
        name: "get_file_text",
        arguments: { canvasCourseId: course, canvasFileId: document.id },
      }),
      FileTextSchema,
    );
    expect(result.file.name).toBe(document.display_name);
    expect(result.file.canvasUrl).toBe(`${CANVAS_ORIGIN}/courses/${course}/files/${document.id}`);
    const firstWords = (document.text ?? "").split(/\s+/).slice(0, 6).join(" ");
    expect(result.text.content.replace(/\s+/g, " ")).toContain(firstWords);

    // The same words find the file through search.
    const word = (document.text ?? "").split(/\W+/).find((w) => w.length >= 7) ?? "";
    const { hits } = structured(
      await callTool({ name: "search_content", arguments: { query: word, type: "file" } }),
      HitsSchema,
    );
    expect(hits.map((hit) => hit.itemId)).toContain(`${course}:file:${document.id}`);
  });

  it("changes_since reports additions, then a deletion after the next sync, and search forgets the deleted page", async () => {
    const all = structured(
      await callTool({
        name: "changes_since",
        arguments: { since: firstSyncAt, canvasCourseId: course, limit: 200 },
      }),
      ChangesSchema,
    );
    expect(all.changes).toContainEqual(
      expect.objectContaining({ itemId: `${course}:page:${labPage.id}`, change: "added" }),
    );
    const beforeDelete = new Date().toISOString();
    simulator.control.deletePage(course, labPage.id);
    expect((await syncNow(course)).status).toBe("succeeded");
    const since = structured(
      await callTool({ name: "changes_since", arguments: { since: beforeDelete } }),
      ChangesSchema,
    );
    expect(since.changes).toEqual([
      expect.objectContaining({
        itemId: `${course}:page:${labPage.id}`,
        change: "deleted",
        deletedAt: expect.any(String),
      }),
    ]);
    const { hits } = structured(
      await callTool({ name: "search_content", arguments: { query: "chlorophyll" } }),
      HitsSchema,
    );
    expect(hits).toEqual([]);
  });

  it("answers bad arguments with errors that name the problem", async () => {
    const badId = await callTool({ name: "get_item", arguments: { itemId: "not-an-id" } });
    expect(errorText(badId)).toMatch(/itemId/);
    const missing = await callTool({
      name: "get_item",
      arguments: { itemId: `${course}:page:999999` },
    });
    expect(errorText(missing)).toMatch(/No mirrored item/);
    const syntax = await callTool({
      name: "search_content",
      arguments: { query: "chlorophyll AND", syntax: "fts5" },
    });
    expect(errorText(syntax)).toMatch(/fts5: syntax error/);
    const badTime = await callTool({ name: "changes_since", arguments: { since: "yesterday" } });
    expect(errorText(badTime)).toMatch(/since/);
    const unknownCourse = await callTool({
      name: "sync_status",
      arguments: { canvasCourseId: 424242 },
    });
    expect(errorText(unknownCourse)).toMatch(/not mirrored/);
  });

  it("refuses a client without the API token, and is stateless", async () => {
    const { client: stranger, transport } = connectClient("wrong-token-0123456789");
    await expect(stranger.connect(transport)).rejects.toThrow(/unauthorized/);
    const bare = await exports.default.fetch(
      new Request(MCP_URL, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }),
    );
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ error: { code: "unauthorized" } });
    const get = await exports.default.fetch(
      new Request(MCP_URL, {
        headers: { authorization: `Bearer ${API_TOKEN}`, accept: "text/event-stream" },
      }),
    );
    expect(get.status).toBe(405);
    // No session: a plain tools/list without initialize is served (any isolate can serve any request).
    const listed = await exports.default.fetch(
      new Request(MCP_URL, {
        method: "POST",
        headers: {
          authorization: `Bearer ${API_TOKEN}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }),
      }),
    );
    expect(listed.status).toBe(200);
    expect(listed.headers.get("mcp-session-id")).toBeNull();
    const body = await listed.json<{ result: { tools: unknown[] } }>();
    expect(body.result.tools).toHaveLength(6);
    // The REST search agrees with the MCP one.
    const page = await apiJson<{ items: { itemId: string }[] }>(`/api/search?q=${LONG_TOPIC}`);
    expect(page.items.map((hit) => hit.itemId)).toEqual([`${course}:page:${longPage.id}`]);
  });

  it("answers malformed, truncated, oversized and mistyped requests with 4xx and no server error", async () => {
    const valid = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const cases: [string, string, string?][] = [
      ["not JSON", "{not json"],
      ["truncated JSON", valid.slice(0, valid.length - 3)],
      ["not JSON-RPC", JSON.stringify({ hello: "world" })],
      ["empty body", ""],
      [
        "oversized body",
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", pad: "x".repeat(70_000) }),
      ],
      ["wrong content type", valid, "text/plain"],
    ];
    const answers: Record<string, number> = {};
    for (const [name, body, contentType] of cases) {
      const response = await postMcp(body, contentType);
      await response.body?.cancel();
      answers[name] = response.status;
    }
    expect(answers).toEqual({
      "not JSON": 400,
      "truncated JSON": 400,
      "not JSON-RPC": 400,
      "empty body": 400,
      "oversized body": 413,
      "wrong content type": 415,
    });
    // An unknown tool and an unknown method are protocol errors, not crashes.
    const unknownTool = await postMcp(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "delete_course", arguments: {} },
      }),
    );
    expect(await unknownTool.json()).toMatchObject({
      result: {
        isError: true,
        content: [{ type: "text", text: expect.stringMatching(/delete_course not found/) }],
      },
    });
    const unknownMethod = await postMcp(
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "resources/delete" }),
    );
    expect(await unknownMethod.json()).toMatchObject({ error: { code: -32601 } });
  });
});
