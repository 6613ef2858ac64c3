/** What the MCP tools read from, built per request from the Worker's bindings (src/mcp/routes.ts). */
import type { Database } from "../storage/d1/client";

export interface McpDeps {
  db: Database;
  blobs: R2Bucket;
  courseSync: Env["COURSE_SYNC"];
  canvasBaseUrl: string;
  now: () => number;
}
