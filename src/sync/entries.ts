/**
 * Entries: one Canvas object as a sync sees it, before deciding anything. An entry knows its identity and listed
 * timestamps, the worst its build may cost (for the delivery budget), and how to build its projection, fetching a
 * page body or a file's bytes only when the timestamp tier says so. A build may also find the object gone or out
 * of the token's reach (probes of objects a listing missed). Collectors, targeted syncs and retries all make
 * their entries here, so an object is built the same way whichever path found it.
 */
import {
  type CanvasAssignment,
  type CanvasDiscussionTopic,
  type CanvasFile,
  type CanvasFolder,
  type CanvasModule,
  type CanvasModuleItem,
  type CanvasPage,
  type CanvasQuiz,
  PageSchema,
} from "../canvas/schemas";
import {
  fileNeedsBytes,
  pageNeedsBody,
  revisionAmbiguous,
  type ObservedTimestamps,
} from "../detect/classify";
import type { ItemType } from "../detect/item-types";
import {
  projectAssignment,
  projectDiscussionTopic,
  projectFile,
  projectFolder,
  projectModule,
  projectModuleItem,
  projectPage,
  projectPageListFields,
  projectQuiz,
  type Projection,
} from "../detect/projections";
import { downloadCost, REQUEST_COST, ZERO_COST, type Cost } from "./delivery-budget";
import type { StoredBlobInfo } from "../ports/file-store";
import type { SyncContext } from "./context";
import type { StoredItem } from "./stored-items";

export type BuildResult =
  | {
      kind: "built";
      projection: Projection;
      blob?: StoredBlobInfo;
      /** the projection lacks this field, which did not change: take it from the stored projection */
      reuseStored?: string;
      /** when Canvas produced the response that carried the projection's body (pages) */
      observedAt?: number;
      /** what a probe learned from the object it found (a listed entry knows it already) */
      found?: { timestamps: ObservedTimestamps; parentId: string | null; replacementKey?: string };
    }
  | { kind: "gone"; evidence: string }
  | { kind: "inaccessible"; reason: string };

export interface Entry {
  type: ItemType;
  canvasId: string;
  parentId: string | null;
  timestamps: ObservedTimestamps;
  /** files: folder and display name, which a replacement upload keeps while Canvas gives it a new id */
  replacementKey?: string;
  /** true when the object was probed because a complete listing missed it */
  probe?: boolean;
  /** the worst this entry's build may cost, given what is stored */
  cost: (stored: StoredItem | undefined) => Cost;
  build: (stored: StoredItem | undefined) => Promise<BuildResult>;
}

const NO_TIMESTAMPS: ObservedTimestamps = { updatedAt: null, modifiedAt: null, size: null };
const free = (): Cost => ZERO_COST;

export function coursePath(ctx: Pick<SyncContext, "courseId">, suffix = ""): string {
  return `/api/v1/courses/${ctx.courseId}${suffix}`;
}

/** An object whose listing carried everything stored about it. */
export function readyEntry(
  type: ItemType,
  canvasId: number | string,
  parentId: string | null,
  updatedAt: string | null,
  projection: Projection,
): Entry {
  return {
    type,
    canvasId: String(canvasId),
    parentId,
    timestamps: updatedAt === null ? NO_TIMESTAMPS : { updatedAt, modifiedAt: null, size: null },
    cost: free,
    build: () => Promise.resolve({ kind: "built", projection }),
  };
}

/**
 * A page. With `body` (a list with bodies, or a GET) the page is complete; from a list without bodies the body is
 * fetched only when the revision time moved, the stored revision is ambiguous (read in the same second it was
 * made, see detect/classify.ts), or nothing is stored; otherwise the stored body is reused.
 */
