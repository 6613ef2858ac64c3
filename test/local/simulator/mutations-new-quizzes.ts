/**
 * Mutations of New Quizzes and their items. A New Quiz is created with its quiz_lti assignment (submission type
 * external_tool), takes that assignment's id, and is kept in step with it (title, points, dates, published);
 * deleting either deletes both. Items keep 1-based positions without gaps (the quiz service renumbers). The
 * quiz record carries no timestamp and no items, so an item edit leaves the quiz's JSON unchanged unless the
 * points move (the quiz's points are the sum of its items'): exactly the case a mirror cannot see from the list.
 * Events: quizzes.quiz_* and quizzes.item_* from the quiz service, assignment_* from Canvas for the assignment.
 */
import { apply, changed, liveRecord, parseDate, retitleItemsFor } from "./context";
import { itemEventBody, quizEventBody, quizzesMetadata, type QuizzesEventName } from "./live-events-quizzes";
import * as content from "./mutations-content";
import { defaultQuizSettings, liveQuizItems, newQuizPoints } from "./serialize-new-quizzes";
import { SimError, type CourseData } from "./store";
import type { Patch, SimContext } from "./context";
import type { NewQuizEntryType, NewQuizItemRec, NewQuizRec, NewQuizzesAccess } from "./model";

export interface NewQuizInput {
  title: string;
  instructions?: string | undefined;
  points_possible?: number | undefined;
  due_at?: string | null | undefined;
  lock_at?: string | null | undefined;
  unlock_at?: string | null | undefined;
  published?: boolean | undefined;
  grading_type?: string | undefined;
  /** Merged into the current settings (nested multiple_attempts / result_view_settings one level deep). */
  quiz_settings?: Record<string, unknown> | undefined;
}
export type NewQuizPatch = Patch<NewQuizInput>;

export interface NewQuizItemInput {
  position?: number | undefined;
  points_possible?: number | undefined;
  entry_type: NewQuizEntryType;
  stimulus_id?: number | null | undefined;
  entry: Record<string, unknown>;
  properties?: Record<string, unknown> | null | undefined;
}
/** `entry` is merged shallowly into the item's entry (title, item_body, scoring_data, ...). */
export type NewQuizItemPatch = Patch<Omit<NewQuizItemInput, "entry_type">>;

function emit(ctx: SimContext, name: QuizzesEventName, body: Record<string, unknown>): void {
  ctx.events.emitWithMetadata(quizzesMetadata(name, ctx.now()), body);
}

