/**
 * The New Quizzes collector (type `new_quiz`): lists `/api/quiz/v1/courses/:id/quizzes` (paged by Link like every
 * Canvas list; the quiz service serves at most 50 per page), and fetches a quiz's items only when its record moved
 * against the mirror (or on a reconciliation, or when a Live Event says items changed: `items: "all"`). The quiz
 * record has no timestamp and no items, so an edit that changes only an item's text is invisible to the list: it
 * is picked up by the daily reconciliation (one items request per quiz) or by quizzes.item_* Live Events.
 *
 * A course or token without New Quizzes access (404, or 401/403 as a permission error, twice in a row) skips the
 * type, with the reason in the report's `skippedCollections`, and deletes nothing. A quiz the list lacks is probed like any missing
 * object (object-fetch.ts): only Canvas's 404 tombstones it.
 */
import { parseQuizItem } from "../canvas/new-quiz-items";
import { NewQuizSchema, QuizItemSchema, type CanvasNewQuiz } from "../canvas/new-quiz-schemas";
import {
  NEW_QUIZ_TEXT_FIELD,
  projectNewQuiz,
  projectNewQuizRecord,
  sameNewQuizRecord,
} from "../detect/new-quiz-projection";
import { CanvasHttpError, contentError } from "../resilience/errors";
import type { CollectionListing, Collector } from "./collector";
import type { SyncContext } from "./context";
import { REQUEST_COST, ZERO_COST } from "./delivery-budget";
import type { Entry } from "./entries";
import type { StoredItem } from "./stored-items";

/** Which quizzes get their items fetched: those whose record moved, or all of them. */
export type NewQuizItemsPolicy = "moved" | "all";

const NO_TIMESTAMPS = { updatedAt: null, modifiedAt: null, size: null };

export function newQuizzesPath(ctx: Pick<SyncContext, "courseId">, suffix = ""): string {
  return `/api/quiz/v1/courses/${ctx.courseId}/quizzes${suffix}`;
}

/** 404, or a permission error (401 without WWW-Authenticate, JSON 403): the course or role has no New Quizzes. */
function isUnavailable(error: unknown): error is CanvasHttpError {
  return error instanceof CanvasHttpError && (error.kind === "not_found" || error.kind === "permission");
}

/** A quiz of the list; its items are read only when its record moved (or `fetchItems` says always). */
export function newQuizEntry(ctx: SyncContext, quiz: CanvasNewQuiz, fetchItems: boolean): Entry {
  const record = projectNewQuizRecord(quiz);
  const unchanged = (stored: StoredItem | undefined) =>
    !fetchItems && stored !== undefined && !stored.deleted && sameNewQuizRecord(stored.data, record);
  return {
    type: "new_quiz",
    canvasId: quiz.id,
    parentId: null,
    timestamps: NO_TIMESTAMPS,
    cost: (stored) => (unchanged(stored) ? ZERO_COST : REQUEST_COST),
    build: async (stored) => {
      if (stored && unchanged(stored)) {
        // The record did not move: the stored items stand (no request); the search text is the stored one.
        return { kind: "built", projection: { ...stored.data }, reuseStored: NEW_QUIZ_TEXT_FIELD };
      }
      const listing = await ctx.client.list(newQuizzesPath(ctx, `/${quiz.id}/items`), QuizItemSchema);
      if (listing.invalid.length > 0) {
        throw contentError(`${listing.invalid.length} malformed item(s) in New Quiz ${quiz.id}`);
      }
      if (listing.problem !== null) throw contentError(`items of New Quiz ${quiz.id}: ${listing.problem}`);
      return { kind: "built", projection: projectNewQuiz(record, listing.items.map(parseQuizItem)) };
    },
  };
}

/**
 * The list, asked twice before a refusal is believed: a course without New Quizzes answers 404 (or 401/403) every
 * time, while a 404 from a proxy or a deploy answers once, and must not be mistaken for "no New Quizzes here".
 */
async function listOnceMore(ctx: SyncContext) {
  try {
    return await ctx.client.list(newQuizzesPath(ctx), NewQuizSchema);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    return ctx.client.list(newQuizzesPath(ctx), NewQuizSchema);
  }
}

async function listNewQuizzes(ctx: SyncContext, policy: NewQuizItemsPolicy): Promise<CollectionListing> {
  const fetchItems = policy === "all" || ctx.reconcile;
  try {
    const listing = await listOnceMore(ctx);
    return {
      entries: listing.items.map((quiz) => newQuizEntry(ctx, quiz, fetchItems)),
      complete: listing.complete,
      problem: listing.problem,
      invalid: listing.invalid.map((invalid) => ({
        itemId: invalid.id === null ? null : `${ctx.courseId}:new_quiz:${invalid.id}`,
        message: invalid.message,
      })),
      newestTimestamp: null,
    };
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    // Not a hole in the mirror: this course or token has no New Quizzes. Nothing is deleted (incomplete listing).
    const report = ctx.checkpoint.report;
    report.skippedCollections = report.skippedCollections.filter(
      (entry) => entry.collection !== "new_quizzes",
    );
    report.skippedCollections.push({
      collection: "new_quizzes",
      reason: `the New Quizzes API answered ${error.status ?? "an error"} (${error.kind}): none mirrored, none deleted`,
    });
    return { entries: [], complete: false, problem: null, invalid: [], newestTimestamp: null };
  }
}

export function newQuizzesCollector(policy: NewQuizItemsPolicy): Collector {
  return {
    name: "new_quizzes",
    types: ["new_quiz"],
    listsCompletely: true,
    list: (ctx) => listNewQuizzes(ctx, policy),
  };
}

/** The collector regular syncs run: items only for quizzes whose record moved (all of them when reconciling). */
export const NEW_QUIZZES: Collector = newQuizzesCollector("moved");
