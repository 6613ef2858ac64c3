/**
 * Mutations of assignments, discussion topics/announcements and classic quizzes. Assignments move updated_at on
 * any change; topics and quizzes expose no timestamp (their internal one feeds live events). Graded quizzes are
 * backed by an assignment kept in step with the quiz, and deleting either deletes both, as in Canvas.
 */
import { bodies } from "./live-events";
import { apply, changed, deleteItemsFor, liveRecord, parseDate, retitleItemsFor } from "./context";
import type { Patch, SimContext } from "./context";
import type { AssignmentRec, QuizRec, TopicRec } from "./model";

export interface AssignmentInput {
  name: string;
  description?: string | undefined;
  points_possible?: number | undefined;
  grading_type?: string | undefined;
  submission_types?: string[] | undefined;
  due_at?: string | null | undefined;
  unlock_at?: string | null | undefined;
  lock_at?: string | null | undefined;
  published?: boolean | undefined;
  position?: number | undefined;
}
export type AssignmentPatch = Patch<AssignmentInput>;

function emitAssignment(
  ctx: SimContext,
  a: AssignmentRec,
  name: "assignment_created" | "assignment_updated",
): void {
  const course = ctx.store.data(a.courseId).course;
  ctx.events.emit(a.courseId, bodies.assignment(name, a, course.uuid, course.assignmentGroupId));
}

export function createAssignment(
  ctx: SimContext,
  courseId: number,
  input: AssignmentInput,
  link: { quizId?: number; discussionTopicId?: number; quizLti?: boolean } = {},
): { id: number } {
  const data = ctx.store.data(courseId);
  const now = ctx.now();
  const id = ctx.store.nextId("assignment");
  let position = 0;
  for (const a of data.assignments.values()) if (!a.deleted) position = Math.max(position, a.position);
  const a: AssignmentRec = {
    id,
    courseId,
    name: input.name,
    description: input.description ?? "",
    position: input.position ?? position + 1,
    pointsPossible: input.points_possible ?? 10,
    gradingType: input.grading_type ?? "points",
    submissionTypes: input.submission_types ?? ["online_text_entry"],
    dueAt: parseDate(input.due_at, null),
    unlockAt: parseDate(input.unlock_at, null),
    lockAt: parseDate(input.lock_at, null),
    createdAt: now,
    updatedAt: now,
    published: input.published ?? true,
    quizId: link.quizId ?? null,
    discussionTopicId: link.discussionTopicId ?? null,
    quizLti: link.quizLti ?? false,
    deleted: false,
  };
  data.assignments.set(id, a);
  emitAssignment(ctx, a, "assignment_created");
  return { id };
}

export function editAssignment(ctx: SimContext, courseId: number, id: number, patch: AssignmentPatch): void {
  const data = ctx.store.data(courseId);
  const a = liveRecord(data.assignments, id, "assignment");
  let saved = false;
  if (changed(patch.name, a.name)) {
    a.name = patch.name;
    retitleItemsFor(data, "Assignment", a.id, a.name);
    saved = true;
  }
  saved = apply(a, "description", patch.description) || saved;
  saved = apply(a, "pointsPossible", patch.points_possible) || saved;
  saved = apply(a, "gradingType", patch.grading_type) || saved;
  saved = apply(a, "published", patch.published) || saved;
  saved = apply(a, "position", patch.position) || saved;
  if (patch.submission_types !== undefined && patch.submission_types.join() !== a.submissionTypes.join()) {
    a.submissionTypes = patch.submission_types;
    saved = true;
  }
  for (const [key, field] of [
    ["due_at", "dueAt"],
    ["unlock_at", "unlockAt"],
    ["lock_at", "lockAt"],
  ] as const) {
    const next = parseDate(patch[key], a[field]);
    if (next !== a[field]) {
      a[field] = next;
      saved = true;
    }
  }
  if (!saved) return;
  a.updatedAt = ctx.now();
  emitAssignment(ctx, a, "assignment_updated");
}

