/**
 * Modules and module items. include[]=items inlines a module's items only when it has at most 100 of them
 * (Api::MAX_PER_PAGE); bigger modules omit `items` and the client must page the items endpoint.
 * include[]=content_details only works together with items. Deleted modules and items are 404.
 */
import { MAX_PER_PAGE, paginateOrdinal } from "./pagination";
import { moduleItemJson, moduleJson } from "./serialize-structure";
import {
  arrayParam,
  courseOf,
  listReply,
  missing,
  numericParam,
  ok,
  type Reply,
  type Route,
  type RouteInput,
} from "./routing";
import type { ModuleItemRec, ModuleRec } from "./model";
import type { CourseData } from "./store";

function renderModule(input: RouteInput, data: CourseData, mod: ModuleRec, items: ModuleItemRec[]): unknown {
  const include = arrayParam(input.url, "include");
  const withItems = include.includes("items") && items.length <= MAX_PER_PAGE;
  const details = include.includes("content_details");
  const { apiOrigin } = input.ctx;
  const inline = withItems ? items.map((i) => moduleItemJson(apiOrigin, data, i, details)) : null;
  return moduleJson(apiOrigin, mod, items.length, inline);
}

function listModules(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const groups = input.ctx.store.itemsByModule(data);
  const search = input.url.searchParams.get("search_term")?.toLowerCase() ?? null;
  const mods = [...data.modules.values()]
    .filter((m) => !m.deleted && (search === null || m.name.toLowerCase().includes(search)))
    .sort((a, b) => a.position - b.position || a.id - b.id);
  const page = paginateOrdinal(mods, input.url, input.ctx.apiOrigin);
  const reply = listReply(page, (m) => renderModule(input, data, m, groups.get(m.id) ?? []));
  // Inlined items count toward the request's cost too.
  if (
    reply.kind === "json" &&
    arrayParam(input.url, "include").includes("items") &&
    typeof page !== "string"
  ) {
    for (const m of page.items) reply.objects += Math.min(groups.get(m.id)?.length ?? 0, MAX_PER_PAGE);
  }
  return reply;
}

function liveModule(input: RouteInput, data: CourseData): ModuleRec | null {
  const id = numericParam(input.params, "module_id");
  const mod = id === null ? undefined : data.modules.get(id);
  return mod === undefined || mod.deleted ? null : mod;
}

function showModule(input: RouteInput): Reply {
  const data = courseOf(input);
  const mod = data === null ? null : liveModule(input, data);
  if (data === null || mod === null) return missing();
  return ok(renderModule(input, data, mod, input.ctx.store.moduleItems(data, mod.id)));
}

function listItems(input: RouteInput): Reply {
  const data = courseOf(input);
  const mod = data === null ? null : liveModule(input, data);
  if (data === null || mod === null) return missing();
  const details = arrayParam(input.url, "include").includes("content_details");
  const items = input.ctx.store.moduleItems(data, mod.id);
  const { apiOrigin } = input.ctx;
  return listReply(paginateOrdinal(items, input.url, apiOrigin), (i) =>
    moduleItemJson(apiOrigin, data, i, details),
  );
}

function showItem(input: RouteInput): Reply {
  const data = courseOf(input);
  const mod = data === null ? null : liveModule(input, data);
  const id = numericParam(input.params, "item_id");
  const item = data === null || id === null ? undefined : data.items.get(id);
  if (data === null || mod === null || item === undefined || item.deleted || item.moduleId !== mod.id)
    return missing();
  const details = arrayParam(input.url, "include").includes("content_details");
  return ok(moduleItemJson(input.ctx.apiOrigin, data, item, details));
}

export const moduleRoutes: Route[] = [
  { method: "GET", pattern: "/api/v1/courses/:course_id/modules", handle: listModules },
  { method: "GET", pattern: "/api/v1/courses/:course_id/modules/:module_id", handle: showModule },
  { method: "GET", pattern: "/api/v1/courses/:course_id/modules/:module_id/items", handle: listItems },
  {
    method: "GET",
    pattern: "/api/v1/courses/:course_id/modules/:module_id/items/:item_id",
    handle: showItem,
  },
];
