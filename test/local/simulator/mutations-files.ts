/**
 * Mutations of folders and files. Renames and moves move updated_at but never modified_at; overwriting a file
 * (an upload with the same name into the same folder, on_duplicate=overwrite, Canvas's default, or
 * replaceFile) creates a NEW file id, soft-deletes the old row with a replacement link and re-points module
 * items, exactly as Canvas's Attachment#handle_duplicates does; events: attachment_created + attachment_deleted.
 */
import { corruptZip, makeDocx, makePdf, makePptx, makeXlsx } from "./documents";
import { bodies } from "./live-events";
import { SimError } from "./store";
import { apply, liveRecord } from "./context";
import { unreachable } from "../../../src/shared/unreachable";
import type { SimContext } from "./context";
import type { FileContent, FileFlags, FileRec, FolderRec } from "./model";

export type DocumentSpec =
  | { kind: "pdf"; pages: string[] }
  | { kind: "docx"; paragraphs: string[] }
  | { kind: "pptx"; slides: string[][] }
  | { kind: "xlsx"; rows: string[][] };

/** What a new file (or a replacement) contains: exactly one of bytes, text, document, size (synthetic), content. */
export interface FileBody {
  content_type?: string | undefined;
  bytes?: Uint8Array | undefined;
  text?: string | undefined;
  document?: DocumentSpec | undefined;
  /** Synthetic bytes of this size, generated on the fly (text-like for text/* types). */
  size?: number | undefined;
  /** Prebuilt content (seeders share one document between courses). */
  content?: FileContent | undefined;
  flags?: FileFlags | undefined;
  /** Break the bytes so no reader can open them (zip cut in half; other types garbled mid-file). */
  corrupt?: boolean | undefined;
  /** The text behind `content` when the caller built it (documents shared between courses). */
  known_text?: string | undefined;
}

export interface FileSpec extends FileBody {
  name: string;
  folder_id?: number | undefined;
  on_duplicate?: "overwrite" | "rename" | undefined;
}

const TYPES: Record<string, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  png: "image/png",
  jpg: "image/jpeg",
  mp4: "video/mp4",
  zip: "application/zip",
  json: "application/json",
};

export function contentTypeFor(name: string): string {
  const ext = name.toLowerCase().split(".").pop() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}

function isZipType(contentType: string): boolean {
  return contentType.includes("openxmlformats") || contentType === "application/zip";
}

function buildDocument(spec: DocumentSpec): Uint8Array {
  switch (spec.kind) {
    case "pdf":
      return makePdf(spec.pages);
    case "docx":
      return makeDocx(spec.paragraphs);
    case "pptx":
      return makePptx(spec.slides);
    case "xlsx":
      return makeXlsx(spec.rows);
    default:
      return unreachable(spec);
  }
}

function corrupt(bytes: Uint8Array, contentType: string): Uint8Array {
  if (isZipType(contentType)) return corruptZip(bytes);
  const out = bytes.slice();
  // Garble the middle third: the header still looks right, the structure behind it does not.
  for (let i = Math.floor(out.length / 3); i < Math.floor((2 * out.length) / 3); i++)
    out[i] = (out[i] ?? 0) ^ 0x5a;
  return out;
}

function buildContent(body: FileBody, contentType: string, key: number): FileContent {
  if (body.content !== undefined) return body.content;
  let bytes: Uint8Array | null = null;
  if (body.bytes !== undefined) bytes = body.bytes;
  else if (body.text !== undefined) bytes = new TextEncoder().encode(body.text);
  else if (body.document !== undefined) bytes = buildDocument(body.document);
  if (bytes === null) {
    if (body.size === undefined) throw new SimError(400, "file needs bytes, text, document or size");
    return { kind: "synthetic", size: body.size, key, text: contentType.startsWith("text/") };
  }
  if (body.corrupt === true) bytes = corrupt(bytes, contentType);
  return { kind: "bytes", bytes };
}

