/**
 * Change detection in tiers (the seed design's ChangeDetectionStrategy), as pure functions.
 *
 * 1. Timestamp tier: types with a trustworthy Canvas timestamp decide from it whether an expensive per-object
 *    request is needed at all (a page body, a file's bytes). Pages' `updated_at` is their revision time (title or
 *    body only), so their list fields are compared separately; files compare `modified_at` and `size` for the bytes.
 * 2. Hash tier: SHA-256 of the canonical projection decides whether what we store changed.
 * 3. Deep tier: when the hash differs and the old projection is known, the changed fields are listed.
 */
import { canonicalJson } from "./canonical";
import { diffProjections, type FieldChange } from "./deep-diff";
import type { Projection } from "./projections";

/** What the mirror holds for an object, as far as change detection needs it. */
export interface StoredState {
  contentHash: string;
  canvasUpdatedAt: string | null;
  canvasModifiedAt: string | null;
  size: number | null;
  data: Projection;
  deleted: boolean;
}

export type ChangeKind =
  | "added"
  | "unchanged"
  | "timestamp_updated"
  | "content_updated"
  | "content_modified"
  | "restored";

export interface Classification {
  kind: ChangeKind;
  fields: FieldChange[];
}

/** Timestamps an observation carries (null where the type has none). */
export interface ObservedTimestamps {
  updatedAt: string | null;
  modifiedAt: string | null;
  size: number | null;
}

/** Tier 1 for pages: the body must be fetched when the page is new, was deleted, or its revision time moved. */
export function pageNeedsBody(stored: StoredState | undefined, listedUpdatedAt: string | null): boolean {
  if (!stored || stored.deleted) return true;
  if (listedUpdatedAt === null) return true;
  return stored.canvasUpdatedAt !== listedUpdatedAt;
}

/**
 * Whether a stored revision could hide a later edit. Canvas timestamps have whole seconds, so a body read in the
 * same second as its revision time (`observedAt`, the Date of the response that carried it) may predate a second
 * edit in that same second, which leaves `updated_at` unchanged: such a revision is read once more. The next second
 * counts too, so a clock difference of up to a second between Canvas's web and database servers cannot hide one.
 * Unknown observation times (rows stored before they were recorded) are not ambiguous; a full sync re-reads every
 * body anyway.
 */
export function revisionAmbiguous(updatedAt: string | null, observedAt: number | null): boolean {
  if (updatedAt === null || observedAt === null) return false;
  const revised = Date.parse(updatedAt);
  return Number.isFinite(revised) && Math.floor(observedAt / 1000) <= Math.floor(revised / 1000) + 1;
}

/** Tier 1 for files: the bytes must be downloaded when the file is new or its content timestamp or size moved. */
export function fileNeedsBytes(
  stored: StoredState | undefined,
  listed: { modifiedAt: string | null; size: number | null },
): boolean {
  if (!stored || stored.deleted) return true;
  if (stored.data["sha256"] === null || stored.data["sha256"] === undefined) return true;
  return stored.canvasModifiedAt !== listed.modifiedAt || stored.size !== listed.size;
}

/** Tiers 2 and 3: classify an observation against what is stored. */
export function classifyObservation(
  stored: StoredState | undefined,
  observed: { hash: string; projection: Projection; timestamps: ObservedTimestamps },
): Classification {
  if (!stored) return { kind: "added", fields: [] };
  if (stored.deleted) return { kind: "restored", fields: diffProjections(stored.data, observed.projection) };
  if (stored.contentHash === observed.hash) {
    const moved =
      stored.canvasUpdatedAt !== observed.timestamps.updatedAt ||
      stored.canvasModifiedAt !== observed.timestamps.modifiedAt;
    return { kind: moved ? "timestamp_updated" : "unchanged", fields: [] };
  }
  const fields = diffProjections(stored.data, observed.projection);
  // A differing hash with no differing field means the stored projection predates a projection change (or the
  // stored copy is unreadable): it is still a content update, just without a field list.
  return { kind: fields.length > 0 ? "content_modified" : "content_updated", fields };
}

/** True when two projections are equal in canonical form. */
export function sameProjection(a: Projection, b: Projection): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
