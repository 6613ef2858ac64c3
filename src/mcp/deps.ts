/** What the MCP tools read from, built per request from the Worker's bindings (src/mcp/routes.ts). */
export interface McpDeps {
  db: D1Database;
  blobs: R2Bucket;
  courseSync: Env["COURSE_SYNC"];
  canvasBaseUrl: string;
  now: () => number;
}
