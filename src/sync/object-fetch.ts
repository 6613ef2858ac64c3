/**
 * One object, looked up by id: the narrowest Canvas request for a Live Event, the retry of an object a sync left
 * behind, and the confirmation Canvas must give before a missing object is tombstoned. The answer is an entry whose
 * build finds the object (and builds it like a listed one), finds it gone (404, or a `deleted` workflow state), or
 * finds it out of the token's reach (401/403: nothing is deleted for that). Anything else (5xx, timeouts, cut-off
 * bodies) is thrown after the client's own retries, and the caller leaves the object behind.
 *
 * Pages are looked up by `page_id:`, which answers 401 (not 404) for a deleted page, as Canvas's permission check
 * fails on the deleted row; a 401 is therefore checked once more by the page's slug, which answers 404 when the page
 * is gone and 401 again when the token really lost access.
 */
import type { z } from "zod";
import {
  AssignmentSchema,
  DiscussionTopicSchema,
  FileSchema,
  FolderSchema,
  ModuleItemSchema,
  ModuleSchema,
  PageSchema,
  QuizSchema,
} from "../canvas/schemas";
import { NewQuizSchema } from "../canvas/new-quiz-schemas";
import type { ItemType } from "../detect/item-types";
import { CanvasHttpError } from "../resilience/errors";
import { REQUEST_COST, type Cost } from "./delivery-budget";
import type { SyncContext } from "./context";
import {
  assignmentEntry,
  coursePath,
  fileEntry,
  folderEntry,
  moduleEntry,
  moduleItemEntry,
  pageEntry,
  quizEntry,
  topicEntry,
  type BuildResult,
  type Entry,
} from "./entries";
import { newQuizEntry, newQuizzesPath } from "./new-quizzes";
import type { StoredItem } from "./stored-items";

/** What is known of an object to look it up: its type, id and (module items) its module. */
export interface ObjectRef {
  type: ItemType;
  canvasId: string;
  parentId: string | null;
}

/** The types whose objects can be looked up one by one (the course and its syllabus are always listed). */
export function isFetchable(type: ItemType): boolean {
  return type !== "course" && type !== "syllabus";
}

/**
 * An entry that looks the object up when built. `cost` covers the lookup plus what building the found object may
 * cost (a file's download). A probe (the object is missing from a complete listing) takes one 404 as proof; a
 * lookup without that listing's evidence (a Live Event, a retry) asks twice before believing a 404, because a
 * storage or proxy hiccup can answer 404 once.
 */
export function objectEntry(ctx: SyncContext, ref: ObjectRef, probe: boolean): Entry {
  return {
    type: ref.type,
    canvasId: ref.canvasId,
    parentId: ref.parentId,
    timestamps: { updatedAt: null, modifiedAt: null, size: null },
    probe,
    cost: (stored) => lookupCost(ref, stored),
    build: async (stored) => {
      let found = await lookUpAnswer(ctx, ref, stored);
      if (found === "gone" && !probe) found = await lookUpAnswer(ctx, ref, stored);
      if (found === "gone") return { kind: "gone", evidence: `Canvas says ${describe(ref)} is gone` };
      if ("inaccessible" in found) return { kind: "inaccessible", reason: found.inaccessible };
      const built: BuildResult = await found.build(stored);
      if (built.kind !== "built") return built;
      return {
        ...built,
        found: {
          timestamps: found.timestamps,
          parentId: found.parentId,
          ...(found.replacementKey === undefined ? {} : { replacementKey: found.replacementKey }),
        },
      };
    },
  };
}

/** Looks the object up; 404 and 401/403 become answers, anything else is thrown. */
async function lookUpAnswer(
  ctx: SyncContext,
  ref: ObjectRef,
  stored: StoredItem | undefined,
): Promise<Entry | "gone" | { inaccessible: string }> {
  try {
    const found = await lookUp(ctx, ref, stored);
    return found === "inaccessible" ? { inaccessible: `the token may not read ${describe(ref)}` } : found;
  } catch (error) {
    const answer = canvasAnswer(error);
    if (answer === "gone") return "gone";
    if (answer === "inaccessible") {
      return { inaccessible: `the token may not read ${describe(ref)} (${messageOf(error)})` };
    }
    throw error;
  }
}

function lookupCost(ref: ObjectRef, stored: StoredItem | undefined): Cost {
  // A page may need a second lookup by slug; a file may need its bytes (its size is what we stored).
  if (ref.type === "page") return { ...REQUEST_COST, canvasRequests: 8, subrequests: 24 };
  if (ref.type === "file") {
    const size = stored?.size ?? null;
    return {
      canvasRequests: REQUEST_COST.canvasRequests * 2,
      subrequests:
        REQUEST_COST.subrequests + 28 + (size !== null && size > 100 * 1024 * 1024 ? size / 8e6 : 1),
      d1Statements: 2,
      seconds: Math.ceil((size ?? 0) / 10_000_000),
    };
  }
  return REQUEST_COST;
}

