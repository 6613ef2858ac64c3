/**
 * Pure: whether a failed sync attempt means the course itself does not exist in Canvas (a mistyped id, or a course
 * that was deleted): Canvas answered 404 to GET /api/v1/courses/:id, the first request of every full or incremental
 * sync. A 404 for anything else (one page, one file) is that object's problem and is handled per item.
 */
import { CanvasHttpError } from "../resilience/errors";

/** How long a course Canvas says does not exist waits before it is looked up again (one request). */
export const NOT_FOUND_RECHECK_MS = 24 * 3_600_000;

const MAX_CAUSE_DEPTH = 8;

/** The 404 on the course endpoint inside `error` (walking `cause`), or null. */
export function courseNotFoundError(error: unknown, courseId: number): CanvasHttpError | null {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (current instanceof CanvasHttpError && current.status === 404 && isCoursePath(current.url, courseId)) {
      return current;
    }
    current = current.cause;
  }
  return null;
}

function isCoursePath(url: string, courseId: number): boolean {
  try {
    return new URL(url).pathname.replace(/\/+$/, "") === `/api/v1/courses/${courseId}`;
  } catch {
    return false;
  }
}

/** The reason stored on the course and the job: what Canvas said, in words an operator can act on. */
export function notFoundReason(courseId: number): string {
  return (
    `Canvas has no course ${courseId} (404 on GET /api/v1/courses/${courseId}): the id is wrong or the course ` +
    "was deleted. It is looked up again once a day; remove it, or sync it now after fixing it in Canvas."
  );
}
