/**
 * Mutations of courses (settings, syllabus), wiki pages, assignments, discussion topics/announcements and
 * classic quizzes. Each moves exactly the timestamps Canvas moves (a page's visible updated_at only on title or
 * body changes; assignments on any change; topics, quizzes and courses expose none) and emits the live events
 * Canvas would (wiki_page_updated only for title/body, syllabus_updated on top of course_updated, ...).
 */
import { bodies } from "./live-events";
import { SimError } from "./store";
import { slugify } from "./text";
import { apply, changed, deleteItemsFor, liveRecord, parseDate, retitleItemsFor } from "./context";
import type { Patch, SimContext } from "./context";
import type { AssignmentRec, CourseRec, PageRec, QuizRec, TopicRec } from "./model";

export interface CourseInput {
  id?: number | undefined;
  name: string;
  course_code?: string | undefined;
  syllabus_body?: string | undefined;
}

export interface CoursePatch {
  name?: string | undefined;
  course_code?: string | undefined;
  syllabus_body?: string | undefined;
  default_view?: CourseRec["defaultView"] | undefined;
  workflow_state?: "unpublished" | "available" | "completed" | undefined;
}

export function createCourse(ctx: SimContext, input: CourseInput): { id: number } {
  const { store } = ctx;
  const now = ctx.now();
  const id = input.id ?? store.nextId("course");
  if (store.courses.has(id)) throw new SimError(409, `course ${id} exists`);
  store.reserveId("course", id);
  const rootFolderId = store.nextId("folder");
  const course: CourseRec = {
    id,
    uuid: store.uuid("course", id),
    name: input.name,
    courseCode: input.course_code ?? input.name.split(/\s+/).slice(0, 2).join("-").toUpperCase(),
    workflowState: "available",
    defaultView: "modules",
    createdAt: now,
    updatedAt: now,
    startAt: null,
    endAt: null,
    syllabusBody: input.syllabus_body ?? "",
    timeZone: "America/Denver",
    license: "private",
    rootFolderId,
    assignmentGroupId: store.nextId("group"),
  };
  store.addCourse(course);
  store.addFolder({
    id: rootFolderId,
    courseId: id,
    name: "course files",
    parentFolderId: null,
    position: 0,
    createdAt: now,
    updatedAt: now,
    locked: false,
    hidden: false,
    deleted: false,
  });
  ctx.events.emit(id, bodies.course("course_created", course), "POST");
  return { id };
}

export function editCourse(ctx: SimContext, courseId: number, patch: CoursePatch): void {
  const course = ctx.store.data(courseId).course;
  const oldSyllabus = course.syllabusBody;
  let touched = false;
  touched = apply(course, "name", patch.name) || touched;
  touched = apply(course, "courseCode", patch.course_code) || touched;
  touched = apply(course, "defaultView", patch.default_view) || touched;
  touched = apply(course, "workflowState", patch.workflow_state) || touched;
  const syllabusChanged = changed(patch.syllabus_body, course.syllabusBody);
  if (syllabusChanged) course.syllabusBody = patch.syllabus_body ?? course.syllabusBody;
  if (!touched && !syllabusChanged) return;
  course.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.course("course_updated", course));
  if (syllabusChanged) ctx.events.emit(courseId, bodies.syllabus(course, oldSyllabus));
}

export function deleteCourse(ctx: SimContext, courseId: number): void {
  const course = ctx.store.data(courseId).course;
  if (course.workflowState === "deleted") return;
  course.workflowState = "deleted";
  course.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.course("course_updated", course), "DELETE");
}

export interface PageInput {
  title: string;
  body?: string | undefined;
  published?: boolean | undefined;
  front_page?: boolean | undefined;
  editing_roles?: string | undefined;
}
export type PagePatch = Patch<PageInput>;

/** Only one front page per course; moving the flag is not a revision (no updated_at, no event). */
function setFrontPage(ctx: SimContext, courseId: number, page: PageRec): void {
  for (const other of ctx.store.data(courseId).pages.values()) {
    if (other.frontPage && other.id !== page.id) {
      other.frontPage = false;
      other.updatedAt = ctx.now();
    }
  }
  page.frontPage = true;
  page.published = true;
}

export function createPage(ctx: SimContext, courseId: number, input: PageInput): { id: number; url: string } {
  const { store } = ctx;
  const data = store.data(courseId);
  const now = ctx.now();
  const id = store.nextId("page");
  const page: PageRec = {
    id,
    courseId,
    url: store.uniqueSlug(data, slugify(input.title), null),
    title: input.title,
    body: input.body ?? "",
    bodySeed: 0,
    published: input.published ?? true,
    frontPage: false,
    editingRoles: input.editing_roles ?? "teachers",
    createdAt: now,
    revisedAt: now,
    updatedAt: now,
    deleted: false,
  };
  data.pages.set(id, page);
  data.slugs.set(page.url, id);
  if (input.front_page === true) setFrontPage(ctx, courseId, page);
  ctx.events.emit(courseId, bodies.page("wiki_page_created", page, page.body ?? ""), "POST");
  return { id, url: page.url };
}

export function editPage(
  ctx: SimContext,
  courseId: number,
  pageId: number,
  patch: PagePatch,
): { url: string } {
  const { store } = ctx;
  const data = store.data(courseId);
  const page = liveRecord(data.pages, pageId, "page");
  const now = ctx.now();
  const oldTitle = page.title;
  const oldBody = store.pageBody(page);
  const titleChanged = changed(patch.title, oldTitle);
  const bodyChanged = changed(patch.body, oldBody);
  let saved = titleChanged || bodyChanged;
  if (titleChanged && patch.title !== undefined) {
    page.title = patch.title;
    data.slugs.delete(page.url);
    page.url = store.uniqueSlug(data, slugify(patch.title), page.id);
    data.slugs.set(page.url, page.id);
    retitleItemsFor(data, "Page", page.id, page.title);
  }
  if (bodyChanged && patch.body !== undefined) page.body = patch.body;
  if (changed(patch.published, page.published)) {
    if (!patch.published && page.frontPage) throw new SimError(400, "The front page cannot be unpublished");
    page.published = patch.published;
    saved = true;
  }
  saved = apply(page, "editingRoles", patch.editing_roles) || saved;
  if (patch.front_page === true && !page.frontPage) {
    setFrontPage(ctx, courseId, page);
    saved = true;
  }
  if (patch.front_page === false && page.frontPage) {
    page.frontPage = false;
    saved = true;
  }
  if (!saved) return { url: page.url };
  page.updatedAt = now;
  if (titleChanged || bodyChanged) {
    // revised_at (the API's updated_at) moves only for content; wiki_page_updated fires only then too.
    page.revisedAt = now;
    const old: { title?: string; body?: string } = {};
    if (titleChanged) old.title = oldTitle;
    if (bodyChanged) old.body = oldBody;
    ctx.events.emit(courseId, bodies.page("wiki_page_updated", page, store.pageBody(page), old));
  }
  return { url: page.url };
}

export function deletePage(ctx: SimContext, courseId: number, pageId: number): void {
  const data = ctx.store.data(courseId);
  const page = liveRecord(data.pages, pageId, "page");
  if (page.frontPage) throw new SimError(400, "The front page cannot be deleted");
  page.deleted = true;
  page.updatedAt = ctx.now();
  data.slugs.delete(page.url);
  deleteItemsFor(ctx, data, "Page", page.id);
  ctx.events.emit(courseId, bodies.page("wiki_page_deleted", page, ""), "DELETE");
}

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
  link: { quizId?: number; discussionTopicId?: number } = {},
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
