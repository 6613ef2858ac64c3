/**
 * Mutations of courses (settings, syllabus, deletion) and wiki pages. A page's visible updated_at (revised_at)
 * moves only on title or body changes, and only those emit wiki_page_updated; publishing, editing roles and the
 * front-page flag move only the row's real updated_at (what sort=updated_at orders by). A syllabus change emits
 * syllabus_updated on top of course_updated. Titles change slugs (url) and module item titles.
 */
import { bodies } from "./live-events";
import { SimError } from "./store";
import { slugify } from "./text";
import { apply, changed, deleteItemsFor, liveRecord, retitleItemsFor } from "./context";
import type { Patch, SimContext } from "./context";
import type { CourseRec, PageRec } from "./model";

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
