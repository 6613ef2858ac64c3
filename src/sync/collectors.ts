/**
 * One collector per Canvas collection: how to list it with the fewest requests, which item types its listing can
 * prove deletions for, and how to build each object's projection (fetching a page body or a file's bytes only when
 * the timestamp tier says so).
 */
import type { ZodType } from "zod";
import {
  AssignmentSchema,
  CourseSchema,
  DiscussionTopicSchema,
  FileSchema,
  FolderSchema,
  ModuleItemSchema,
  ModuleSchema,
  PageSchema,
  PageSummarySchema,
  QuizSchema,
  type CanvasFile,
  type CanvasPage,
} from "../canvas/schemas";
import { fileNeedsBytes, pageNeedsBody, type ObservedTimestamps } from "../detect/classify";
import { itemKey, type ItemType } from "../detect/item-types";
import {
  projectAssignment,
  projectCourse,
  projectDiscussionTopic,
  projectFile,
  projectFolder,
  projectModule,
  projectModuleItem,
  projectPage,
  projectPageListFields,
  projectQuiz,
  projectSyllabus,
  type Projection,
} from "../detect/projections";
import type { CollectionName, SyncContext } from "./context";
import { NEW_QUIZZES } from "./new-quizzes";
import type { StoredItem } from "./stored-items";

export interface BuiltObject {
  projection: Projection;
  blob?: { sha256: string; size: number; r2Key: string; isNew: boolean; contentType: string | null };
}

export interface Entry {
  type: ItemType;
  canvasId: string;
  parentId: string | null;
  timestamps: ObservedTimestamps;
  /** files: folder and display name, which a replacement upload keeps while Canvas gives it a new id */
  replacementKey?: string;
  build: (stored: StoredItem | undefined) => Promise<BuiltObject>;
}

export interface CollectionListing {
  entries: Entry[];
  /** true when every page was read: only then may missing objects be tombstoned */
  complete: boolean;
  /** objects that failed the schema: reported as skipped */
  invalid: number;
  /** files: the newest updated_at seen, the next watermark once the collection is processed */
  newestTimestamp: string | null;
  /** item keys Canvas answered 404 for (targeted syncs): tombstoned even though the listing is partial */
  gone?: string[];
}

export interface Collector {
  name: CollectionName;
  types: readonly ItemType[];
  /** whether an incremental run's listing is complete, so deletions are proven on every run */
  listsCompletely: boolean;
  list: (ctx: SyncContext, watermark: string | null) => Promise<CollectionListing>;
}

const NO_TIMESTAMPS: ObservedTimestamps = { updatedAt: null, modifiedAt: null, size: null };
const ready = (projection: Projection) => () => Promise.resolve({ projection });

export function coursePath(ctx: SyncContext, suffix = ""): string {
  return `/api/v1/courses/${ctx.courseId}${suffix}`;
}

const course: Collector = {
  name: "course",
  types: ["course", "syllabus"],
  listsCompletely: true,
  async list(ctx) {
    const data = await ctx.client.get(coursePath(ctx, "?include[]=syllabus_body"), CourseSchema);
    const id = String(data.id);
    return {
      entries: [
        {
          type: "course",
          canvasId: id,
          parentId: null,
          timestamps: NO_TIMESTAMPS,
          build: ready(projectCourse(data)),
        },
        {
          type: "syllabus",
          canvasId: id,
          parentId: null,
          timestamps: NO_TIMESTAMPS,
          build: ready(projectSyllabus(data)),
        },
      ],
      complete: true,
      invalid: 0,
      newestTimestamp: null,
    };
  },
};

function simpleCollector<T>(
  name: CollectionName,
  type: ItemType,
  path: string,
  schema: ZodType<T>,
  describe: (item: T) => {
    id: number;
    parentId: string | null;
    updatedAt: string | null;
    projection: Projection;
  },
): Collector {
  return {
    name,
    types: [type],
    listsCompletely: true,
    async list(ctx) {
      const listing = await ctx.client.list(coursePath(ctx, path), schema);
      return {
        entries: listing.items.map((item) => {
          const described = describe(item);
          return {
            type,
            canvasId: String(described.id),
            parentId: described.parentId,
            timestamps: { updatedAt: described.updatedAt, modifiedAt: null, size: null },
            build: ready(described.projection),
          };
        }),
        complete: listing.complete,
        invalid: listing.invalid.length,
        newestTimestamp: null,
      };
    },
  };
}

const folders = simpleCollector("folders", "folder", "/folders", FolderSchema, (folder) => ({
  id: folder.id,
  parentId:
    folder.parent_folder_id === null || folder.parent_folder_id === undefined
      ? null
      : String(folder.parent_folder_id),
  updatedAt: folder.updated_at ?? null,
  projection: projectFolder(folder),
}));

const assignments = simpleCollector(
  "assignments",
  "assignment",
  "/assignments",
  AssignmentSchema,
  (item) => ({
    id: item.id,
    parentId: null,
    updatedAt: item.updated_at ?? null,
    projection: projectAssignment(item),
  }),
);

const discussions = simpleCollector(
  "discussion_topics",
  "discussion_topic",
  "/discussion_topics",
  DiscussionTopicSchema,
  (topic) => ({ id: topic.id, parentId: null, updatedAt: null, projection: projectDiscussionTopic(topic) }),
);

const announcements = simpleCollector(
  "announcements",
  "announcement",
  "/discussion_topics?only_announcements=true",
  DiscussionTopicSchema,
  (topic) => ({ id: topic.id, parentId: null, updatedAt: null, projection: projectDiscussionTopic(topic) }),
);

