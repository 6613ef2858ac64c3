/**
 * The kinds of Canvas object the mirror keeps, in the order a sync visits their collections, and the stable identity
 * of a mirrored object.
 */

export const ITEM_TYPES = [
  "course",
  "syllabus",
  "folder",
  "file",
  "page",
  "assignment",
  "discussion_topic",
  "announcement",
  "quiz",
  "new_quiz",
  "module",
  "module_item",
] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

const TYPES: ReadonlySet<string> = new Set(ITEM_TYPES);

/** Narrows a stored type name; a name outside the list is a row of another version (or corruption). */
export function isItemType(value: string): value is ItemType {
  return TYPES.has(value);
}

/** The stable identity of a mirrored object: course, type and Canvas id (pages by page_id, never by slug). */
export function itemKey(courseId: number, type: ItemType, canvasId: string | number): string {
  return `${courseId}:${type}:${canvasId}`;
}