/** The text a reader should extract from the file, when the simulator knows it. */
function knownText(body: FileBody): string | null {
  if (body.known_text !== undefined) return body.known_text;
  if (body.text !== undefined) return body.text;
  const doc = body.document;
  if (doc === undefined) return null;
  switch (doc.kind) {
    case "pdf":
      return doc.pages.join("\n");
    case "docx":
      return doc.paragraphs.join("\n");
    case "pptx":
      return doc.slides.map((s) => s.join("\n")).join("\n");
    case "xlsx":
      return doc.rows.map((r) => r.join("\t")).join("\n");
    default:
      return unreachable(doc);
  }
}

export function createFolder(
  ctx: SimContext,
  courseId: number,
  input: { name: string; parent_folder_id?: number | undefined },
): { id: number } {
  const { store } = ctx;
  const data = store.data(courseId);
  const parentId = input.parent_folder_id ?? data.course.rootFolderId;
  liveRecord(data.folders, parentId, "folder");
  let position = 0;
  for (const f of data.folders.values())
    if (f.parentFolderId === parentId) position = Math.max(position, f.position);
  const now = ctx.now();
  const folder: FolderRec = {
    id: store.nextId("folder"),
    courseId,
    name: input.name,
    parentFolderId: parentId,
    position: position + 1,
    createdAt: now,
    updatedAt: now,
    locked: false,
    hidden: false,
    deleted: false,
  };
  store.addFolder(folder);
  return { id: folder.id };
}

export function editFolder(
  ctx: SimContext,
  courseId: number,
  folderId: number,
  patch: { name?: string | undefined; hidden?: boolean | undefined; locked?: boolean | undefined },
): void {
  const folder = liveRecord(ctx.store.data(courseId).folders, folderId, "folder");
  if (patch.name !== undefined) folder.name = patch.name;
  if (patch.hidden !== undefined) folder.hidden = patch.hidden;
  if (patch.locked !== undefined) folder.locked = patch.locked;
  folder.updatedAt = ctx.now();
}

function liveNamed(ctx: SimContext, courseId: number, folderId: number, name: string): FileRec | null {
  for (const f of ctx.store.data(courseId).files.values()) {
    if (!f.deleted && f.folderId === folderId && f.displayName === name) return f;
  }
  return null;
}

/** "notes.pdf" -> "notes-1.pdf", "notes-2.pdf", ... until free in the folder (Canvas on_duplicate=rename). */
function freeName(ctx: SimContext, courseId: number, folderId: number, name: string): string {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : "";
  for (let n = 1; ; n++) {
    const candidate = `${stem}-${n}${ext}`;
    if (liveNamed(ctx, courseId, folderId, candidate) === null) return candidate;
  }
}

export function createFile(
  ctx: SimContext,
  courseId: number,
  spec: FileSpec,
): { id: number; uuid: string; replaced: number | null } {
  const { store } = ctx;
  const data = store.data(courseId);
  const folderId = spec.folder_id ?? data.course.rootFolderId;
  liveRecord(data.folders, folderId, "folder");
  let name = spec.name;
  const existing = liveNamed(ctx, courseId, folderId, name);
  if (existing !== null && spec.on_duplicate === "rename") name = freeName(ctx, courseId, folderId, name);
  const contentType = spec.content_type ?? contentTypeFor(name);
  const now = ctx.now();
  const id = store.nextId("file");
  const file: FileRec = {
    id,
    courseId,
    folderId,
    uuid: store.uuid("file", id),
    displayName: name,
    filename: encodeURIComponent(name).replace(/%20/g, "+"),
    contentType,
    content: buildContent(spec, contentType, id),
    flags: { ...spec.flags, ...(spec.corrupt === true ? { corrupt: true } : {}) },
    createdAt: now,
    updatedAt: now,
    modifiedAt: now,
    locked: false,
    hidden: false,
    deleted: false,
    replacedBy: null,
    knownText: spec.corrupt === true ? null : knownText(spec),
  };
  store.addFile(file);
  ctx.events.emit(courseId, bodies.file("attachment_created", file), "POST");
  if (existing !== null && spec.on_duplicate !== "rename") {
    supersede(ctx, existing, file);
    return { id, uuid: file.uuid, replaced: existing.id };
  }
  return { id, uuid: file.uuid, replaced: null };
}

