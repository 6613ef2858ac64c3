/**
 * Mutations of modules and module items. Positions behave like Canvas's acts_as_list: inserting at a position
 * shifts the ones at or after it; deleting leaves the others in place. Deleting a module soft-deletes its items
 * (no item events, as Canvas uses update_all); module_* and module_item_* events fire on every other change.
 */
import { bodies } from "./live-events";
import { SimError } from "./store";
import { liveRecord } from "./context";
import { unreachable } from "../../../src/shared/unreachable";
import type { Patch, SimContext } from "./context";
import type { CourseData } from "./store";
import type { ModuleItemRec, ModuleItemType, ModuleRec } from "./model";

export interface ModuleInput {
  name: string;
  position?: number | undefined;
  published?: boolean | undefined;
  unlock_at?: string | null | undefined;
  require_sequential_progress?: boolean | undefined;
  prerequisite_module_ids?: number[] | undefined;
}
export type ModulePatch = Patch<ModuleInput>;

function shiftFrom<T extends { position: number; deleted: boolean; id: number }>(
  rows: Iterable<T>,
  position: number,
  exceptId: number,
): void {
  for (const row of rows) if (!row.deleted && row.id !== exceptId && row.position >= position) row.position++;
}

function lastPosition(rows: Iterable<{ position: number; deleted: boolean }>): number {
  let max = 0;
  for (const row of rows) if (!row.deleted) max = Math.max(max, row.position);
  return max;
}

export function createModule(ctx: SimContext, courseId: number, input: ModuleInput): { id: number } {
  const data = ctx.store.data(courseId);
  const id = ctx.store.nextId("module");
  const position = input.position ?? lastPosition(data.modules.values()) + 1;
  if (input.position !== undefined) shiftFrom(data.modules.values(), position, id);
  const mod: ModuleRec = {
    id,
    courseId,
    name: input.name,
    position,
    unlockAt: input.unlock_at === undefined || input.unlock_at === null ? null : Date.parse(input.unlock_at),
    requireSequentialProgress: input.require_sequential_progress ?? false,
    prerequisiteModuleIds: input.prerequisite_module_ids ?? [],
    published: input.published ?? true,
    updatedAt: ctx.now(),
    deleted: false,
  };
  data.modules.set(id, mod);
  ctx.events.emit(courseId, bodies.module("module_created", mod), "POST");
  return { id };
}

export function editModule(ctx: SimContext, courseId: number, moduleId: number, patch: ModulePatch): void {
  const data = ctx.store.data(courseId);
  const mod = liveRecord(data.modules, moduleId, "module");
  if (patch.name !== undefined) mod.name = patch.name;
  if (patch.published !== undefined) mod.published = patch.published;
  if (patch.require_sequential_progress !== undefined)
    mod.requireSequentialProgress = patch.require_sequential_progress;
  if (patch.prerequisite_module_ids !== undefined) mod.prerequisiteModuleIds = patch.prerequisite_module_ids;
  if (patch.unlock_at !== undefined)
    mod.unlockAt = patch.unlock_at === null ? null : Date.parse(patch.unlock_at);
  if (patch.position !== undefined && patch.position !== mod.position) {
    shiftFrom(data.modules.values(), patch.position, mod.id);
    mod.position = patch.position;
  }
  mod.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.module("module_updated", mod));
}

export function deleteModule(ctx: SimContext, courseId: number, moduleId: number): void {
  const data = ctx.store.data(courseId);
  const mod = liveRecord(data.modules, moduleId, "module");
  mod.deleted = true;
  mod.updatedAt = ctx.now();
  for (const item of data.items.values()) if (item.moduleId === mod.id) item.deleted = true;
  ctx.events.emit(courseId, bodies.module("module_updated", mod), "DELETE");
}

export interface ModuleItemInput {
  type: ModuleItemType;
  /** Object id for File/Discussion/Assignment/Quiz; the page id for Page (or give page_url). */
  content_id?: number | undefined;
  page_url?: string | undefined;
  title?: string | undefined;
  external_url?: string | undefined;
  new_tab?: boolean | undefined;
  position?: number | undefined;
  indent?: number | undefined;
  published?: boolean | undefined;
  completion_requirement?: { type: string; min_score?: number | undefined } | undefined;
}

