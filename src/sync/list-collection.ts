/**
 * Listing one collection, as one unit of the delivery's budget: from the collection's watermark, with a refusal of
 * the listing itself (not of the course) recorded as an incomplete listing rather than ending the delivery, and
 * the malformed objects it returned recorded as skipped.
 */
import { inspectError } from "../resilience/classify";
import { CanvasHttpError } from "../resilience/errors";
import { readWatermark } from "../storage/d1/collection-cursors";
import type { CollectionListing, Collector } from "./collector";
import type { SyncContext } from "./context";
import { REQUEST_COST, type Cost } from "./delivery-budget";
import { isTransportFailure } from "./item-failure";
import { recordError } from "./report";
import type { StoredItem } from "./stored-items";

/**
 * Lists the collection as one unit of the budget. A listing Canvas refuses with a permanent answer (404, 401
 * without a dead token, 403, a malformed page) is recorded as incomplete and deletes nothing; the course itself
 * is different: without it nothing else can be trusted, so its failure ends the delivery.
 */
export async function listCollection(
  ctx: SyncContext,
  collector: Collector,
  stored: ReadonlyMap<string, StoredItem>,
): Promise<{ listing: CollectionListing; watermark: string | null } | "paused"> {
  const cost = listingCost(stored.size);
  if (!ctx.budget.admitListing(cost)) return "paused";
  try {
    const watermark = await readWatermark(ctx.db, ctx.courseId, collector.name);
    const requestsBefore = ctx.client.stats.requests;
    let listing: CollectionListing;
    try {
      listing = await collector.list(ctx, watermark, stored);
    } catch (error) {
      if (collector.name === "course" || !isRefusal(error)) throw error;
      listing = {
        entries: [],
        complete: false,
        problem: inspectError(error).reason,
        invalid: [],
        newestTimestamp: null,
      };
    }
    ctx.checkpoint.report.listRequests += ctx.client.stats.requests - requestsBefore;
    const report = ctx.checkpoint.report;
    report.incomplete = report.incomplete.filter((entry) => entry.collection !== collector.name);
    if (listing.problem !== null)
      report.incomplete.push({ collection: collector.name, reason: listing.problem });
    return { listing, watermark };
  } finally {
    ctx.budget.settle(cost);
  }
}

/** A listing of n stored objects needs about n/100 pages (module item pages on top are rare). */
function listingCost(storedObjects: number): Cost {
  const pages = Math.ceil(storedObjects / 100) + 2;
  return {
    canvasRequests: REQUEST_COST.canvasRequests * pages,
    subrequests: REQUEST_COST.subrequests * pages,
    d1Statements: 2,
    seconds: 0,
  };
}

/** A permanent answer about the listing itself; a body garbled in transit is not one (the delivery is retried). */
function isRefusal(error: unknown): boolean {
  if (error instanceof CanvasHttpError) return error.kind === "not_found" || error.kind === "permission";
  return !isTransportFailure(error) && inspectError(error).category === "content";
}

/** Malformed objects of a listing: each counted as a content error, and one with an id kept as a skipped issue. */
export function recordInvalid(ctx: SyncContext, collector: Collector, listing: CollectionListing): void {
  const type = collector.types[0] ?? "course";
  for (const invalid of listing.invalid) {
    recordError(
      ctx.checkpoint.report,
      "content",
      `malformed object in ${collector.name}: ${invalid.message}`,
    );
    if (invalid.itemId === null) continue;
    ctx.issues.record(invalid.itemId, {
      type,
      canvasId: invalid.itemId.split(":").at(-1) ?? "",
      status: "skipped",
      category: "content",
      reason: `Canvas listed it in a shape we cannot read: ${invalid.message}`,
      canvasUpdatedAt: null,
      parentId: null,
    });
  }
}
