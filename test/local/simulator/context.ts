/**
 * The shared state every simulator part works on, plus small helpers the mutation modules share (looking up
 * a live record or failing with 404, parsing Canvas date inputs, cascading deletes to module items).
 */
import { SimError } from "./store";
import type { LiveEventHub } from "./live-events";
import type { CourseData, SimStore } from "./store";
import type { ModuleItemType } from "./model";

/** Every field optional, and explicitly allowed to be undefined (zod output under exactOptionalPropertyTypes). */
export type Patch<T> = { [K in keyof T]?: T[K] | undefined };

export interface SimContext {
  store: SimStore;
  events: LiveEventHub;
  apiOrigin: string;
  now: () => number;
}

/** The record, if it exists and is not soft-deleted; otherwise a 404 SimError. */
export function liveRecord<T extends { deleted: boolean }>(
  map: Map<number, T>,
  id: number,
  label: string,
): T {
  const record = map.get(id);
  if (record === undefined || record.deleted) throw new SimError(404, `no live ${label} ${id}`);
  return record;
}

/** Canvas date parameter: ISO string, null to clear, undefined to keep. */
export function parseDate(value: string | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SimError(400, `invalid date ${value}`);
  return ms;
}

/**
 * Soft-deletes the module items pointing at a deleted object. Canvas does this with update_all
 * (ContentTag.delete_for), so no module_item events fire; the module is touched.
 */
export function deleteItemsFor(
  ctx: SimContext,
  data: CourseData,
  type: ModuleItemType,
  contentId: number,
): void {
  const now = ctx.now();
  for (const item of data.items.values()) {
    if (item.deleted || item.type !== type || item.contentId !== contentId) continue;
    item.deleted = true;
    const mod = data.modules.get(item.moduleId);
    if (mod !== undefined) mod.updatedAt = now;
  }
}

/** Keeps module item titles in step with their content's title (Canvas ContentTag.update_for, no events). */
export function retitleItemsFor(
  data: CourseData,
  type: ModuleItemType,
  contentId: number,
  title: string,
): void {
  for (const item of data.items.values()) {
    if (!item.deleted && item.type === type && item.contentId === contentId) item.title = title;
  }
}

/** Sets `record[key] = next` when `next` is given and differs; returns whether anything changed. */
export function apply<T, K extends keyof T>(record: T, key: K, next: T[K] | undefined): boolean {
  if (next === undefined || next === record[key]) return false;
  record[key] = next;
  return true;
}

/** Returns true when `patch[key]` is given and differs from `current`. */
export function changed<T>(next: T | undefined, current: T): next is T {
  return next !== undefined && next !== current;
}
