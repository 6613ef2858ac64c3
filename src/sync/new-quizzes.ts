/**
 * The New Quizzes collector (type `new_quiz`): lists `/api/quiz/v1/courses/:id/quizzes` (paged by Link like every
 * Canvas list; the quiz service serves at most 50 per page), and fetches a quiz's items only when its record moved
 * against the mirror (or on a reconciliation, or when a Live Event says items changed: `items: "all"`). The quiz
 * record has no timestamp and no items, so an edit that changes only an item's text is invisible to the list: it
 * is picked up by the daily reconciliation (one items request per quiz) or by quizzes.item_* Live Events.
 *
 * A course or token without New Quizzes access (404, or 401/403 as a permission error) skips the type with the
 * report error `new_quizzes_unavailable` and deletes nothing. Deletions are never inferred from the list: a quiz
 * the mirror holds that the list lacks is looked up once, and only Canvas's 404 tombstones it.
 */
import { CanvasHttpError } from "../canvas/client";
import { parseQuizItem } from "../canvas/new-quiz-items";
import { NewQuizSchema, QuizItemSchema, type CanvasNewQuiz } from "../canvas/new-quiz-schemas";
import { itemKey } from "../detect/item-types";
import { projectNewQuiz, projectNewQuizRecord, sameNewQuizRecord } from "../detect/new-quiz-projection";
import { classifyError } from "../resilience/classify";
import { contentError } from "../resilience/errors";
import { liveNewQuizIds } from "../storage/d1/new-quizzes";
import type { CollectionListing, Collector, Entry } from "./collectors";
import type { SyncContext } from "./context";
import { recordError } from "./report";

/** Which quizzes get their items fetched: those whose record moved, or all of them. */
export type NewQuizItemsPolicy = "moved" | "all";

/** The report error category of a course whose New Quizzes API is closed to the token. */
export const NEW_QUIZZES_UNAVAILABLE = "new_quizzes_unavailable";

const NO_TIMESTAMPS = { updatedAt: null, modifiedAt: null, size: null };

function quizzesPath(ctx: SyncContext, suffix = ""): string {
  return `/api/quiz/v1/courses/${ctx.courseId}/quizzes${suffix}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** 404, or a permission error (401 without WWW-Authenticate, JSON 403): the course or role has no New Quizzes. */
function isUnavailable(error: unknown): error is CanvasHttpError {
  return error instanceof CanvasHttpError && (error.kind === "not_found" || error.kind === "permission");
}

function quizEntry(ctx: SyncContext, quiz: CanvasNewQuiz, fetchItems: boolean): Entry {
  const record = projectNewQuizRecord(quiz);
  return {
    type: "new_quiz",
    canvasId: quiz.id,
    parentId: null,
    timestamps: NO_TIMESTAMPS,
    build: async (stored) => {
      if (!fetchItems && stored && !stored.deleted && sameNewQuizRecord(stored.data, record)) {
        // The record did not move: keep the items we have (no request).
        return { projection: stored.data };
      }
      const listing = await ctx.client.list(quizzesPath(ctx, `/${quiz.id}/items`), QuizItemSchema);
      if (listing.invalid.length > 0) {
        throw contentError(`${listing.invalid.length} malformed item(s) in New Quiz ${quiz.id}`);
      }
      return { projection: projectNewQuiz(record, listing.items.map(parseQuizItem)) };
    },
  };
}

/** A quiz the list lacks: its entry if Canvas still has it, "gone" on 404, null when Canvas could not say. */
async function lookUp(
  ctx: SyncContext,
  canvasId: string,
  fetchItems: boolean,
): Promise<Entry | "gone" | null> {
  try {
    return quizEntry(ctx, await ctx.client.get(quizzesPath(ctx, `/${canvasId}`), NewQuizSchema), fetchItems);
  } catch (error) {
    if (error instanceof CanvasHttpError && error.kind === "not_found") return "gone";
    const category = classifyError(error);
    if (category === "auth") throw error;
    // Not confirmed either way: keep the quiz, say why, ask again next sync.
    recordError(
      ctx.checkpoint.report,
      category,
      `new_quiz ${canvasId}: deletion not confirmed: ${messageOf(error)}`,
    );
    return null;
  }
}

async function listNewQuizzes(ctx: SyncContext, policy: NewQuizItemsPolicy): Promise<CollectionListing> {
  const fetchItems = policy === "all" || ctx.reconcile;
  let listing;
  try {
    listing = await ctx.client.list(quizzesPath(ctx), NewQuizSchema);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    recordError(
      ctx.checkpoint.report,
      NEW_QUIZZES_UNAVAILABLE,
      `course ${ctx.courseId}: the New Quizzes API answered ${error.status ?? "an error"}; New Quizzes skipped, nothing deleted`,
    );
    return { entries: [], complete: false, invalid: 0, newestTimestamp: null };
  }
  const entries = listing.items.map((quiz) => quizEntry(ctx, quiz, fetchItems));
  const listed = new Set(entries.map((entry) => entry.canvasId));
  const gone: string[] = [];
  for (const canvasId of await liveNewQuizIds(ctx.db, ctx.courseId)) {
    if (listed.has(canvasId)) continue;
    const found = await lookUp(ctx, canvasId, fetchItems);
    if (found === "gone") gone.push(itemKey(ctx.courseId, "new_quiz", canvasId));
    else if (found !== null) entries.push(found);
  }
  // `complete: false` on purpose: absence from the list never deletes; `gone` carries what Canvas confirmed.
  return { entries, complete: false, invalid: listing.invalid.length, newestTimestamp: null, gone };
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
