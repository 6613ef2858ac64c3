/**
 * The fault matrix: every request kind a sync makes, under every fault Canvas or its storage can throw, once and
 * many times. For each cell a course is first mirrored cleanly, changed in Canvas (pages edited so their bodies are
 * fetched, files added, an assignment edited), synced with the fault active, then synced once more without it.
 * What must hold: the faulty job never reports `succeeded` unless the mirror equals the simulator's truth right
 * then; and after the clean sync the mirror equals the truth (ids, content, file bytes, watermark).
 */
import { expect } from "vitest";
import type { FaultAction, FaultRule } from "../local/simulator";
import type { CanvasSimulator } from "../local/simulator";
import { startSimulator } from "./harness";
import { checkMirror, type MirrorDiff } from "./mirror-check";
import { playJobs } from "./queue-player";
import { fastBudget, jobRow, newJobs, registerCourses, testQueues } from "./sync-harness";

export type RequestKind =
  | "list page"
  | "object GET"
  | "page body"
  | "module items"
  | "file redirect"
  | "storage bytes";

const MATCHERS: Record<RequestKind, NonNullable<FaultRule["match"]>> = {
  "list page": { origin: "api", method: "GET", pathRegex: "^/api/v1/courses/\\d+/assignments$" },
  "object GET": { origin: "api", method: "GET", pathRegex: "^/api/v1/courses/\\d+$" },
  "page body": { origin: "api", method: "GET", pathRegex: "^/api/v1/courses/\\d+/pages/page_id:\\d+$" },
  "module items": { origin: "api", method: "GET", pathRegex: "^/api/v1/courses/\\d+/modules/\\d+/items$" },
  "file redirect": { origin: "api", method: "GET", pathRegex: "/files/\\d+/download$" },
  "storage bytes": { origin: "storage" },
};

const NOT_FOUND = JSON.stringify({ errors: [{ message: "The specified resource does not exist." }] });

export const FAULTS: Record<string, FaultAction> = {
  "500": { type: "status", status: 500 },
  "502": { type: "status", status: 502 },
  "503": { type: "status", status: 503 },
  timeout: { type: "timeout" },
  reset: { type: "resetConnection" },
  "truncated JSON": { type: "truncateBody", keepFraction: 0.5 },
  "invalid JSON": { type: "malformedBody" },
  "transient 404": { type: "status", status: 404, body: NOT_FOUND },
  "429 with Retry-After": {
    type: "status",
    status: 429,
    body: "429 Too Many Requests (Rate Limit Exceeded)\n",
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "retry-after": "1",
      "x-rate-limit-remaining": "0.0",
    },
  },
  "403 rate limit": {
    type: "status",
    status: 403,
    body: "403 Forbidden (Rate Limit Exceeded)\n",
    headers: { "content-type": "text/plain; charset=utf-8", "x-rate-limit-remaining": "0.0" },
  },
};

/** "many" outlasts the client's four attempts and the next delivery's too. */
const TIMES = { once: 1, many: 9 } as const;
const LOOKBACK_MS = 10 * 60_000;

/**
 * The simulator for one request kind, on a clock that moves ten seconds before every sync: edits and the reads
 * after them never fall in the same second, so no page is re-read as an ambiguous revision (which would make
 * listing again with bodies cheaper than GETting the edited pages, and the page-body faults would never fire).
 */
export async function matrixSimulator(firstCourse: number): Promise<CanvasSimulator> {
  const ids = Object.keys(FAULTS).map((_, index) => firstCourse + index);
  let clock = Date.now();
  const simulator = startSimulator({
    seed: firstCourse,
    now: () => clock,
    institution: { courses: ids.map((id) => ({ id, items: 24 })) },
  });
  ticks.set(simulator, () => {
    clock += 10_000;
  });
  await fastBudget(simulator);
  return simulator;
}

const ticks = new WeakMap<CanvasSimulator, () => void>();

/** A module with more items than Canvas inlines (100), so its items come from the items endpoint. */
function addBigModule(simulator: CanvasSimulator, courseId: number): void {
  const module = simulator.control.createModule(courseId, { name: "Readings" });
  for (let i = 0; i < 105; i++) {
    simulator.control.createModuleItem(courseId, module.id, {
      type: "ExternalUrl",
      title: `Reading ${i}`,
      external_url: `https://example.edu/readings/${i}`,
    });
  }
}

