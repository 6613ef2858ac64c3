/**
 * MCP tools over the mirror's state: list_courses (what is mirrored and how fresh), changes_since (what changed in
 * one course or in all of them since a time, deletions included, so an assistant can refresh what it knows) and
 * sync_status (one course's state, lag, breaker, running job and last job).
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { canvasItemUrl } from "../search/item-url";
import { ITEM_TYPES } from "../detect/item-types";
import { presentCourse } from "../http/present";
import { listItemsChangedSince } from "../storage/d1/mirror-reads";
import {
  countItemsByType,
  decodeCursor,
  encodeCursor,
  getCourse,
  getJob,
  isItemCursor,
  isNumberCursor,
  listCourses,
} from "../storage/d1/queries";
import type { McpDeps } from "./deps";
import { READ_ONLY, toolError, toolResult } from "./tool-result";

const ItemTypeEnum = z.enum(ITEM_TYPES);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const Cursor = z.string().max(200).optional().describe("nextCursor of the previous page");

export function registerSyncTools(server: McpServer, deps: McpDeps): void {
  server.registerTool(
    "list_courses",
    {
      title: "List mirrored courses",
      description:
        "The Canvas courses this mirror keeps, with their sync state, last successful sync and lag in seconds " +
        "(how stale the mirror may be) and Canvas URL. Use the canvasCourseId with the other tools.",
      inputSchema: { limit: z.number().int().min(1).max(200).default(50), cursor: Cursor },
      annotations: READ_ONLY,
    },
    async (args) => {
      const after = decodeCursor(args.cursor, isNumberCursor);
      if (args.cursor && after === null) return toolError("cursor is not valid; omit it to start over");
      const rows = await listCourses(deps.db, after, args.limit + 1);
      const page = rows.slice(0, args.limit);
      const last = page.at(-1);
      const now = deps.now();
      return toolResult({
        courses: page.map((row) => {
          const course = presentCourse(row, now);
          return {
            canvasCourseId: course.canvasCourseId,
            name: course.name,
            state: course.state,
            lastSuccessAt: course.lastSuccessAt,
            lagSeconds: course.lagSeconds,
            canvasUrl: `${deps.canvasBaseUrl}/courses/${course.canvasCourseId}`,
          };
        }),
        nextCursor: rows.length > args.limit && last ? encodeCursor(last.canvasCourseId) : null,
      });
    },
  );

  server.registerTool(
    "changes_since",
    {
      title: "What changed since a time",
      description:
        "Items added, updated or deleted in the mirror at or after `since` (ISO 8601), oldest first, in one " +
        "course or all courses. Deleted items are included with change 'deleted'. Page with nextCursor; to keep " +
        "up, remember the last updatedAt and ask again from there.",
      inputSchema: {
        since: z.iso.datetime({ offset: true }).describe("ISO 8601 time, e.g. 2026-01-31T00:00:00Z"),
        canvasCourseId: z.number().int().positive().optional().describe("Only this course (default: all)"),
        limit: z.number().int().min(1).max(200).default(50),
        cursor: Cursor,
      },
      annotations: READ_ONLY,
    },
    async (args) => {
      const after = decodeCursor(args.cursor, isItemCursor);
      if (args.cursor && after === null) return toolError("cursor is not valid; omit it to start over");
      const since = Date.parse(args.since);
      const rows = await listItemsChangedSince(deps.db, {
        since,
        ...(args.canvasCourseId === undefined ? {} : { courseId: args.canvasCourseId }),
        after,
        limit: args.limit + 1,
      });
      const page = rows.slice(0, args.limit);
      const last = page.at(-1);
      return toolResult({
        changes: page.map((row) => {
          const type = ItemTypeEnum.parse(row.type);
          return {
            itemId: row.id,
            type,
            title: row.title,
            canvasCourseId: row.courseId,
            change: row.deletedAt !== null ? "deleted" : row.firstSeenAt >= since ? "added" : "updated",
            updatedAt: iso(row.changedAt),
            deletedAt: iso(row.deletedAt),
            version: row.version,
            canvasUrl: canvasItemUrl(deps.canvasBaseUrl, { ...row, type }),
          };
        }),
        nextCursor:
          rows.length > args.limit && last ? encodeCursor({ changedAt: last.changedAt, id: last.id }) : null,
      });
    },
  );

  server.registerTool(
    "sync_status",
    {
      title: "A course's sync status",
      description:
        "How fresh one course's mirror is: state (idle, queued, syncing, failing, auth_failed), last and next " +
        "sync, lag in seconds, consecutive failures and last error, circuit breaker, the running job's progress, " +
        "the last job and item counts per type.",
      inputSchema: { canvasCourseId: z.number().int().positive().describe("Canvas course id") },
      annotations: READ_ONLY,
    },
    async (args) => {
      const row = await getCourse(deps.db, args.canvasCourseId);
      if (!row)
        return toolError(`Course ${args.canvasCourseId} is not mirrored; list_courses shows those that are.`);
      const [itemCounts, status, lastJob] = await Promise.all([
        countItemsByType(deps.db, args.canvasCourseId),
        deps.courseSync.getByName(String(args.canvasCourseId)).status(),
        row.lastJobId === null ? Promise.resolve(undefined) : getJob(deps.db, row.lastJobId),
      ]);
      const breaker = status.breaker;
      return toolResult({
        ...presentCourse(row, deps.now()),
        canvasUrl: `${deps.canvasBaseUrl}/courses/${row.canvasCourseId}`,
        itemCounts,
        breaker: {
          status: breaker.status,
          failures: breaker.consecutiveFailures,
          openUntil: "openUntil" in breaker ? iso(breaker.openUntil) : null,
        },
        runningJob: status.progress,
        lastJob: lastJob
          ? {
              jobId: lastJob.id,
              status: lastJob.status,
              mode: lastJob.mode,
              trigger: lastJob.trigger,
              createdAt: iso(lastJob.createdAt),
              startedAt: iso(lastJob.startedAt),
              finishedAt: iso(lastJob.finishedAt),
              error: lastJob.error,
            }
          : null,
      });
    },
  );
}