export function deleteAssignment(ctx: SimContext, courseId: number, id: number): void {
  const data = ctx.store.data(courseId);
  const a = liveRecord(data.assignments, id, "assignment");
  a.deleted = true;
  a.updatedAt = ctx.now();
  deleteItemsFor(ctx, data, "Assignment", a.id);
  emitAssignment(ctx, a, "assignment_updated");
  // A quiz's assignment takes the quiz with it (and vice versa, see deleteQuiz).
  if (a.quizId !== null) {
    const quiz = data.quizzes.get(a.quizId);
    if (quiz !== undefined && !quiz.deleted) deleteQuiz(ctx, courseId, quiz.id);
  }
  // A New Quiz lives and dies with its quiz_lti assignment (it has the assignment's id).
  const newQuiz = a.quizLti ? data.newQuizzes.get(a.id) : undefined;
  if (newQuiz !== undefined && !newQuiz.deleted) {
    newQuiz.deleted = true;
    newQuiz.updatedAt = a.updatedAt;
  }
}

export interface TopicInput {
  title: string;
  message?: string | undefined;
  published?: boolean | undefined;
  pinned?: boolean | undefined;
  locked?: boolean | undefined;
  is_announcement?: boolean | undefined;
}
export type TopicPatch = Patch<Omit<TopicInput, "is_announcement">>;

export function createTopic(ctx: SimContext, courseId: number, input: TopicInput): { id: number } {
  const data = ctx.store.data(courseId);
  const now = ctx.now();
  const id = ctx.store.nextId("topic");
  const isAnnouncement = input.is_announcement ?? false;
  let position = 0;
  for (const t of data.topics.values())
    if (!t.isAnnouncement && t.position !== null) position = Math.max(position, t.position);
  const topic: TopicRec = {
    id,
    courseId,
    title: input.title,
    message: input.message ?? "",
    isAnnouncement,
    published: input.published ?? true,
    locked: input.locked ?? false,
    pinned: input.pinned ?? false,
    position: isAnnouncement ? null : position + 1,
    postedAt: now,
    createdAt: now,
    updatedAt: now,
    lastReplyAt: null,
    assignmentId: null,
    deleted: false,
  };
  data.topics.set(id, topic);
  ctx.events.emit(courseId, bodies.topic("discussion_topic_created", topic), "POST");
  return { id };
}

export function editTopic(ctx: SimContext, courseId: number, id: number, patch: TopicPatch): void {
  const data = ctx.store.data(courseId);
  const t = liveRecord(data.topics, id, "discussion topic");
  let saved = false;
  if (changed(patch.title, t.title)) {
    t.title = patch.title;
    retitleItemsFor(data, "Discussion", t.id, t.title);
    saved = true;
  }
  saved = apply(t, "message", patch.message) || saved;
  saved = apply(t, "published", patch.published) || saved;
  saved = apply(t, "pinned", patch.pinned) || saved;
  saved = apply(t, "locked", patch.locked) || saved;
  if (!saved) return;
  t.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.topic("discussion_topic_updated", t));
}

export function deleteTopic(ctx: SimContext, courseId: number, id: number): void {
  const data = ctx.store.data(courseId);
  const t = liveRecord(data.topics, id, "discussion topic");
  t.deleted = true;
  t.updatedAt = ctx.now();
  deleteItemsFor(ctx, data, "Discussion", t.id);
  ctx.events.emit(courseId, bodies.topic("discussion_topic_updated", t), "DELETE");
}

export interface QuizInput {
  title: string;
  description?: string | undefined;
  quiz_type?: QuizRec["quizType"] | undefined;
  time_limit?: number | null | undefined;
  question_count?: number | undefined;
  points_possible?: number | undefined;
  allowed_attempts?: number | undefined;
  due_at?: string | null | undefined;
  published?: boolean | undefined;
}
export type QuizPatch = Patch<QuizInput>;

