/**
 * One collector per Canvas collection: how to list it with the fewest requests, and whether its listing on an
 * incremental run is complete (so that it can prove deletions). Entries are made in entries.ts.
 *
 * Pages: a first or full sync asks for the bodies in the list (`include[]=body`, 100 per request) instead of one
 * GET per page. An incremental sync lists without bodies and GETs only the pages whose revision moved, unless so
 * many moved that listing again with bodies is cheaper (see choosePageBodies).
 */
import type { z } from "zod";
import type { Listing } from "../canvas/client";
import {
  AssignmentSchema,
  CourseSchema,
  DiscussionTopicSchema,
  FileSchema,
  FolderSchema,
  ModuleItemSchema,
  ModuleSchema,
  PageSummarySchema,
  QuizSchema,
} from "../canvas/schemas";
import { pageNeedsBody, revisionAmbiguous } from "../detect/classify";
import { itemKey, type ItemType } from "../detect/item-types";
import { projectCourse, projectSyllabus } from "../detect/projections";
import type { CollectionListing, Collector } from "./collector";
import type { ListedCollection, SyncContext } from "./context";
import {
  assignmentEntry,
  coursePath,
  fileEntry,
  folderEntry,
  moduleEntry,
  moduleItemEntry,
  pageEntry,
  quizEntry,
  readyEntry,
  topicEntry,
  type Entry,
} from "./entries";
import { NEW_QUIZZES } from "./new-quizzes";

function listingOf<T>(
  ctx: SyncContext,
  type: ItemType,
  listing: Listing<T>,
  entries: Entry[],
  newestTimestamp: string | null = null,
): CollectionListing {
  return {
    entries,
    complete: listing.complete,
    problem: listing.problem,
    invalid: listing.invalid.map((invalid) => ({
      itemId: invalid.id === null ? null : itemKey(ctx.courseId, type, invalid.id),
      message: invalid.message,
    })),
    newestTimestamp,
  };
}

const course: Collector = {
  name: "course",
  types: ["course", "syllabus"],
  listsCompletely: true,
  async list(ctx) {
    const data = await ctx.client.get(coursePath(ctx, "?include[]=syllabus_body"), CourseSchema);
    return {
      entries: [
        readyEntry("course", data.id, null, null, projectCourse(data)),
        readyEntry("syllabus", data.id, null, null, projectSyllabus(data)),
      ],
      complete: true,
      problem: null,
      invalid: [],
      newestTimestamp: null,
    };
  },
};

function simpleCollector<S extends z.ZodType>(
  name: ListedCollection,
  type: ItemType,
  path: string,
  schema: S,
  entryOf: (item: z.infer<S>) => Entry,
): Collector {
  return {
    name,
    types: [type],
    listsCompletely: true,
    async list(ctx) {
      const listing = await ctx.client.list(coursePath(ctx, path), schema);
      return listingOf(ctx, type, listing, listing.items.map(entryOf));
    },
  };
}

/**
 * Pure: whether an incremental sync should list the pages again with their bodies rather than GET the `needed`
 * ones. A list page with 100 bodies is one request but heavier than one GET (Canvas renders 100 bodies; the bytes
 * are all the bodies), so it is counted as two: listing again wins when more than twice as many bodies are needed
 * as there are list pages. One changed page in 1,000 costs one GET; most pages changed costs ceil(n/100) requests.
 */
export function choosePageBodies(needed: number, pages: number): "get" | "list" {
  return needed > 2 * Math.max(1, Math.ceil(pages / 100)) ? "list" : "get";
}

