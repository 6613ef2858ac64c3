/**
 * What the mirror already holds for a collection, in the shape change detection needs, read so that memory does not
 * grow with the content: the index carries every column change detection compares but not the rich text (page
 * bodies, descriptions, extracted text), which SQLite strips from the projection before it leaves D1. The full
 * projection of the few objects whose content changed is read afterwards, one query per batch.
 */
import type { StoredState } from "../detect/classify";
import type { ItemType } from "../detect/item-types";
import type { Projection } from "../detect/projections";
import { loadFullData, loadItemIndex, type ItemIndexRow } from "../storage/d1/item-index";
import type { FileStore } from "../ports/file-store";
import { parseJsonOrNull } from "../shared/parse-json";
import type { Database } from "../storage/d1/client";

export interface StoredItem extends StoredState {
  id: string;
  type: ItemType;
  canvasId: string;
  parentId: string | null;
  blobSha256: string | null;
  textHash: string | null;
  textKey: string | null;
  textStatus: string | null;
  lastJobId: string | null;
  lastChangeKind: string | null;
  observedAt: number | null;
  dataKey: string | null;
  /** false while `data` lacks the rich-text field (see loadFullProjections) */
  full: boolean;
}

/** Every stored object of a collection's types, by item id, without rich text. */
export async function loadStoredIndex(
  db: Database,
  courseId: number,
  types: readonly ItemType[],
): Promise<Map<string, StoredItem>> {
  const map = new Map<string, StoredItem>();
  for (const row of await loadItemIndex(db, courseId, types)) {
    const type = types.find((candidate) => candidate === row.type);
    if (type === undefined) continue;
    map.set(row.id, storedItemOf(row, type));
  }
  return map;
}

/**
 * Completes the projections of `ids` with their rich text (from D1, or from R2 for projections too large for a
 * row). Updates the StoredItems in place.
 */
export async function loadFullProjections(
  db: Database,
  files: FileStore,
  stored: ReadonlyMap<string, StoredItem>,
  ids: readonly string[],
): Promise<void> {
  const wanted = ids.filter((id) => stored.get(id)?.full === false);
  if (wanted.length === 0) return;
  for (const row of await loadFullData(db, wanted)) {
    const item = stored.get(row.id);
    if (!item) continue;
    const json = row.dataKey === null ? row.data : await files.loadData(row.dataKey);
    // A projection whose R2 copy vanished keeps its light form: the deep diff then has fewer fields, never wrong ones.
    if (json !== null) item.data = parseData(json);
    item.full = true;
  }
}

function storedItemOf(row: ItemIndexRow, type: ItemType): StoredItem {
  return {
    id: row.id,
    type,
    canvasId: row.canvasId,
    parentId: row.parentId,
    contentHash: row.contentHash,
    canvasUpdatedAt: row.canvasUpdatedAt,
    canvasModifiedAt: row.canvasModifiedAt,
    size: row.size,
    data: parseData(row.lightData),
    deleted: row.deletedAt !== null,
    blobSha256: row.blobSha256,
    textHash: row.textHash,
    textKey: row.textKey,
    textStatus: row.textStatus,
    lastJobId: row.lastJobId,
    lastChangeKind: row.lastChangeKind,
    observedAt: row.observedAt,
    dataKey: row.dataKey,
    full: !row.stripped,
  };
}

function parseData(text: string): Projection {
  const value = parseJsonOrNull(text);
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Projection {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
