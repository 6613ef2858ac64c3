/**
 * The Canvas web address of a mirrored object, so an API consumer or an AI assistant can cite what it found. The
 * stored projections keep no `html_url` (it is per-host noise for change detection), so the address is built from
 * CANVAS_BASE_URL and the ids Canvas's own web routes use. Pure.
 */
import type { ItemType } from "../detect/item-types";
import { unreachable } from "../shared/unreachable";

/** What the address of an item depends on, read from its row and its stored projection. */
export interface UrlFacts {
  courseId: number;
  type: ItemType;
  canvasId: string;
  /** pages: the slug (`url` in the projection) */
  pageSlug?: string | null;
  /** folders: `full_name`, e.g. "course files/Week 1" */
  folderPath?: string | null;
}

const encodePath = (path: string): string =>
  path
    .split("/")
    .filter((segment) => segment.length > 0)
    .map(encodeURIComponent)
    .join("/");

export function canvasItemUrl(baseUrl: string, item: UrlFacts): string {
  const base = baseUrl.replace(/\/+$/, "");
  const course = `${base}/courses/${item.courseId}`;
  const id = encodeURIComponent(item.canvasId);
  switch (item.type) {
    case "course":
      return course;
    case "syllabus":
      return `${course}/assignments/syllabus`;
    case "folder": {
      // Canvas names the root folder "course files"; the web route is relative to it.
      const path = (item.folderPath ?? "").replace(/^course files\/?/, "");
      return path === "" ? `${course}/files` : `${course}/files/folder/${encodePath(path)}`;
    }
    case "file":
      return `${course}/files/${id}`;
    case "page":
      return `${course}/pages/${item.pageSlug ? encodeURIComponent(item.pageSlug) : id}`;
    case "assignment":
      return `${course}/assignments/${id}`;
    // Announcements are discussion topics in Canvas's web routes too.
    case "discussion_topic":
    case "announcement":
      return `${course}/discussion_topics/${id}`;
    case "quiz":
      return `${course}/quizzes/${id}`;
    // A New Quiz opens through the assignment that carries it (same id).
    case "new_quiz":
      return `${course}/assignments/${id}`;
    case "module":
      return `${course}/modules#module_${id}`;
    case "module_item":
      return `${course}/modules/items/${id}`;
    default:
      return unreachable(item.type, "item type");
  }
}

const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** The URL facts of a stored projection (JSON text), tolerating anything malformed. */
export function urlFactsOf(
  row: { courseId: number; type: ItemType; canvasId: string },
  data: Record<string, unknown>,
): UrlFacts {
  return { ...row, pageSlug: textOrNull(data["url"]), folderPath: textOrNull(data["full_name"]) };
}
