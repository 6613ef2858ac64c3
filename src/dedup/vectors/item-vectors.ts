/**
 * @module dedup/vectors/item-vectors
 * How a mirrored item's text is laid out in the vector index: one vector per item, id = the item id (deterministic,
 * so an upsert replaces the previous version and a delete needs nothing but the id), in its course's namespace,
 * with the metadata the near-duplicate query filters on (`ntrgm`, `th`, `course`) plus the item's type and id for
 * whoever inspects the index. Pure.
 *
 * Item ids (`<courseId>:<type>:<canvasId>`) stay far below Vectorize's 64-byte id limit, so `vectorIdFor` returns
 * them unchanged and a query's matches map straight back to items. An id that would need hashing could not be mapped
 * back, so such an item is never indexed (`indexableId` says no) rather than indexed unreachably.
 */
import { DEFAULT_DIMENSIONS } from "../embedding";
import type { VectorRecord } from "../../ports/vector-index";
import { lexicalVectorRecord, vectorIdFor } from "./vector-record";

/** Namespace of a course's vectors. Always used for writes; queries use it only when dedup is course-scoped. */
export function courseNamespace(courseId: number): string {
  return `course-${courseId}`;
}

/** Metadata keys written besides those of `lexicalVectorRecord` (not metadata-indexed: informational). */
export const META_TYPE = "type";
export const META_ITEM = "item";

/** True when the item's vector id is its item id (see the module comment). */
export async function indexableId(itemId: string): Promise<boolean> {
  return (await vectorIdFor(itemId)) === itemId;
}

export interface ItemVectorInput {
  itemId: string;
  courseId: number;
  type: string;
  text: string;
  textHash: string;
  dimensions?: number;
}

/** The record to upsert for an item's current text, and its trigram set (reused by the query). */
export function itemVector(input: ItemVectorInput): { record: VectorRecord; trigrams: Set<string> } {
  const { record, trigrams } = lexicalVectorRecord({
    id: input.itemId,
    text: input.text,
    textHash: input.textHash,
    namespace: courseNamespace(input.courseId),
    course: String(input.courseId),
    dimensions: input.dimensions ?? DEFAULT_DIMENSIONS,
  });
  record.metadata = { ...record.metadata, [META_TYPE]: input.type, [META_ITEM]: input.itemId };
  return { record, trigrams };
}
