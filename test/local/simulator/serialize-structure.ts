/**
 * Canvas JSON for files, folders, modules and module items: the hyphenated "content-type", the download url
 * with its verifier, folder counts, module items' content_id/page_url rules (no content_id for Page, SubHeader
 * or ExternalUrl items) and the optional content_details block.
 */
import { contentSize } from "./file-content";
import { iso, isoOrNull } from "./time";
import type { FileRec, FolderRec, ModuleItemRec, ModuleRec } from "./model";
import type { Json } from "./serialize-content";
import type { CourseData, SimStore } from "./store";

export function mimeClass(contentType: string): string {
  if (contentType === "application/pdf") return "pdf";
  if (contentType.includes("wordprocessingml") || contentType === "application/msword") return "doc";
  if (contentType.includes("presentationml") || contentType.includes("powerpoint")) return "ppt";
  if (contentType.includes("spreadsheetml") || contentType.includes("excel")) return "xls";
  if (contentType.startsWith("image/")) return "image";
  if (contentType.startsWith("video/")) return "video";
  if (contentType.startsWith("audio/")) return "audio";
  if (contentType === "text/html") return "html";
  if (contentType.startsWith("text/")) return "text";
  if (contentType === "application/zip") return "zip";
  return "file";
}

/** The file's download URL: with its verifier while Canvas honours verifiers, bare after the 2026 removal. */
export function fileDownloadUrl(apiOrigin: string, file: FileRec, verifiers = true): string {
  const base = `${apiOrigin}/files/${file.id}/download?download_frd=1`;
  return verifiers ? `${base}&verifier=${file.uuid}` : base;
}

/** The size the JSON claims: the real size unless the file is flagged to lie about it. */
export function declaredSize(file: FileRec): number {
  return contentSize(file.content) + (file.flags.declaredSizeDelta ?? 0);
}

export function fileJson(apiOrigin: string, file: FileRec, verifiers = true): Json {
  return {
    id: file.id,
    uuid: file.uuid,
    folder_id: file.folderId,
    display_name: file.displayName,
    filename: file.filename,
    upload_status: "success",
    "content-type": file.contentType,
    url: fileDownloadUrl(apiOrigin, file, verifiers),
    size: declaredSize(file),
    created_at: iso(file.createdAt),
    updated_at: iso(file.updatedAt),
    unlock_at: null,
    locked: file.locked,
    hidden: file.hidden,
    lock_at: null,
    hidden_for_user: false,
    thumbnail_url: null,
    modified_at: iso(file.modifiedAt),
    mime_class: mimeClass(file.contentType),
    media_entry_id: null,
    category: "uncategorized",
    locked_for_user: false,
    visibility_level: "inherit",
  };
}

export function folderJson(apiOrigin: string, store: SimStore, folder: FolderRec): Json {
  const data = store.data(folder.courseId);
  let files = 0;
  for (const f of data.files.values()) if (!f.deleted && f.folderId === folder.id) files++;
  let folders = 0;
  for (const f of data.folders.values()) if (!f.deleted && f.parentFolderId === folder.id) folders++;
  return {
    id: folder.id,
    name: folder.name,
    full_name: store.folderPath(folder),
    context_id: folder.courseId,
    context_type: "Course",
    parent_folder_id: folder.parentFolderId,
    created_at: iso(folder.createdAt),
    updated_at: iso(folder.updatedAt),
    lock_at: null,
    unlock_at: null,
    position: folder.position,
    locked: folder.locked,
    folders_url: `${apiOrigin}/api/v1/folders/${folder.id}/folders`,
    files_url: `${apiOrigin}/api/v1/folders/${folder.id}/files`,
    files_count: files,
    folders_count: folders,
    hidden: folder.hidden,
    locked_for_user: false,
    hidden_for_user: false,
    for_submissions: false,
    can_upload: true,
  };
}

function contentDetails(data: CourseData, item: ModuleItemRec): Json {
  const id = item.contentId;
  if (id === null) return {};
  switch (item.type) {
    case "File": {
      const f = data.files.get(id);
      if (f === undefined) return {};
      return {
        locked_for_user: false,
        hidden: f.hidden,
        locked: f.locked,
        display_name: f.displayName,
        thumbnail_url: null,
        usage_rights: null,
      };
    }
    case "Assignment": {
      const a = data.assignments.get(id);
      if (a === undefined) return {};
      return {
        points_possible: a.pointsPossible,
        due_at: isoOrNull(a.dueAt),
        unlock_at: isoOrNull(a.unlockAt),
        lock_at: isoOrNull(a.lockAt),
        locked_for_user: false,
      };
    }
    case "Quiz": {
      const q = data.quizzes.get(id);
      if (q === undefined) return {};
      return { points_possible: q.pointsPossible, due_at: isoOrNull(q.dueAt), locked_for_user: false };
    }
    default:
      return { locked_for_user: false };
  }
}

export function moduleItemJson(
  apiOrigin: string,
  data: CourseData,
  item: ModuleItemRec,
  details: boolean,
): Json {
  const cid = item.courseId;
  const json: Json = {
    id: item.id,
    title: item.title,
    position: item.position,
    indent: item.indent,
    quiz_lti: false,
    type: item.type,
    module_id: item.moduleId,
    html_url: `${apiOrigin}/courses/${cid}/modules/items/${item.id}`,
  };
  const api = `${apiOrigin}/api/v1/courses/${cid}`;
  switch (item.type) {
    case "Page": {
      const page = item.contentId === null ? undefined : data.pages.get(item.contentId);
      const slug = page?.url ?? "";
      json["page_url"] = slug;
      json["url"] = `${api}/pages/${slug}`;
      break;
    }
    case "File":
      json["content_id"] = item.contentId;
      json["url"] = `${api}/files/${item.contentId ?? 0}`;
      break;
    case "Discussion":
      json["content_id"] = item.contentId;
      json["url"] = `${api}/discussion_topics/${item.contentId ?? 0}`;
      break;
    case "Assignment":
      json["content_id"] = item.contentId;
      json["url"] = `${api}/assignments/${item.contentId ?? 0}`;
      break;
    case "Quiz":
      json["content_id"] = item.contentId;
      json["url"] = `${api}/quizzes/${item.contentId ?? 0}`;
      break;
    case "ExternalUrl":
    case "ExternalTool":
      json["external_url"] = item.externalUrl;
      json["new_tab"] = item.newTab;
      if (item.type === "ExternalTool") json["content_id"] = item.contentId;
      break;
    case "SubHeader":
      break;
  }
  json["published"] = item.published;
  json["unpublishable"] = true;
  if (item.completionRequirement !== null) json["completion_requirement"] = item.completionRequirement;
  if (details) json["content_details"] = contentDetails(data, item);
  return json;
}

/** Module JSON; `items` is only passed when the caller decided to inline them (<= 100 items). */
export function moduleJson(
  apiOrigin: string,
  mod: ModuleRec,
  itemsCount: number,
  items: Json[] | null,
): Json {
  const json: Json = {
    id: mod.id,
    name: mod.name,
    position: mod.position,
    unlock_at: isoOrNull(mod.unlockAt),
    require_sequential_progress: mod.requireSequentialProgress,
    requirement_type: "all",
    publish_final_grade: false,
    prerequisite_module_ids: mod.prerequisiteModuleIds,
    published: mod.published,
    items_count: itemsCount,
    items_url: `${apiOrigin}/api/v1/courses/${mod.courseId}/modules/${mod.id}/items`,
  };
  if (items !== null) json["items"] = items;
  return json;
}