export interface ModuleItemPatch {
  title?: string | undefined;
  position?: number | undefined;
  indent?: number | undefined;
  published?: boolean | undefined;
  new_tab?: boolean | undefined;
  external_url?: string | undefined;
  /** Move the item to another module of the course. */
  module_id?: number | undefined;
}

/** The content's title (the default item title), checking the content exists and is live. */
function contentTitle(data: CourseData, input: ModuleItemInput): { contentId: number | null; title: string } {
  const id = input.content_id;
  switch (input.type) {
    case "Page": {
      const pageId = input.page_url !== undefined ? data.slugs.get(input.page_url) : id;
      if (pageId === undefined) throw new SimError(400, "Page items need content_id (page id) or page_url");
      return { contentId: pageId, title: liveRecord(data.pages, pageId, "page").title };
    }
    case "File":
      return { contentId: need(id), title: liveRecord(data.files, need(id), "file").displayName };
    case "Assignment":
      return { contentId: need(id), title: liveRecord(data.assignments, need(id), "assignment").name };
    case "Discussion":
      return { contentId: need(id), title: liveRecord(data.topics, need(id), "discussion topic").title };
    case "Quiz":
      return { contentId: need(id), title: liveRecord(data.quizzes, need(id), "quiz").title };
    case "ExternalTool":
      return { contentId: id ?? null, title: input.title ?? "External Tool" };
    case "ExternalUrl":
      if (input.external_url === undefined) throw new SimError(400, "ExternalUrl items need external_url");
      return { contentId: null, title: input.title ?? input.external_url };
    case "SubHeader":
      return { contentId: null, title: input.title ?? "" };
    default:
      return unreachable(input.type);
  }
}

function need(id: number | undefined): number {
  if (id === undefined) throw new SimError(400, "content_id is required for this item type");
  return id;
}

export function createModuleItem(
  ctx: SimContext,
  courseId: number,
  moduleId: number,
  input: ModuleItemInput,
): { id: number } {
  const data = ctx.store.data(courseId);
  const mod = liveRecord(data.modules, moduleId, "module");
  const { contentId, title } = contentTitle(data, input);
  const id = ctx.store.nextId("item");
  const siblings = ctx.store.moduleItems(data, moduleId);
  const position = input.position ?? lastPosition(siblings) + 1;
  if (input.position !== undefined) shiftFrom(siblings, position, id);
  const item: ModuleItemRec = {
    id,
    courseId,
    moduleId,
    position,
    title: input.title ?? title,
    indent: input.indent ?? 0,
    type: input.type,
    contentId,
    externalUrl: input.external_url ?? null,
    newTab: input.new_tab ?? false,
    published: input.published ?? true,
    completionRequirement: input.completion_requirement ?? null,
    deleted: false,
  };
  data.items.set(id, item);
  mod.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.moduleItem("module_item_created", item), "POST");
  return { id };
}

export function editModuleItem(
  ctx: SimContext,
  courseId: number,
  itemId: number,
  patch: ModuleItemPatch,
): void {
  const data = ctx.store.data(courseId);
  const item = liveRecord(data.items, itemId, "module item");
  if (patch.module_id !== undefined && patch.module_id !== item.moduleId) {
    liveRecord(data.modules, patch.module_id, "module");
    item.moduleId = patch.module_id;
    item.position = patch.position ?? lastPosition(ctx.store.moduleItems(data, patch.module_id)) + 1;
  } else if (patch.position !== undefined && patch.position !== item.position) {
    shiftFrom(ctx.store.moduleItems(data, item.moduleId), patch.position, item.id);
    item.position = patch.position;
  }
  if (patch.title !== undefined) item.title = patch.title;
  if (patch.indent !== undefined) item.indent = patch.indent;
  if (patch.published !== undefined) item.published = patch.published;
  if (patch.new_tab !== undefined) item.newTab = patch.new_tab;
  if (patch.external_url !== undefined) item.externalUrl = patch.external_url;
  const mod = data.modules.get(item.moduleId);
  if (mod !== undefined) mod.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.moduleItem("module_item_updated", item));
}

export function deleteModuleItem(ctx: SimContext, courseId: number, itemId: number): void {
  const data = ctx.store.data(courseId);
  const item = liveRecord(data.items, itemId, "module item");
  item.deleted = true;
  const mod = data.modules.get(item.moduleId);
  if (mod !== undefined) mod.updatedAt = ctx.now();
  ctx.events.emit(courseId, bodies.moduleItem("module_item_updated", item), "DELETE");
}
