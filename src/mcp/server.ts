/**
 * The MCP server of the mirror (official TypeScript SDK, `McpServer`): six read-only tools, registered on a fresh
 * server per HTTP request (the endpoint is stateless; src/mcp/routes.ts).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerContentTools } from "./content-tools";
import type { McpDeps } from "./deps";
import { registerSyncTools } from "./sync-tools";

export const MCP_SERVER_NAME = "canvas-sync";

export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: "1.0.0", title: "Canvas course mirror" },
    {
      instructions:
        "Read-only access to an always-fresh mirror of Canvas LMS courses. Start with list_courses or " +
        "search_content; read items with get_item or get_file_text; cite the canvasUrl of what you use. " +
        "changes_since lists what changed (including deletions) since a time; sync_status tells how fresh a " +
        "course is.",
    },
  );
  registerSyncTools(server, deps);
  registerContentTools(server, deps);
  return server;
}
