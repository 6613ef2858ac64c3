/**
 * MCP tools over the mirrored content: search_content (the full-text search of GET /api/search), get_item (one
 * item with its text, paged) and get_file_text (a file's extracted text, paged). Every result carries the Canvas
 * URL of what it returns, so an assistant can cite it.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { canvasItemUrl, urlFactsOf } from "../search/item-url";
import { ITEM_TYPES, itemKey } from "../detect/item-types";
import { TEXT_FIELD } from "../detect/projections";
import { MAX_QUERY_CHARS } from "../search/limits";
import { runSearch } from "../search/search-service";
import { parseJsonOrNull } from "../shared/parse-json";
import { getItem, type ItemRecord } from "../storage/d1/queries";
import type { McpDeps } from "./deps";
import { readItemText } from "./item-text";
import { pageText } from "./text-page";
import { READ_ONLY, toolError, toolResult } from "./tool-result";

const CourseId = z.number().int().positive().describe("Canvas course id");
const Offset = z.number().int().min(0).default(0).describe("Character offset to start from (use nextOffset)");
const MaxChars = z.number().int().min(100).max(50_000).default(20_000).describe("Characters to return");
const ItemTypeEnum = z.enum(ITEM_TYPES);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const DataSchema = z.record(z.string(), z.unknown());

/** The stored projection (written by this worker as a JSON object); anything else reads as no fields. */
function parseData(text: string): Record<string, unknown> {
  const parsed = DataSchema.safeParse(parseJsonOrNull(text));
  return parsed.success ? parsed.data : {};
}

/** The item without its raw HTML (the text is returned separately, as plain text). */
function describeItem(deps: McpDeps, item: ItemRecord) {
  const type = ItemTypeEnum.parse(item.type);
  const data = parseData(item.data);
  const htmlField = TEXT_FIELD[type];
  const fields = Object.fromEntries(Object.entries(data).filter(([key]) => key !== htmlField));
  return {
    itemId: item.id,
    type,
    canvasId: item.canvasId,
    title: item.title,
    canvasCourseId: item.courseId,
    canvasUrl: canvasItemUrl(
      deps.canvasBaseUrl,
      urlFactsOf({ courseId: item.courseId, type, canvasId: item.canvasId }, data),
    ),
    updatedAt: iso(item.changedAt),
    canvasUpdatedAt: item.canvasUpdatedAt,
    deletedAt: iso(item.deletedAt),
    version: item.version,
    fields,
  };
}

async function textSection(deps: McpDeps, item: ItemRecord, offset: number, maxChars: number) {
  const text = await readItemText(deps.blobs, item);
  if (!text.ok) return { status: item.textStatus, available: false, reason: text.reason };
  return { status: item.textStatus, available: true, ...pageText(text.text, offset, maxChars) };
}

export function registerContentTools(server: McpServer, deps: McpDeps): void {
  server.registerTool(
    "search_content",
    {
      title: "Search course content",
      description:
        "Full-text search over the mirrored Canvas content (pages, assignments, quizzes, discussions, " +
        "announcements, syllabus, file text), best matches first. All words must match (stemmed); supports " +
        '"exact phrase", prefix*, -exclude and OR. Returns item ids for get_item, snippets with matches in ' +
        "**bold**, and Canvas URLs to cite. Pass nextCursor back as cursor for more.",
      inputSchema: {
        query: z.string().min(1).max(MAX_QUERY_CHARS).describe("Words to find"),
        canvasCourseId: CourseId.optional().describe("Only this course"),
        type: ItemTypeEnum.optional().describe("Only this kind of item"),
        limit: z.number().int().min(1).max(50).default(10).describe("Hits per page"),
        cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
        syntax: z
          .enum(["simple", "fts5"])
          .default("simple")
          .describe("simple (default) or fts5 for raw SQLite FTS5 syntax (NEAR, title:word)"),
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const outcome = await runSearch(
        deps.db,
        deps.canvasBaseUrl,
        {
          q: args.query,
          syntax: args.syntax,
          limit: args.limit,
          ...(args.canvasCourseId === undefined ? {} : { canvasCourseId: args.canvasCourseId }),
          ...(args.type === undefined ? {} : { type: args.type }),
          ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
        },
        "markdown",
      );
      if (!outcome.ok) return toolError(outcome.message);
      return toolResult({ hits: outcome.items, nextCursor: outcome.nextCursor });
    },
  );

  server.registerTool(
    "get_item",
    {
      title: "Get one mirrored item",
      description:
        "One mirrored Canvas item by its itemId (from search_content or changes_since): its fields, Canvas URL " +
        "and plain text. Long text comes in pages: call again with offset = nextOffset until nextOffset is null. " +
        "A deleted item is returned with deletedAt set.",
      inputSchema: {
        itemId: z
          .string()
          .regex(/^\d+:[a-z_]+:\d+$/, "itemId looks like <courseId>:<type>:<canvasId>, e.g. 101:page:5")
          .describe("<courseId>:<type>:<canvasId>, e.g. 101:page:5"),
        offset: Offset,
        maxChars: MaxChars,
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const item = await getItem(deps.db, args.itemId);
      if (!item)
        return toolError(`No mirrored item ${args.itemId}. Find ids with search_content or changes_since.`);
      return toolResult({
        item: describeItem(deps, item),
        text: await textSection(deps, item, args.offset, args.maxChars),
      });
    },
  );

  server.registerTool(
    "get_file_text",
    {
      title: "Get a file's text",
      description:
        "The text extracted from a mirrored Canvas file (PDF, DOCX, PPTX, XLSX, HTML, plain text), paged like " +
        "get_item, with the file's name, type, size and Canvas URL. Says why when there is no text.",
      inputSchema: {
        canvasCourseId: CourseId,
        canvasFileId: z.number().int().positive().describe("Canvas file id"),
        offset: Offset,
        maxChars: MaxChars,
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const item = await getItem(deps.db, itemKey(args.canvasCourseId, "file", args.canvasFileId));
      if (!item) {
        return toolError(`Course ${args.canvasCourseId} has no mirrored file ${args.canvasFileId}.`);
      }
      const described = describeItem(deps, item);
      return toolResult({
        file: {
          itemId: described.itemId,
          name: described.fields["display_name"] ?? described.title,
          contentType: described.fields["content_type"] ?? null,
          size: item.size,
          canvasUrl: described.canvasUrl,
          updatedAt: described.updatedAt,
          deletedAt: described.deletedAt,
        },
        text: await textSection(deps, item, args.offset, args.maxChars),
      });
    },
  );
}
