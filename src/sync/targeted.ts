/**
 * Targeted syncs: the narrowest Canvas work for one changed object (what a Live Event asks for). A single object is
 * fetched with one GET; a 404 tombstones it (Canvas soft-deleted it); nothing else in the collection is touched,
 * because a one-object "listing" can never prove that anything else disappeared. Modules and the course itself are
 * cheap to list, so their scopes reuse the regular collectors.
 */
import { z } from "zod";
import {
  AssignmentSchema,
  DiscussionTopicSchema,
  FileSchema,
  PageSchema,
  QuizSchema,
} from "../canvas/schemas";
import { itemKey, type ItemType } from "../detect/item-types";
import {
  projectAssignment,
  projectDiscussionTopic,
  projectQuiz,
  type Projection,
} from "../detect/projections";
import { CanvasHttpError } from "../resilience/errors";
import {
  COLLECTORS,
  coursePath,
  fileEntry,
  pageEntry,
  type CollectionListing,
  type Collector,
  type Entry,
} from "./collectors";
import type { SyncContext } from "./context";
import { newQuizzesCollector } from "./new-quizzes";

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
      return [
        single("pages", "page", `/pages/page_id:${scope.pageId}`, scope.pageId, async (ctx, path) => {
          const page = await ctx.client.get(coursePath(ctx, path), PageSchema);
          return pageEntry(ctx, page, true);
        }),
      ];
    case "file":
      return [
        single("files", "file", `/files/${scope.fileId}`, scope.fileId, async (ctx, path) => {
          const file = await ctx.client.get(coursePath(ctx, path), FileSchema);
          return fileEntry(ctx, file);
        }),
      ];
    case "assignment":
      return [
        simple("assignments", "assignment", `/assignments/${scope.id}`, scope.id, async (ctx, path) => {
          const assignment = await ctx.client.get(coursePath(ctx, path), AssignmentSchema);
          return { projection: projectAssignment(assignment), updatedAt: assignment.updated_at ?? null };
        }),
      ];
    case "discussion_topic": {
      const type: ItemType = scope.isAnnouncement ? "announcement" : "discussion_topic";
      return [
        simple(
          scope.isAnnouncement ? "announcements" : "discussion_topics",
          type,
          `/discussion_topics/${scope.id}`,
          scope.id,
          async (ctx, path) => {
            const topic = await ctx.client.get(coursePath(ctx, path), DiscussionTopicSchema);
            return { projection: projectDiscussionTopic(topic), updatedAt: null };
          },
        ),
      ];
    }
    case "quiz":
      return [
        simple("quizzes", "quiz", `/quizzes/${scope.id}`, scope.id, async (ctx, path) => {
          const quiz = await ctx.client.get(coursePath(ctx, path), QuizSchema);
          return { projection: projectQuiz(quiz), updatedAt: null };
        }),
      ];
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

function single(
  name: Collector["name"],
  type: ItemType,
  path: string,
  canvasId: number,
  fetchEntry: (ctx: SyncContext, path: string) => Promise<Entry>,
): Collector {
  return {
    name,
    types: [type],
    listsCompletely: false,
    list: async (ctx) => {
      try {
        return listingOf([await fetchEntry(ctx, path)]);
      } catch (error) {
        // A deleted page looked up by `page_id:` answers 401 (it is neither published nor unpublished any more),
        // other objects 404; the reference says to treat both as gone.
        const gone =
          error instanceof CanvasHttpError &&
          (error.kind === "not_found" || (type === "page" && error.kind === "permission"));
        if (gone) {
          return { ...listingOf([]), gone: [itemKey(ctx.courseId, type, canvasId)] };
        }
        throw error;
      }
    },
  };
}

function simple(
  name: Collector["name"],
  type: ItemType,
  path: string,
  canvasId: number,
  fetchProjection: (
    ctx: SyncContext,
    path: string,
  ) => Promise<{ projection: Projection; updatedAt: string | null }>,
): Collector {
  return single(name, type, path, canvasId, async (ctx, objectPath) => {
    const { projection, updatedAt } = await fetchProjection(ctx, objectPath);
    return {
      type,
      canvasId: String(canvasId),
      parentId: null,
      timestamps: { updatedAt, modifiedAt: null, size: null },
      build: () => Promise.resolve({ projection }),
    };
  });
}

function listingOf(entries: Entry[]): CollectionListing {
  return { entries, complete: false, invalid: 0, newestTimestamp: null };
}