function emitQuiz(ctx: SimContext, q: QuizRec, name: "quiz_created" | "quiz_updated"): void {
  ctx.events.emit(q.courseId, bodies.quiz(name, q, ctx.store.data(q.courseId).course.uuid));
}

export function createQuiz(
  ctx: SimContext,
  courseId: number,
  input: QuizInput,
): { id: number; assignmentId: number | null } {
  const data = ctx.store.data(courseId);
  const now = ctx.now();
  const id = ctx.store.nextId("quiz");
  const quizType = input.quiz_type ?? "assignment";
  const quiz: QuizRec = {
    id,
    courseId,
    title: input.title,
    description: input.description ?? "",
    quizType,
    timeLimit: input.time_limit ?? null,
    shuffleAnswers: false,
    allowedAttempts: input.allowed_attempts ?? 1,
    questionCount: input.question_count ?? 5,
    pointsPossible: input.points_possible ?? 5,
    published: input.published ?? true,
    dueAt: parseDate(input.due_at, null),
    assignmentId: null,
    createdAt: now,
    updatedAt: now,
    deleted: false,
  };
  data.quizzes.set(id, quiz);
  emitQuiz(ctx, quiz, "quiz_created");
  // Graded quizzes are backed by an assignment (submission type online_quiz), as in Canvas.
  if (quizType === "assignment" || quizType === "graded_survey") {
    const dueAt = quiz.dueAt === null ? null : new Date(quiz.dueAt).toISOString();
    quiz.assignmentId = createAssignment(
      ctx,
      courseId,
      {
        name: quiz.title,
        description: quiz.description,
        points_possible: quiz.pointsPossible,
        submission_types: ["online_quiz"],
        due_at: dueAt,
        published: quiz.published,
      },
      { quizId: id },
    ).id;
  }
  return { id, assignmentId: quiz.assignmentId };
}

export function editQuiz(ctx: SimContext, courseId: number, id: number, patch: QuizPatch): void {
  const data = ctx.store.data(courseId);
  const q = liveRecord(data.quizzes, id, "quiz");
  let saved = false;
  if (changed(patch.title, q.title)) {
    q.title = patch.title;
    retitleItemsFor(data, "Quiz", q.id, q.title);
    saved = true;
  }
  saved = apply(q, "description", patch.description) || saved;
  saved = apply(q, "timeLimit", patch.time_limit) || saved;
  saved = apply(q, "questionCount", patch.question_count) || saved;
  saved = apply(q, "pointsPossible", patch.points_possible) || saved;
  saved = apply(q, "allowedAttempts", patch.allowed_attempts) || saved;
  saved = apply(q, "published", patch.published) || saved;
  const due = parseDate(patch.due_at, q.dueAt);
  if (due !== q.dueAt) {
    q.dueAt = due;
    saved = true;
  }
  if (!saved) return;
  q.updatedAt = ctx.now();
  emitQuiz(ctx, q, "quiz_updated");
  if (q.assignmentId !== null && data.assignments.get(q.assignmentId)?.deleted === false) {
    editAssignment(ctx, courseId, q.assignmentId, {
      name: q.title,
      description: q.description,
      points_possible: q.pointsPossible,
      published: q.published,
      due_at: q.dueAt === null ? null : new Date(q.dueAt).toISOString(),
    });
  }
}

export function deleteQuiz(ctx: SimContext, courseId: number, id: number): void {
  const data = ctx.store.data(courseId);
  const q = liveRecord(data.quizzes, id, "quiz");
  q.deleted = true;
  q.updatedAt = ctx.now();
  deleteItemsFor(ctx, data, "Quiz", q.id);
  emitQuiz(ctx, q, "quiz_updated");
  if (q.assignmentId !== null && data.assignments.get(q.assignmentId)?.deleted === false) {
    deleteAssignment(ctx, courseId, q.assignmentId);
  }
}