function emitQuiz(ctx: SimContext, data: CourseData, quiz: NewQuizRec, name: QuizzesEventName): void {
  emit(ctx, name, quizEventBody(quiz, newQuizPoints(data, quiz)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mergeSettings(
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(current);
  for (const [key, value] of Object.entries(patch)) {
    const old = next[key];
    next[key] =
      isRecord(old) && isRecord(value) ? { ...old, ...structuredClone(value) } : structuredClone(value);
  }
  return next;
}

function isoOf(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Keeps the quiz_lti assignment in step with its quiz (Canvas syncs title, points, dates and state back). */
function syncAssignment(ctx: SimContext, data: CourseData, quiz: NewQuizRec): void {
  const assignment = data.assignments.get(quiz.id);
  if (assignment === undefined || assignment.deleted) return;
  content.editAssignment(ctx, quiz.courseId, quiz.id, {
    name: quiz.title,
    points_possible: newQuizPoints(data, quiz),
    due_at: isoOf(quiz.dueAt),
    lock_at: isoOf(quiz.lockAt),
    unlock_at: isoOf(quiz.unlockAt),
    published: quiz.published,
  });
}

export function createNewQuiz(ctx: SimContext, courseId: number, input: NewQuizInput): { id: number } {
  const data = ctx.store.data(courseId);
  const now = ctx.now();
  const { id } = content.createAssignment(
    ctx,
    courseId,
    {
      name: input.title,
      description: "",
      points_possible: input.points_possible ?? 0,
      submission_types: ["external_tool"],
      due_at: input.due_at,
      lock_at: input.lock_at,
      unlock_at: input.unlock_at,
      published: input.published ?? false,
    },
    { quizLti: true },
  );
  const quiz: NewQuizRec = {
    id,
    courseId,
    serviceId: ctx.store.nextId("nq_service"),
    title: input.title,
    instructions: input.instructions ?? "",
    pointsPossible: input.points_possible ?? 0,
    dueAt: parseDate(input.due_at, null),
    lockAt: parseDate(input.lock_at, null),
    unlockAt: parseDate(input.unlock_at, null),
    published: input.published ?? false,
    gradingType: input.grading_type ?? "points",
    settings: mergeSettings(defaultQuizSettings(), input.quiz_settings ?? {}),
    createdAt: now,
    updatedAt: now,
    deleted: false,
  };
  data.newQuizzes.set(id, quiz);
  emitQuiz(ctx, data, quiz, "quizzes.quiz_created");
  return { id };
}

export function editNewQuiz(ctx: SimContext, courseId: number, id: number, patch: NewQuizPatch): void {
  const data = ctx.store.data(courseId);
  const quiz = liveRecord(data.newQuizzes, id, "new quiz");
  let saved = false;
  if (changed(patch.title, quiz.title)) {
    quiz.title = patch.title;
    retitleItemsFor(data, "Assignment", quiz.id, quiz.title);
    saved = true;
  }
  saved = apply(quiz, "instructions", patch.instructions) || saved;
  saved = apply(quiz, "pointsPossible", patch.points_possible) || saved;
  saved = apply(quiz, "published", patch.published) || saved;
  saved = apply(quiz, "gradingType", patch.grading_type) || saved;
  for (const [key, field] of [
    ["due_at", "dueAt"],
    ["lock_at", "lockAt"],
    ["unlock_at", "unlockAt"],
  ] as const) {
    const next = parseDate(patch[key], quiz[field]);
    if (next !== quiz[field]) {
      quiz[field] = next;
      saved = true;
    }
  }
  if (patch.quiz_settings !== undefined) {
    const next = mergeSettings(quiz.settings, patch.quiz_settings);
    if (JSON.stringify(next) !== JSON.stringify(quiz.settings)) {
      quiz.settings = next;
      saved = true;
    }
  }
  if (!saved) return;
  quiz.updatedAt = ctx.now();
  emitQuiz(ctx, data, quiz, "quizzes.quiz_updated");
  syncAssignment(ctx, data, quiz);
}

export function deleteNewQuiz(ctx: SimContext, courseId: number, id: number): void {
  const data = ctx.store.data(courseId);
  const quiz = liveRecord(data.newQuizzes, id, "new quiz");
  const assignment = data.assignments.get(id);
  // Deleting the assignment deletes the quiz (mutations-content.deleteAssignment) and its module items.
  if (assignment !== undefined && !assignment.deleted) content.deleteAssignment(ctx, courseId, id);
  quiz.deleted = true;
  quiz.updatedAt = ctx.now();
}

function liveItem(data: CourseData, quizId: number, itemId: number): NewQuizItemRec {
  const item = liveRecord(data.newQuizItems, itemId, "new quiz item");
  if (item.quizId !== quizId) throw new SimError(404, `item ${itemId} is not in new quiz ${quizId}`);
  return item;
}

/** Puts `item` at `position` (clamped) and renumbers the quiz's other items 1..n around it. */
function place(data: CourseData, quizId: number, item: NewQuizItemRec, position: number): void {
  const others = liveQuizItems(data, quizId).filter((other) => other.id !== item.id);
  const index = Math.min(Math.max(position, 1), others.length + 1) - 1;
  others.splice(index, 0, item);
  others.forEach((row, i) => (row.position = i + 1));
}

/** After items changed: a change of the quiz's points moves the quiz (and its assignment), like the service. */
function afterItemsChanged(ctx: SimContext, data: CourseData, quiz: NewQuizRec, pointsBefore: number): void {
  if (newQuizPoints(data, quiz) === pointsBefore) return;
  quiz.updatedAt = ctx.now();
  emitQuiz(ctx, data, quiz, "quizzes.quiz_updated");
  syncAssignment(ctx, data, quiz);
}

export function createNewQuizItem(
  ctx: SimContext,
  courseId: number,
  quizId: number,
  input: NewQuizItemInput,
): { id: number } {
  const data = ctx.store.data(courseId);
  const quiz = liveRecord(data.newQuizzes, quizId, "new quiz");
  if (input.stimulus_id !== undefined && input.stimulus_id !== null)
    liveItem(data, quizId, input.stimulus_id);
  const pointsBefore = newQuizPoints(data, quiz);
  const item: NewQuizItemRec = {
    id: ctx.store.nextId("nq_item"),
    quizId,
    position: 0,
    pointsPossible: input.points_possible ?? (input.entry_type === "Stimulus" ? 0 : 1),
    entryType: input.entry_type,
    stimulusId: input.stimulus_id ?? null,
    entry: structuredClone(input.entry),
    properties: input.properties === undefined || input.properties === null ? null : { ...input.properties },
    updatedAt: ctx.now(),
    deleted: false,
  };
  data.newQuizItems.set(item.id, item);
  place(data, quizId, item, input.position ?? Number.MAX_SAFE_INTEGER);
  emit(ctx, "quizzes.item_created", itemEventBody(item, quiz));
  afterItemsChanged(ctx, data, quiz, pointsBefore);
  return { id: item.id };
}

export function editNewQuizItem(
  ctx: SimContext,
  courseId: number,
  quizId: number,
  itemId: number,
  patch: NewQuizItemPatch,
): void {
  const data = ctx.store.data(courseId);
  const quiz = liveRecord(data.newQuizzes, quizId, "new quiz");
  const item = liveItem(data, quizId, itemId);
  const pointsBefore = newQuizPoints(data, quiz);
  const before = JSON.stringify(item);
  if (patch.position !== undefined && patch.position !== item.position)
    place(data, quizId, item, patch.position);
  apply(item, "pointsPossible", patch.points_possible);
  if (patch.stimulus_id !== undefined) item.stimulusId = patch.stimulus_id;
  if (patch.entry !== undefined) item.entry = { ...item.entry, ...structuredClone(patch.entry) };
  if (patch.properties !== undefined)
    item.properties = patch.properties === null ? null : { ...patch.properties };
  if (JSON.stringify(item) === before) return;
  item.updatedAt = ctx.now();
  emit(ctx, "quizzes.item_updated", itemEventBody(item, quiz));
  afterItemsChanged(ctx, data, quiz, pointsBefore);
}

export function deleteNewQuizItem(ctx: SimContext, courseId: number, quizId: number, itemId: number): void {
  const data = ctx.store.data(courseId);
  const quiz = liveRecord(data.newQuizzes, quizId, "new quiz");
  const item = liveItem(data, quizId, itemId);
  const pointsBefore = newQuizPoints(data, quiz);
  item.deleted = true;
  item.updatedAt = ctx.now();
  liveQuizItems(data, quizId).forEach((row, i) => (row.position = i + 1));
  afterItemsChanged(ctx, data, quiz, pointsBefore);
}

/** Turns the New Quizzes API of a course off (404/401/403) or on, and hides or shows answers to the token. */
export function setNewQuizzesAccess(
  ctx: SimContext,
  courseId: number,
  settings: { access?: NewQuizzesAccess | undefined; answers_visible?: boolean | undefined },
): void {
  const data = ctx.store.data(courseId);
  if (settings.access !== undefined) data.newQuizzesAccess = settings.access;
  if (settings.answers_visible !== undefined) data.newQuizAnswersVisible = settings.answers_visible;
}
