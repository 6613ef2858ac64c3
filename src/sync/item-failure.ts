/**
 * What a failure to build one object means for that object. Only permanent, object-specific answers may skip it
 * (Canvas says the token may not read it; a well-formed response that breaks the object's schema). Everything else
 * (a timeout, a 5xx, a reset, a body cut off or garbled in transit, a 404 on an object the listing just showed, a
 * refused redirect, throttling that outlasted the retries) leaves it behind: the job cannot claim it, and the next
 * sync retries it first. A dead token or a platform limit is not the object's problem: it ends the delivery.
 */
import { CanvasResponseError } from "../canvas/client";
import { inspectError, isPlatformLimit } from "../resilience/classify";
import { SyncError } from "../resilience/errors";
import { RedirectRefusedError } from "../storage/r2/download";
import { SizeMismatchError } from "../storage/r2/stream-to-r2";

export type ItemFailure =
  | { status: "skipped" | "left_behind"; category: string; reason: string }
  | { status: "fatal" };

/** A body cut off or garbled in transit: worth another try, unlike a well-formed object that breaks its schema. */
export function isTransportFailure(error: unknown): boolean {
  if (error instanceof CanvasResponseError) return error.cause instanceof SyntaxError;
  return error instanceof SizeMismatchError;
}

export function itemFailure(error: unknown): ItemFailure {
  if (isPlatformLimit(error)) return { status: "fatal" };
  const facts = inspectError(error);
  if (facts.category === "auth") return { status: "fatal" };
  if (isTransportFailure(error)) return { status: "left_behind", category: "transfer", reason: facts.reason };
  if (error instanceof RedirectRefusedError) {
    return { status: "left_behind", category: "redirect_refused", reason: facts.reason };
  }
  if (error instanceof SyncError && error.kind === "not_found") {
    return { status: "left_behind", category: "not_found", reason: facts.reason };
  }
  if (facts.category === "permission" || facts.category === "content") {
    return { status: "skipped", category: facts.category, reason: facts.reason };
  }
  return { status: "left_behind", category: facts.category, reason: facts.reason };
}
