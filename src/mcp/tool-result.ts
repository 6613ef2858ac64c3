/**
 * How every MCP tool answers: the result as compact JSON text (what a model reads) plus the same object as
 * structured content (what a program reads); failures as tool errors (`isError`) whose text says what to do
 * differently, so the model can correct itself instead of the call failing at the protocol level.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

export function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** Read-only tools over a closed world (the mirror): clients may call them without confirmation. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