const pages: Collector = {
  name: "pages",
  types: ["page"],
  // Pages are sorted by a timestamp that is not the one they show, so there is no early stop: list all, cheaply.
  listsCompletely: true,
  async list(ctx, _watermark, stored) {
    const first = ctx.mode === "full" || stored.size === 0;
    if (!first) {
      const bodiless = await ctx.client.list(coursePath(ctx, "/pages"), PageSummarySchema);
      const needed = bodiless.items.filter((page) => {
        const row = stored.get(itemKey(ctx.courseId, "page", page.page_id));
        return (
          pageNeedsBody(row, page.updated_at ?? null) ||
          (row !== undefined && revisionAmbiguous(row.canvasUpdatedAt, row.observedAt))
        );
      }).length;
      if (choosePageBodies(needed, bodiless.items.length) === "get") {
        return listingOf(
          ctx,
          "page",
          bodiless,
          bodiless.items.map((page) => pageEntry(ctx, page, null)),
        );
      }
    }
    const listing = await ctx.client.list(coursePath(ctx, "/pages?include[]=body"), PageSummarySchema);
    return listingOf(
      ctx,
      "page",
      listing,
      listing.items.map((page, index) =>
        pageEntry(ctx, page, { body: page.body ?? null, observedAt: listing.observedAt[index] ?? ctx.now() }),
      ),
    );
  },
};

const files: Collector = {
  name: "files",
  types: ["file"],
  listsCompletely: false,
  async list(ctx, watermark) {
    // Newest first; stop at the first file older than the watermark minus the lookback window, so a file whose
    // change was committed late (with an older timestamp) inside that window is still seen.
    const cutoff =
      watermark !== null && !ctx.reconcile ? Date.parse(watermark) - ctx.config.filesLookbackMs : Number.NaN;
    const listing = await ctx.client.list(
      coursePath(ctx, "/files?sort=updated_at&order=desc"),
      FileSchema,
      Number.isNaN(cutoff) ? undefined : (file) => Date.parse(file.updated_at ?? "") < cutoff,
    );
    let newest: string | null = null;
    for (const file of listing.items) {
      if (file.updated_at && (newest === null || Date.parse(file.updated_at) > Date.parse(newest))) {
        newest = file.updated_at;
      }
    }
    return listingOf(
      ctx,
      "file",
      listing,
      listing.items.map((file) => fileEntry(ctx, file)),
      newest,
    );
  },
};

const modules: Collector = {
  name: "modules",
  types: ["module", "module_item"],
  listsCompletely: true,
  async list(ctx) {
    const listing = await ctx.client.list(
      coursePath(ctx, "/modules?include[]=items&include[]=content_details"),
      ModuleSchema,
    );
    const result = listingOf(ctx, "module", listing, []);
    for (const module of listing.items) {
      result.entries.push(moduleEntry(module));
      // Canvas inlines items only for modules with at most 100 of them; otherwise ask the items endpoint.
      let moduleItems = module.items;
      if (!moduleItems) {
        const itemListing = await ctx.client.list(
          coursePath(ctx, `/modules/${module.id}/items?include[]=content_details`),
          ModuleItemSchema,
        );
        moduleItems = itemListing.items;
        const items = listingOf(ctx, "module_item", itemListing, []);
        result.invalid.push(...items.invalid);
        result.complete &&= items.complete;
        result.problem ??= items.problem;
      }
      for (const item of moduleItems) result.entries.push(moduleItemEntry(item, module.id));
    }
    return result;
  },
};

export const COLLECTORS: Record<ListedCollection, Collector> = {
  course,
  folders: simpleCollector("folders", "folder", "/folders", FolderSchema, folderEntry),
  files,
  pages,
  assignments: simpleCollector(
    "assignments",
    "assignment",
    "/assignments",
    AssignmentSchema,
    assignmentEntry,
  ),
  discussion_topics: simpleCollector(
    "discussion_topics",
    "discussion_topic",
    "/discussion_topics",
    DiscussionTopicSchema,
    (topic) => topicEntry("discussion_topic", topic),
  ),
  announcements: simpleCollector(
    "announcements",
    "announcement",
    "/discussion_topics?only_announcements=true",
    DiscussionTopicSchema,
    (topic) => topicEntry("announcement", topic),
  ),
  quizzes: simpleCollector("quizzes", "quiz", "/quizzes", QuizSchema, quizEntry),
  new_quizzes: NEW_QUIZZES,
  modules,
};

export function entryKey(
  ctx: Pick<SyncContext, "courseId">,
  entry: { type: ItemType; canvasId: string },
): string {
  return itemKey(ctx.courseId, entry.type, entry.canvasId);
}
