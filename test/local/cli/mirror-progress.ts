/**
 * Watches a local run until its courses are mirrored, through the worker's own API: a course counts as mirrored
 * only when its sync succeeded, every file's text extraction has run, and the dedup pass has checked every text.
 * A course that failed, lost its token or does not exist in Canvas needs attention instead. Prints one progress
 * line whenever something moved; gives up waiting after a limit and then reports what is left.
 */
import { z } from "zod";

const CourseSchema = z.object({
  canvasCourseId: z.number(),
  name: z.string().nullable(),
  state: z.string(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
const CoursePageSchema = z.object({ items: z.array(CourseSchema) });
const DetailSchema = z.object({
  runningJob: z.object({ done: z.number(), total: z.number(), collection: z.string().nullable() }).nullable(),
  texts: z.object({ pending: z.number(), extracted: z.number(), noText: z.number(), failed: z.number() }),
  itemCounts: z.record(z.string(), z.number()),
});
const DedupSchema = z.object({
  texts: z.object({ total: z.number(), checked: z.number(), provisional: z.number(), unchecked: z.number() }),
});

export type Call = (method: string, route: string) => Promise<Response>;

export interface CourseProgress {
  id: number;
  name: string | null;
  state: string;
  synced: boolean;
  /** the course failed, lost its token, or does not exist in Canvas: waiting will not help */
  attention: string | null;
  running: string | null;
  items: number;
  textsPending: number;
  textsExtracted: number;
  textsFailed: number;
  dedupLeft: number;
  provisional: number;
}

const ATTENTION_STATES = new Set(["failing", "auth_failed", "not_found"]);

async function json<T>(call: Call, route: string, schema: z.ZodType<T>): Promise<T> {
  const response = await call("GET", route);
  if (!response.ok) throw new Error(`GET ${route} answered ${response.status}`);
  return schema.parse(await response.json());
}

export async function readProgress(call: Call): Promise<CourseProgress[]> {
  const { items } = await json(call, "/api/courses?limit=500", CoursePageSchema);
  return Promise.all(
    items.map(async (course) => {
      const [detail, dedup] = await Promise.all([
        json(call, `/api/courses/${course.canvasCourseId}`, DetailSchema),
        json(call, `/api/courses/${course.canvasCourseId}/dedup`, DedupSchema),
      ]);
      const job = detail.runningJob;
      return {
        id: course.canvasCourseId,
        name: course.name,
        state: course.state,
        synced: course.lastSuccessAt !== null && !ATTENTION_STATES.has(course.state),
        attention: ATTENTION_STATES.has(course.state)
          ? `${course.state}: ${course.lastError ?? "no detail"}`
          : null,
        running: job ? `${job.collection ?? ""} ${job.done}/${job.total}`.trim() : null,
        items: Object.values(detail.itemCounts).reduce((sum, count) => sum + count, 0),
        textsPending: detail.texts.pending,
        textsExtracted: detail.texts.extracted,
        textsFailed: detail.texts.failed,
        dedupLeft: dedup.texts.unchecked,
        provisional: dedup.texts.provisional,
      };
    }),
  );
}

const ConflictPageSchema = z.object({
  items: z.array(z.object({ id: z.number() })),
  nextCursor: z.string().nullable(),
});

/** How many near-duplicate conflicts are open, across all courses. */
export async function countOpenConflicts(call: Call): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const route: string = `/api/conflicts?status=open&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await json(call, route, ConflictPageSchema);
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

/** Mirrored: synced, no extraction waiting, every text dedup-checked (provisional checks wait for the next pass). */
export const isMirrored = (course: CourseProgress): boolean =>
  course.synced && course.textsPending === 0 && course.dedupLeft === 0;

/** A course is settled when it is mirrored or waiting cannot help it. */
const isSettled = (course: CourseProgress): boolean => isMirrored(course) || course.attention !== null;

function describe(course: CourseProgress): string {
  if (course.attention !== null) return `${course.id}: ${course.state}`;
  if (!course.synced) return `${course.id}: ${course.running ? `syncing ${course.running}` : course.state}`;
  const left: string[] = [];
  if (course.textsPending > 0) left.push(`${course.textsPending} texts to extract`);
  if (course.dedupLeft > 0) left.push(`${course.dedupLeft} texts to dedup`);
  return `${course.id}: ${left.length === 0 ? "mirrored" : left.join(", ")}`;
}

/** Polls until every course is settled or `timeoutMs` passes; prints a line when the picture changes. */
export async function waitUntilMirrored(call: Call, timeoutMs: number): Promise<CourseProgress[]> {
  const started = Date.now();
  let last = "";
  for (;;) {
    const progress = await readProgress(call);
    const line = progress.map(describe).join("  |  ");
    if (line !== last) {
      const mirrored = progress.filter(isMirrored).length;
      console.log(
        `[${Math.round((Date.now() - started) / 1000)}s] ${mirrored}/${progress.length} mirrored  ${line}`,
      );
      last = line;
    }
    if (progress.every(isSettled) || Date.now() - started > timeoutMs) return progress;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
}

/** The banner's account of the mirror: "mirrored" only for what is, and what is left or needs attention. */
export function summarise(
  progress: CourseProgress[],
  openConflicts: number,
): { headline: string; details: string[] } {
  const mirrored = progress.filter(isMirrored);
  const attention = progress.filter((course) => course.attention !== null);
  const waiting = progress.filter((course) => !isMirrored(course) && course.attention === null);
  const items = mirrored.reduce((sum, course) => sum + course.items, 0);
  const headline =
    waiting.length === 0 && attention.length === 0
      ? `mirrored: ${mirrored.length} course(s), ${items} items, texts extracted and dedup-checked (${openConflicts} open near-duplicate conflict(s))`
      : `${mirrored.length} of ${progress.length} course(s) mirrored (${items} items)`;
  const details = [
    ...waiting.map((course) => `still working: ${describe(course)}`),
    ...attention.map((course) => `needs attention: course ${course.id}: ${course.attention ?? ""}`),
    ...progress
      .filter((course) => course.textsFailed > 0)
      .map(
        (course) =>
          `course ${course.id}: ${course.textsFailed} file(s) without extracted text (see the dashboard)`,
      ),
    ...progress
      .filter((course) => course.provisional > 0)
      .map(
        (course) =>
          `course ${course.id}: ${course.provisional} dedup check(s) provisional, re-checked on the next sync`,
      ),
  ];
  return { headline, details };
}
