/**
 * The shape of a collector (one per Canvas collection, src/sync/collectors.ts and new-quizzes.ts) and of the
 * listing it returns; kept apart so that the collectors and the pipeline that runs them import it, not each other.
 */
import type { ItemType } from "../detect/item-types";
import type { CollectionName, SyncContext } from "./context";
import type { Entry } from "./entries";
import type { StoredItem } from "./stored-items";

export interface CollectionListing {
  entries: Entry[];
  /** true when every page was read: only then may missing objects be probed for deletion */
  complete: boolean;
  /** why the listing could not be completed (a looping or foreign next link), or null */
  problem: string | null;
  /** objects that failed the schema: skipped and listed (with their id when the raw object had one) */
  invalid: { itemId: string | null; message: string }[];
  /** files: the newest updated_at seen, the next watermark once the collection is processed */
  newestTimestamp: string | null;
}

export interface Collector {
  name: CollectionName;
  types: readonly ItemType[];
  /** whether an incremental run's listing is complete, so deletions are proven on every run */
  listsCompletely: boolean;
  list: (
    ctx: SyncContext,
    watermark: string | null,
    stored: ReadonlyMap<string, StoredItem>,
  ) => Promise<CollectionListing>;
}
