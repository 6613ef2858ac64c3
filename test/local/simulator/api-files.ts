/**
 * Files and folders. The course file list is bookmark-paginated over (sort value, id) with sort=name|size|
 * created_at|updated_at|content_type and order=asc|desc; deleted files vanish from lists and their single GET
 * is Canvas's standard 404 errors array (files/:id and courses/:id/files/:id alike).
 */
import { contentSize } from "./file-content";
import { compareKeys, paginateBookmarked, paginateOrdinal, type SortKey } from "./pagination";
import { fileJson, folderJson } from "./serialize-structure";
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
import type { FileRec } from "./model";

const FILE_SORTS: Record<string, (f: FileRec) => string | number> = {
  name: (f) => f.displayName,
  size: (f) => contentSize(f.content),
  created_at: (f) => f.createdAt,
  updated_at: (f) => f.updatedAt,
  content_type: (f) => f.contentType,
  user: () => 1,
};

/** content_types[] accepts a full type ("image/png") or a prefix ("image"). */
function matchesType(f: FileRec, list: string[]): boolean {
  return list.some((t) => f.contentType === t || f.contentType.startsWith(`${t}/`));
}

function listFiles(input: RouteInput, files: Iterable<FileRec>): Reply {
  const { url } = input;
  const sortName = url.searchParams.get("sort") ?? "name";
  const sortValue = FILE_SORTS[sortName] ?? FILE_SORTS["name"] ?? ((f: FileRec) => f.displayName);
  const desc = url.searchParams.get("order") === "desc";
  const search = url.searchParams.get("search_term")?.toLowerCase() ?? null;
  const types = arrayParam(url, "content_types");
  const excluded = arrayParam(url, "exclude_content_types");
  const keyOf = (f: FileRec): SortKey => [sortValue(f), f.id];
  const compare = (a: SortKey, b: SortKey): number => (desc ? -compareKeys(a, b) : compareKeys(a, b));
  const list = [...files]
    .filter((f) => !f.deleted)
    .filter((f) => search === null || f.displayName.toLowerCase().includes(search))
    .filter((f) => types.length === 0 || matchesType(f, types))
    .filter((f) => excluded.length === 0 || !matchesType(f, excluded))
    .sort((a, b) => compare(keyOf(a), keyOf(b)));
  const numeric =
    sortName === "size" || sortName === "created_at" || sortName === "updated_at" || sortName === "user";
  const page = paginateBookmarked(list, keyOf, compare, [numeric ? 0 : "", 0], url, input.ctx.apiOrigin);
  const namesOnly = arrayParam(url, "only").includes("names");
  return listReply(page, (f) => {
    const json = fileJson(input.ctx.apiOrigin, f, input.ctx.store.fileVerifiers);
    if (!namesOnly) return json;
    return {
      id: f.id,
      uuid: f.uuid,
      folder_id: f.folderId,
      display_name: f.displayName,
      filename: f.filename,
      workflow_state: "processed",
    };
  });
}

function courseFiles(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  return listFiles(input, data.files.values());
}

function showFile(input: RouteInput): Reply {
  const id = numericParam(input.params, "file_id");
  if (id === null) return missing();
  const file = input.ctx.store.findFile(id);
  if (file === null || file.deleted) return missing();
  if (input.params["course_id"] !== undefined) {
    const data = courseOf(input);
    if (data === null || data.course.id !== file.courseId) return missing();
  } else if (input.ctx.store.liveData(file.courseId) === null) return missing();
  return ok(fileJson(input.ctx.apiOrigin, file, input.ctx.store.fileVerifiers));
}

function listFolders(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const folders = [...data.folders.values()].filter((f) => !f.deleted).sort((a, b) => a.id - b.id);
  const { store, apiOrigin } = input.ctx;
  return listReply(paginateOrdinal(folders, input.url, apiOrigin), (f) => folderJson(apiOrigin, store, f));
}

function folderOf(input: RouteInput) {
  const id = numericParam(input.params, "folder_id");
  const folder = id === null ? null : input.ctx.store.findFolder(id);
  if (folder === null || folder.deleted || input.ctx.store.liveData(folder.courseId) === null) return null;
  return folder;
}

function showFolder(input: RouteInput): Reply {
  const folder = folderOf(input);
  return folder === null ? missing() : ok(folderJson(input.ctx.apiOrigin, input.ctx.store, folder));
}

function folderFiles(input: RouteInput): Reply {
  const folder = folderOf(input);
  if (folder === null) return missing();
  const files = [...input.ctx.store.data(folder.courseId).files.values()].filter(
    (f) => f.folderId === folder.id,
  );
  return listFiles(input, files);
}

function folderFolders(input: RouteInput): Reply {
  const folder = folderOf(input);
  if (folder === null) return missing();
  const { store, apiOrigin } = input.ctx;
  const children = [...store.data(folder.courseId).folders.values()]
    .filter((f) => !f.deleted && f.parentFolderId === folder.id)
    .sort((a, b) => a.position - b.position || a.id - b.id);
  return listReply(paginateOrdinal(children, input.url, apiOrigin), (f) => folderJson(apiOrigin, store, f));
}

export const fileRoutes: Route[] = [
  { method: "GET", pattern: "/api/v1/courses/:course_id/files", handle: courseFiles },
  { method: "GET", pattern: "/api/v1/courses/:course_id/files/:file_id", handle: showFile },
  { method: "GET", pattern: "/api/v1/files/:file_id", handle: showFile },
  { method: "GET", pattern: "/api/v1/courses/:course_id/folders", handle: listFolders },
  { method: "GET", pattern: "/api/v1/folders/:folder_id", handle: showFolder },
  { method: "GET", pattern: "/api/v1/folders/:folder_id/files", handle: folderFiles },
  { method: "GET", pattern: "/api/v1/folders/:folder_id/folders", handle: folderFolders },
];
