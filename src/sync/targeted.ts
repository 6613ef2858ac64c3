/**
 * Targeted syncs: the narrowest Canvas work for one changed object (what a Live Event asks for), and the retry of
 * the objects earlier syncs left behind. A single object is looked up by id (object-fetch.ts): found, it is built
 * like a listed one; gone (two 404s, or a `deleted` state), it is tombstoned; out of the token's reach, it is kept.
 * Nothing else in the collection is touched, because a one-object lookup can never prove that anything else
 * disappeared. Modules and the course itself are cheap to list, so their scopes reuse the regular collectors.
 */
import { z } from "zod";
import type { ItemType } from "../detect/item-types";
import type { CollectionListing, Collector } from "./collector";
import { COLLECTORS } from "./collectors";
import type { CollectionName } from "./context";
import type { OpenIssue } from "./issues";
import { newQuizzesCollector } from "./new-quizzes";
import { objectEntry, type ObjectRef } from "./object-fetch";

const id = z.number().int().positive();

export const TargetScopeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("page"), pageId: id }),
  z.object({ kind: z.literal("file"), fileId: id }),
  z.object({ kind: z.literal("modules") }),
  z.object({ kind: z.literal("assignment"), id }),
  z.object({ kind: z.literal("discussion_topic"), id, isAnnouncement: z.boolean() }),
  z.object({ kind: z.literal("quiz"), id }),
  z.object({ kind: z.literal("new_quizzes"), items: z.enum(["moved", "all"]) }),
  z.object({ kind: z.literal("course") }),
  z.object({ kind: z.literal("full_reconcile") }),
]);
export type TargetScope = z.infer<typeof TargetScopeSchema>;

/** The collectors a targeted job runs, in order (a full reconcile is a full job, not a targeted one). */
export function collectorsForScope(scope: TargetScope): Collector[] {
  switch (scope.kind) {
    case "modules":
      return [COLLECTORS.modules];
    case "course":
      return [COLLECTORS.course];
    case "full_reconcile":
      return [];
    case "page":
      return [single("pages", { type: "page", canvasId: String(scope.pageId), parentId: null })];
    case "file":
      return [single("files", { type: "file", canvasId: String(scope.fileId), parentId: null })];
    case "assignment":
      return [single("assignments", { type: "assignment", canvasId: String(scope.id), parentId: null })];
    case "discussion_topic": {
      const type: ItemType = scope.isAnnouncement ? "announcement" : "discussion_topic";
      const name = scope.isAnnouncement ? "announcements" : "discussion_topics";
      return [single(name, { type, canvasId: String(scope.id), parentId: null })];
    }
    case "quiz":
      return [single("quizzes", { type: "quiz", canvasId: String(scope.id), parentId: null })];
    case "new_quizzes":
      // quizzes.* events carry the quiz service's ids, not the assignment ids the API uses: list the course's
      // New Quizzes; an item event asks for every quiz's items, since the list cannot show item edits.
      return [newQuizzesCollector(scope.items)];
    default: {
      // Unreachable while every scope kind has a case: adding a kind without one fails to compile here.
      const unknownScope: never = scope;
      throw new TypeError(`unknown target scope ${JSON.stringify(unknownScope)}`);
    }
  }
}

/** One object of a collection, looked up by id. */
function single(name: CollectionName, ref: ObjectRef): Collector {
  return {
    name,
    types: [ref.type],
    listsCompletely: false,
    list: (ctx) => Promise.resolve(lookupListing([objectEntry(ctx, ref, false)])),
  };
}

/**
 * The first step of every job: the objects earlier syncs left behind, looked up again one by one. An object that
 * is still failing stays left behind (the job will say so); one Canvas confirms gone is tombstoned.
 */
export function leftBehindCollector(issues: readonly OpenIssue[]): Collector {
  const types = [...new Set(issues.map((issue) => issue.type))];
  return {
    name: "left_behind",
    types,
    listsCompletely: false,
    list: (ctx) =>
      Promise.resolve(
        lookupListing(
          issues.map((issue) =>
            objectEntry(ctx, { type: issue.type, canvasId: issue.canvasId, parentId: issue.parentId }, false),
          ),
        ),
      ),
  };
}

function lookupListing(entries: CollectionListing["entries"]): CollectionListing {
  return { entries, complete: false, problem: null, invalid: [], newestTimestamp: null };
}