async function lookUp(
  ctx: SyncContext,
  ref: ObjectRef,
  stored: StoredItem | undefined,
): Promise<Entry | "gone" | "inaccessible"> {
  const id = ref.canvasId;
  switch (ref.type) {
    case "page":
      return lookUpPage(ctx, id, stored);
    case "file": {
      const file = await getLive(ctx, coursePath(ctx, `/files/${id}`), FileSchema);
      return file === "gone" ? file : fileEntry(ctx, file);
    }
    case "folder": {
      const folder = await getLive(ctx, `/api/v1/folders/${id}`, FolderSchema);
      return folder === "gone" ? folder : folderEntry(folder);
    }
    case "assignment": {
      const assignment = await getLive(ctx, coursePath(ctx, `/assignments/${id}`), AssignmentSchema);
      return assignment === "gone" ? assignment : assignmentEntry(assignment);
    }
    case "discussion_topic":
    case "announcement": {
      const topic = await getLive(ctx, coursePath(ctx, `/discussion_topics/${id}`), DiscussionTopicSchema);
      return topic === "gone" ? topic : topicEntry(ref.type, topic);
    }
    case "quiz": {
      const quiz = await getLive(ctx, coursePath(ctx, `/quizzes/${id}`), QuizSchema);
      return quiz === "gone" ? quiz : quizEntry(quiz);
    }
    case "new_quiz": {
      const quiz = await getLive(ctx, newQuizzesPath(ctx, `/${id}`), NewQuizSchema);
      return quiz === "gone" ? quiz : newQuizEntry(ctx, quiz, true);
    }
    case "module": {
      const module = await getLive(ctx, coursePath(ctx, `/modules/${id}`), ModuleSchema);
      return module === "gone" ? module : moduleEntry(module);
    }
    case "module_item": {
      if (ref.parentId === null) return "inaccessible";
      const path = coursePath(ctx, `/modules/${ref.parentId}/items/${id}?include[]=content_details`);
      const item = await getLive(ctx, path, ModuleItemSchema);
      return item === "gone" ? item : moduleItemEntry(item, Number(ref.parentId));
    }
    case "course":
    case "syllabus":
      throw new TypeError(`${ref.type} objects are not looked up one by one`);
    default: {
      const unknownType: never = ref.type;
      throw new TypeError(`unknown item type ${String(unknownType)}`);
    }
  }
}

async function lookUpPage(
  ctx: SyncContext,
  pageId: string,
  stored: StoredItem | undefined,
): Promise<Entry | "gone" | "inaccessible"> {
  try {
    const { data, observedAt } = await ctx.client.getObserved(
      coursePath(ctx, `/pages/page_id:${pageId}`),
      PageSchema,
    );
    return pageEntry(ctx, data, { body: data.body ?? null, observedAt });
  } catch (error) {
    const answer = canvasAnswer(error);
    if (answer === "gone") return "gone";
    if (answer !== "inaccessible") throw error;
  }
  const slug = stored?.data["url"];
  if (typeof slug !== "string" || slug === "") return "inaccessible";
  try {
    const { data, observedAt } = await ctx.client.getObserved(
      coursePath(ctx, `/pages/${encodeURIComponent(slug)}`),
      PageSchema,
    );
    // The slug now names another page (renamed, then the slug reused): ours no longer answers to it.
    if (String(data.page_id) !== pageId) return "inaccessible";
    return pageEntry(ctx, data, { body: data.body ?? null, observedAt });
  } catch (error) {
    if (canvasAnswer(error) === "gone") return "gone";
    throw error;
  }
}

/** GETs one object; a 404 or a `deleted` workflow state means Canvas says it is gone. */
async function getLive<S extends z.ZodType>(
  ctx: SyncContext,
  path: string,
  schema: S,
): Promise<z.infer<S> | "gone"> {
  try {
    const object = await ctx.client.get(path, schema);
    return isDeleted(object) ? "gone" : object;
  } catch (error) {
    if (canvasAnswer(error) === "gone") return "gone";
    throw error;
  }
}

function isDeleted(object: unknown): boolean {
  return (
    typeof object === "object" &&
    object !== null &&
    "workflow_state" in object &&
    object.workflow_state === "deleted"
  );
}

/** What a failed lookup says about the object: gone (404), out of reach (401 without a dead token, 403), or nothing. */
function canvasAnswer(error: unknown): "gone" | "inaccessible" | null {
  if (!(error instanceof CanvasHttpError)) return null;
  if (error.kind === "not_found") return "gone";
  if (error.kind === "permission") return "inaccessible";
  return null;
}

function describe(ref: ObjectRef): string {
  return `${ref.type} ${ref.canvasId}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