/** Teacher edits that make the next incremental sync use every request kind. */
async function change(simulator: CanvasSimulator, courseId: number, round: number): Promise<void> {
  const control = simulator.control;
  const truth = await control.truth(courseId, { hashes: false });
  // Two edited pages are fetched one by one (more would be listed again with bodies).
  for (const page of truth.pages
    .filter((candidate) => !candidate.front_page)
    .slice(round * 2, round * 2 + 2)) {
    control.editPage(courseId, page.page_id, { body: `<p>Round ${round} edit.</p>${page.body}` });
  }
  control.createFile(courseId, { name: `matrix-${courseId}-${round}-a.txt`, text: `Handout ${round} A\n` });
  control.createFile(courseId, {
    name: `matrix-${courseId}-${round}-b.md`,
    text: `# Notes ${round}\n\n- b\n`,
  });
  const assignment = truth.assignments.find((candidate) => candidate.quiz_id === null);
  if (assignment)
    control.editAssignment(courseId, assignment.id, { description: `<p>Round ${round} instructions.</p>` });
}

async function syncToEnd(simulator: CanvasSimulator, courseId: number): Promise<string> {
  ticks.get(simulator)?.();
  const queues = testQueues();
  const [message] = await newJobs(queues, [courseId]);
  if (!message) throw new Error("no job");
  await playJobs(queues, [message]);
  return (await jobRow(message.jobId))?.status ?? "missing";
}

async function diffOf(simulator: CanvasSimulator, courseId: number): Promise<MirrorDiff> {
  return checkMirror(courseId, await simulator.control.truth(courseId), {
    expectFileDeletions: false,
    lookbackMs: LOOKBACK_MS,
  });
}

const clean = (diff: MirrorDiff) => ({
  lost: diff.lost,
  stale: diff.stale,
  wronglyDeleted: diff.wronglyDeleted,
  duplicated: diff.duplicated,
  badBlobs: diff.badBlobs,
  watermarkPastFailure: diff.watermarkPastFailure,
});
const ZERO = { lost: 0, stale: 0, wronglyDeleted: 0, duplicated: 0, badBlobs: 0, watermarkPastFailure: 0 };

/** One cell of the matrix, once and many times, on its own course; answers "converged" when both held. */
export async function runCell(
  simulator: CanvasSimulator,
  courseId: number,
  kind: RequestKind,
  fault: string,
): Promise<"converged"> {
  const action = FAULTS[fault];
  if (!action) throw new Error(`unknown fault ${fault}`);
  await registerCourses([courseId]);
  if (kind === "module items") addBigModule(simulator, courseId);
  expect(await syncToEnd(simulator, courseId)).toBe("succeeded");
  for (const [round, times] of Object.values(TIMES).entries()) {
    await change(simulator, courseId, round);
    simulator.control.clearFaults();
    const id = simulator.control.addFault({ match: MATCHERS[kind], count: times, action });
    const faulty = await syncToEnd(simulator, courseId);
    // A count-limited rule retires once it has fired its count: gone from the list means it fired.
    const rule = simulator.control.listFaults().find((candidate) => candidate.id === id);
    const fired = rule === undefined ? times : rule.fired;
    // A job may only claim success when the mirror is exact at that moment.
    const atFaulty = clean(await diffOf(simulator, courseId));
    simulator.control.clearFaults();
    const after = await syncToEnd(simulator, courseId);
    const diff = await diffOf(simulator, courseId);
    expect({
      cell: `${kind} x ${fault} x ${times}`,
      fired: fired > 0,
      faulty: ["succeeded", "partial", "failed"].includes(faulty),
      succeededExactly: faulty !== "succeeded" || JSON.stringify(atFaulty) === JSON.stringify(ZERO),
      after,
      diff: clean(diff),
      samples: diff.samples,
    }).toEqual({
      cell: `${kind} x ${fault} x ${times}`,
      fired: true,
      faulty: true,
      succeededExactly: true,
      after: "succeeded",
      diff: ZERO,
      samples: [],
    });
  }
  return "converged";
}