export function pageEntry(
  ctx: SyncContext,
  page: CanvasPage,
  withBody: { body: string | null; observedAt: number } | null,
): Entry {
  const updatedAt = page.updated_at ?? null;
  const needsBody = (stored: StoredItem | undefined) =>
    withBody === null &&
    (pageNeedsBody(stored, updatedAt) ||
      (stored !== undefined && revisionAmbiguous(stored.canvasUpdatedAt, stored.observedAt)));
  return {
    type: "page",
    canvasId: String(page.page_id),
    parentId: null,
    timestamps: { updatedAt, modifiedAt: null, size: null },
    cost: (stored) => (needsBody(stored) ? REQUEST_COST : ZERO_COST),
    build: async (stored) => {
      if (withBody !== null) {
        return {
          kind: "built",
          projection: projectPage(page, withBody.body),
          observedAt: withBody.observedAt,
        };
      }
      if (!needsBody(stored)) {
        return { kind: "built", projection: projectPageListFields(page), reuseStored: "body" };
      }
      const fetched = await ctx.client.getObserved(
        coursePath(ctx, `/pages/page_id:${page.page_id}`),
        PageSchema,
      );
      return {
        kind: "built",
        projection: projectPage(page, fetched.data.body ?? null),
        observedAt: fetched.observedAt,
      };
    },
  };
}

export function fileEntry(ctx: SyncContext, file: CanvasFile): Entry {
  const modifiedAt = file.modified_at ?? file.updated_at ?? null;
  const size = file.size ?? null;
  const needsBytes = (stored: StoredItem | undefined) =>
    Boolean(file.url) && (!stored || fileNeedsBytes(stored, { modifiedAt, size }));
  return {
    type: "file",
    canvasId: String(file.id),
    parentId: file.folder_id === null || file.folder_id === undefined ? null : String(file.folder_id),
    timestamps: { updatedAt: file.updated_at ?? null, modifiedAt, size },
    replacementKey: fileReplacementKey(file.folder_id ?? null, file.display_name),
    cost: (stored) => (needsBytes(stored) ? downloadCost(size) : ZERO_COST),
    build: async (stored) => {
      if (!file.url) {
        // Canvas sends an empty url when the file is locked for the caller: keep the metadata, no bytes.
        return { kind: "built", projection: projectFile(file, null) };
      }
      if (!needsBytes(stored)) {
        const sha = stored?.data["sha256"];
        return { kind: "built", projection: projectFile(file, typeof sha === "string" ? sha : null) };
      }
      const blob = await ctx.files.storeFile({
        courseId: ctx.courseId,
        fileId: file.id,
        url: file.url,
        size,
        contentType: file["content-type"] ?? null,
        version: `${modifiedAt ?? ""}/${size ?? ""}`,
      });
      return { kind: "built", projection: projectFile(file, blob.sha256), blob };
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

export function folderEntry(folder: CanvasFolder): Entry {
  const parent = folder.parent_folder_id;
  return readyEntry(
    "folder",
    folder.id,
    parent === null || parent === undefined ? null : String(parent),
    folder.updated_at ?? null,
    projectFolder(folder),
  );
}

export function assignmentEntry(assignment: CanvasAssignment): Entry {
  return readyEntry(
    "assignment",
    assignment.id,
    null,
    assignment.updated_at ?? null,
    projectAssignment(assignment),
  );
}

export function topicEntry(type: "discussion_topic" | "announcement", topic: CanvasDiscussionTopic): Entry {
  return readyEntry(type, topic.id, null, null, projectDiscussionTopic(topic));
}

export function quizEntry(quiz: CanvasQuiz): Entry {
  return readyEntry("quiz", quiz.id, null, null, projectQuiz(quiz));
}

export function moduleEntry(module: CanvasModule): Entry {
  return readyEntry("module", module.id, null, null, projectModule(module));
}

export function moduleItemEntry(item: CanvasModuleItem, moduleId: number): Entry {
  return readyEntry("module_item", item.id, String(moduleId), null, projectModuleItem(item, moduleId));
}
