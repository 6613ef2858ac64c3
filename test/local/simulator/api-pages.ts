/**
 * Courses, syllabus and wiki pages. Pages list with a bookmark cursor over (sort value, id), no body unless
 * include[]=body; a single page resolves a slug before a numeric id, `page_id:N` forces the id, deleted or
 * unknown pages answer 404 {"message":"page not found"} (or 401 through page_id:, as Canvas's permission check
 * fails on a deleted row).
 */
import { compareKeys, paginateBookmarked, paginateOrdinal, type SortKey } from "./pagination";
import { courseJson, pageJson } from "./serialize-content";
import { pageNotFound, unauthorizedAction } from "./http";
import {
  arrayParam,
  courseOf,
  listReply,
  missing,
  ok,
  type Route,
  type RouteInput,
  type Reply,
} from "./routing";
import type { PageRec } from "./model";

function listCourses(input: RouteInput): Reply {
  const states = arrayParam(input.url, "state");
  const syllabus = arrayParam(input.url, "include").includes("syllabus_body");
  const courses = [...input.ctx.store.courses.values()]
    .map((d) => d.course)
    .filter((c) =>
      c.workflowState === "deleted"
        ? states.includes("deleted")
        : states.length === 0 || states.includes(c.workflowState),
    )
    .sort((a, b) => a.id - b.id);
  return listReply(paginateOrdinal(courses, input.url, input.ctx.apiOrigin), (c) =>
    courseJson(input.ctx.apiOrigin, c, syllabus),
  );
}

function showCourse(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const syllabus = arrayParam(input.url, "include").includes("syllabus_body");
  return ok(courseJson(input.ctx.apiOrigin, data.course, syllabus));
}

const PAGE_SORTS: Record<string, (p: PageRec) => string | number> = {
  title: (p) => p.title,
  created_at: (p) => p.createdAt,
  // Canvas orders by the row's real updated_at, not the revised_at it shows as updated_at.
  updated_at: (p) => p.updatedAt,
};

function listPages(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const { url } = input;
  const sortName = url.searchParams.get("sort") ?? "title";
  const sortValue = PAGE_SORTS[sortName] ?? PAGE_SORTS["title"] ?? ((p: PageRec) => p.title);
  const desc = url.searchParams.get("order") === "desc";
  const published = url.searchParams.get("published");
  const search = url.searchParams.get("search_term")?.toLowerCase() ?? null;
  const withBody = arrayParam(url, "include").includes("body");
  const keyOf = (p: PageRec): SortKey => [sortValue(p), p.id];
  const compare = (a: SortKey, b: SortKey): number => (desc ? -compareKeys(a, b) : compareKeys(a, b));
  const pages = [...data.pages.values()]
    .filter((p) => !p.deleted && input.ctx.store.sees(input.token, p.published))
    .filter((p) => published === null || String(p.published) === published)
    .filter((p) => search === null || p.title.toLowerCase().includes(search))
    .sort((a, b) => compare(keyOf(a), keyOf(b)));
  const template: SortKey = [sortName === "title" || !(sortName in PAGE_SORTS) ? "" : 0, 0];
  const page = paginateBookmarked(pages, keyOf, compare, template, url, input.ctx.apiOrigin);
  const { store, apiOrigin } = input.ctx;
  return listReply(page, (p) => pageJson(apiOrigin, p, withBody ? store.pageBody(p) : null));
}

function showPage(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const ref = input.params["page"] ?? "";
  const { store, apiOrigin } = input.ctx;
  let page: PageRec | undefined;
  if (ref.startsWith("page_id:")) {
    const id = Number(ref.slice("page_id:".length));
    page = data.pages.get(id);
    if (page?.deleted === true) return { kind: "response", response: unauthorizedAction(), objects: 0 };
  } else {
    const bySlug = data.slugs.get(ref);
    page = bySlug === undefined ? undefined : data.pages.get(bySlug);
    if (page === undefined && /^\d+$/.test(ref)) page = data.pages.get(Number(ref));
  }
  if (page === undefined || page.deleted) return { kind: "response", response: pageNotFound(), objects: 0 };
  if (!store.sees(input.token, page.published))
    return { kind: "response", response: unauthorizedAction(), objects: 0 };
  return ok(pageJson(apiOrigin, page, store.pageBody(page)));
}

function frontPage(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const page = [...data.pages.values()].find((p) => p.frontPage && !p.deleted);
  if (page === undefined) return { kind: "response", response: pageNotFound(), objects: 0 };
  return ok(pageJson(input.ctx.apiOrigin, page, input.ctx.store.pageBody(page)));
}

export const pageRoutes: Route[] = [
  { method: "GET", pattern: "/api/v1/courses", handle: listCourses },
  { method: "GET", pattern: "/api/v1/courses/:course_id", handle: showCourse },
  { method: "GET", pattern: "/api/v1/courses/:course_id/pages", handle: listPages },
  { method: "GET", pattern: "/api/v1/courses/:course_id/pages/:page", handle: showPage },
  { method: "GET", pattern: "/api/v1/courses/:course_id/front_page", handle: frontPage },
];
