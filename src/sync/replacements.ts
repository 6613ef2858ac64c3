/**
 * Replaced files. Canvas gives a re-uploaded file (same folder, same display name) a new id and soft-deletes the old
 * one, so a mirror keyed by id would see an unrelated add and delete. We link them instead: a new file whose folder
 * and name match a live stored file that is gone is recorded as that file's replacement. When the listing stopped
 * early we cannot see absence, so one GET of the old id confirms it (404 means replaced).
 */
import { FileSchema } from "../canvas/schemas";
import { CanvasHttpError } from "../resilience/errors";
import { fileReplacementKey, type Entry } from "./collectors";
import { entryKey } from "./collectors";
import type { SyncContext } from "./context";
import type { StoredItem } from "./stored-items";

export async function detectReplacements(
  ctx: SyncContext,
  entries: readonly Entry[],
  liveBefore: readonly StoredItem[],
  seen: ReadonlySet<string>,
  listingComplete: boolean,
): Promise<{ oldId: string; newId: string }[]> {
  const liveIds = new Set(liveBefore.map((item) => item.id));
  const byKey = new Map<string, StoredItem[]>();
  for (const item of liveBefore) {
    if (item.type !== "file") continue;
    const key = fileReplacementKey(item.data["folder_id"], item.data["display_name"]);
    byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  const links: { oldId: string; newId: string }[] = [];
  for (const entry of entries) {
    const newId = entryKey(ctx, entry);
    if (entry.type !== "file" || !entry.replacementKey || liveIds.has(newId)) continue;
    for (const candidate of byKey.get(entry.replacementKey) ?? []) {
      if (candidate.id === newId || seen.has(candidate.id)) continue;
      if (listingComplete || (await isGoneFromCanvas(ctx, candidate.canvasId))) {
        links.push({ oldId: candidate.id, newId });
        break;
      }
    }
  }
  return links;
}

async function isGoneFromCanvas(ctx: SyncContext, fileId: string): Promise<boolean> {
  try {
    await ctx.client.get(`/api/v1/courses/${ctx.courseId}/files/${fileId}`, FileSchema);
    return false;
  } catch (error) {
    if (error instanceof CanvasHttpError && error.kind === "not_found") return true;
    throw error;
  }
}
