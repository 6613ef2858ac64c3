/**
 * Reads what the mirror already holds for a course's collection, in the shape change detection needs. One query per
 * collection: a no-change sync reads but never writes item rows.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { StoredState } from "../detect/classify";
import type { ItemType } from "../detect/item-types";
import type { Projection } from "../detect/projections";
import type { Database } from "../storage/d1/client";
import { items } from "../storage/d1/schema";

export interface StoredItem extends StoredState {
  id: string;
  type: ItemType;
  canvasId: string;
  parentId: string | null;
  blobSha256: string | null;
  textHash: string | null;
  text: string | null;
  textKey: string | null;
  textStatus: string | null;
}

export async function loadStoredItems(
  orm: Database,
  courseId: number,
  types: readonly ItemType[],
): Promise<Map<string, StoredItem>> {
  const rows = await orm
    .select()
    .from(items)
    .where(and(eq(items.courseId, courseId), inArray(items.type, [...types])));
  const map = new Map<string, StoredItem>();
  for (const row of rows) {
    // The query filters on `types`, so this always finds the row's type; it narrows D1's text column to ItemType.
    const type = types.find((candidate) => candidate === row.type);
    if (type === undefined) continue;
    map.set(row.id, {
      id: row.id,
      type,
      canvasId: row.canvasId,
      parentId: row.parentId,
      contentHash: row.contentHash,
      canvasUpdatedAt: row.canvasUpdatedAt,
      canvasModifiedAt: row.canvasModifiedAt,
      size: row.size,
      data: parseData(row.data),
      deleted: row.deletedAt !== null,
      blobSha256: row.blobSha256,
      textHash: row.textHash,
      text: row.text,
      textKey: row.textKey,
      textStatus: row.textStatus,
    });
  }
  return map;
}

function parseData(text: string): Projection {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

function isRecord(value: unknown): value is Projection {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