/** The old row of an overwrite: soft-deleted, linked to its replacement, module items re-pointed. */
function supersede(ctx: SimContext, old: FileRec, replacement: FileRec): void {
  const data = ctx.store.data(old.courseId);
  const now = ctx.now();
  old.deleted = true;
  old.replacedBy = replacement.id;
  old.updatedAt = now;
  for (const item of data.items.values()) {
    if (item.deleted || item.type !== "File" || item.contentId !== old.id) continue;
    item.contentId = replacement.id;
    item.title = replacement.displayName;
    const mod = data.modules.get(item.moduleId);
    if (mod !== undefined) mod.updatedAt = now;
  }
  ctx.events.emit(old.courseId, bodies.file("attachment_deleted", old), "POST");
}

/** Overwrites a file's content: a new id in the same folder with the same display name. */
export function replaceFile(
  ctx: SimContext,
  courseId: number,
  fileId: number,
  body: FileBody,
): { id: number; uuid: string; replaced: number } {
  const old = liveRecord(ctx.store.data(courseId).files, fileId, "file");
  const created = createFile(ctx, courseId, {
    ...body,
    content_type: body.content_type ?? old.contentType,
    name: old.displayName,
    folder_id: old.folderId,
    on_duplicate: "overwrite",
  });
  return { id: created.id, uuid: created.uuid, replaced: fileId };
}

export interface FilePatch {
  display_name?: string | undefined;
  folder_id?: number | undefined;
  locked?: boolean | undefined;
  hidden?: boolean | undefined;
}

/** Rename/move/lock/hide: updated_at moves, modified_at (content) does not. */
export function editFile(ctx: SimContext, courseId: number, fileId: number, patch: FilePatch): void {
  const data = ctx.store.data(courseId);
  const file = liveRecord(data.files, fileId, "file");
  const oldName = file.displayName;
  let eventWorthy = false;
  let saved = false;
  if (patch.display_name !== undefined && patch.display_name !== file.displayName) {
    file.displayName = patch.display_name;
    for (const item of data.items.values()) {
      if (!item.deleted && item.type === "File" && item.contentId === file.id) item.title = file.displayName;
    }
    eventWorthy = saved = true;
  }
  if (patch.folder_id !== undefined && patch.folder_id !== file.folderId) {
    liveRecord(data.folders, patch.folder_id, "folder");
    file.folderId = patch.folder_id;
    eventWorthy = saved = true;
  }
  saved = apply(file, "locked", patch.locked) || saved;
  saved = apply(file, "hidden", patch.hidden) || saved;
  if (!saved) return;
  file.updatedAt = ctx.now();
  // attachment_updated fires for display_name/folder/lock-date changes only (hide/lock flags: none).
  if (eventWorthy) {
    const renamed = oldName !== file.displayName ? oldName : undefined;
    ctx.events.emit(courseId, bodies.file("attachment_updated", file, renamed));
  }
}

export function deleteFile(ctx: SimContext, courseId: number, fileId: number): void {
  const data = ctx.store.data(courseId);
  const file = liveRecord(data.files, fileId, "file");
  file.deleted = true;
  file.updatedAt = ctx.now();
  for (const item of data.items.values()) {
    if (!item.deleted && item.type === "File" && item.contentId === file.id) item.deleted = true;
  }
  ctx.events.emit(courseId, bodies.file("attachment_deleted", file), "DELETE");
}
