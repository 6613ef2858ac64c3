/**
 * `POST /mcp`: the MCP Streamable HTTP endpoint, stateless. Each request gets a fresh server and transport (no
 * session ids, no server-held streams), answered as plain JSON, so any Worker isolate can serve any request. GET
 * (a server-to-client stream) and DELETE (ending a session) have nothing to serve here and answer 405, as the
 * transport specification allows. Authentication (the API token as a bearer token) is applied in src/api/app.ts.
 */
import { StreamableHTTPTransport } from "@hono/mcp";
import { Hono } from "hono";
import type { AppEnv } from "../http/database";
import { createMcpServer } from "./server";

export const mcpRoutes = new Hono<AppEnv>();

mcpRoutes.post("/mcp", async (c) => {
  const server = createMcpServer({
    db: c.var.db,
    blobs: c.env.BLOBS,
    courseSync: c.env.COURSE_SYNC,
    canvasBaseUrl: c.var.config.CANVAS_BASE_URL,
    now: Date.now,
  });
  // No sessionIdGenerator: stateless mode.
  const transport = new StreamableHTTPTransport({ enableJsonResponse: true });
  await server.connect(transport);
  const response = await transport.handleRequest(c);
  return response ?? c.body(null, 202);
});

mcpRoutes.on(["GET", "DELETE"], "/mcp", (c) =>
  c.json(
    {
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless" },
      id: null,
    },
    405,
    { allow: "POST" },
  ),
);