const quizzes = simpleCollector("quizzes", "quiz", "/quizzes", QuizSchema, (quiz) => ({
  id: quiz.id,
  parentId: null,
  updatedAt: null,
  projection: projectQuiz(quiz),
}));

export function pageEntry(ctx: SyncContext, summary: CanvasPage, fetched: boolean): Entry {
  return {
    type: "page",
    canvasId: String(summary.page_id),
    parentId: null,
    timestamps: { updatedAt: summary.updated_at ?? null, modifiedAt: null, size: null },
    build: async (stored) => {
      if (fetched) return { projection: projectPage(summary, summary.body ?? null) };
      if (!pageNeedsBody(stored, summary.updated_at ?? null) && stored) {
        const body = stored.data["body"];
        return {
          projection: { ...projectPageListFields(summary), body: typeof body === "string" ? body : null },
        };
      }
      const page = await ctx.client.get(coursePath(ctx, `/pages/page_id:${summary.page_id}`), PageSchema);
      return { projection: projectPage(summary, page.body ?? null) };
    },
  };
}

const pages: Collector = {
  name: "pages",
  types: ["page"],
  // Pages are sorted by a timestamp that is not the one they show, so there is no early stop: list all, cheaply.
  listsCompletely: true,
  async list(ctx) {
    const listing = await ctx.client.list(coursePath(ctx, "/pages"), PageSummarySchema);
    return {
      entries: listing.items.map((summary) => ({
        type: "page" as const,
        canvasId: String(summary.page_id),
        parentId: null,
        timestamps: { updatedAt: summary.updated_at ?? null, modifiedAt: null, size: null },
        build: async (stored) => {
          if (!pageNeedsBody(stored, summary.updated_at ?? null) && stored) {
            const body = stored.data["body"];
            return {
              projection: { ...projectPageListFields(summary), body: typeof body === "string" ? body : null },
            };
          }
          const page = await ctx.client.get(coursePath(ctx, `/pages/page_id:${summary.page_id}`), PageSchema);
          return { projection: projectPage(summary, page.body ?? null) };
        },
      })),
      complete: listing.complete,
      invalid: listing.invalid.length,
      newestTimestamp: null,
    };
  },
};

export function fileEntry(ctx: SyncContext, file: CanvasFile): Entry {
  const modifiedAt = file.modified_at ?? file.updated_at ?? null;
  return {
    type: "file",
    canvasId: String(file.id),
    parentId: file.folder_id === null || file.folder_id === undefined ? null : String(file.folder_id),
    timestamps: { updatedAt: file.updated_at ?? null, modifiedAt, size: file.size ?? null },
    replacementKey: fileReplacementKey(file.folder_id ?? null, file.display_name),
    build: async (stored) => {
      if (stored && !fileNeedsBytes(stored, { modifiedAt, size: file.size ?? null })) {
        const sha = stored.data["sha256"];
        return { projection: projectFile(file, typeof sha === "string" ? sha : null) };
      }
      if (!file.url) {
        // Canvas sends an empty url when the file is locked for the caller: keep the metadata, no bytes.
        return { projection: projectFile(file, null) };
      }
      const blob = await ctx.files.storeFile({
        courseId: ctx.courseId,
        fileId: file.id,
        url: file.url,
        size: file.size ?? null,
        contentType: file["content-type"] ?? null,
        version: `${modifiedAt ?? ""}/${file.size ?? ""}`,
      });
      return { projection: projectFile(file, blob.sha256), blob };
    },
  };
}

export function fileReplacementKey(folderId: unknown, displayName: unknown): string {
  return `${keyPart(folderId)}/${keyPart(displayName)}`;
}

/** Stored projections are JSON, so a key part is a primitive (folder id, name) or absent; anything else is spelled out. */
function keyPart(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}

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
    return {
      entries: listing.items.map((file) => fileEntry(ctx, file)),
      complete: listing.complete,
      invalid: listing.invalid.length,
      newestTimestamp: newest,
    };
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
    const entries: Entry[] = [];
    let invalid = listing.invalid.length;
    let complete = listing.complete;
    for (const module of listing.items) {
      entries.push({
        type: "module",
        canvasId: String(module.id),
        parentId: null,
        timestamps: NO_TIMESTAMPS,
        build: ready(projectModule(module)),
      });
      // Canvas inlines items only for modules with at most 100 of them; otherwise ask the items endpoint.
      let moduleItems = module.items;
      if (!moduleItems) {
        const itemListing = await ctx.client.list(
          coursePath(ctx, `/modules/${module.id}/items?include[]=content_details`),
          ModuleItemSchema,
        );
        moduleItems = itemListing.items;
        invalid += itemListing.invalid.length;
        complete &&= itemListing.complete;
      }
      for (const item of moduleItems) {
        entries.push({
          type: "module_item",
          canvasId: String(item.id),
          parentId: String(module.id),
          timestamps: NO_TIMESTAMPS,
          build: ready(projectModuleItem(item, module.id)),
        });
      }
    }
    return { entries, complete, invalid, newestTimestamp: null };
  },
};

export const COLLECTORS: Record<CollectionName, Collector> = {
  course,
  folders,
  files,
  pages,
  assignments,
  discussion_topics: discussions,
  announcements,
  quizzes,
  new_quizzes: NEW_QUIZZES,
  modules,
};

export function entryKey(ctx: SyncContext, entry: { type: ItemType; canvasId: string }): string {
  return itemKey(ctx.courseId, entry.type, entry.canvasId);
}
