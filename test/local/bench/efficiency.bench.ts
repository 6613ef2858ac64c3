/**
 * `npm run bench` (efficiency part): for courses of 1,000 and 10,000 objects in a realistic mix, runs the scenarios
 * of issue #3 through our pipeline and through a naive mirror on the same simulator state, and prints one
 * `BENCH_JSON` line per scenario for test/local/cli/bench.ts to tabulate, compare and price.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createCanvasSimulator, type CanvasSimulator } from "../simulator";
import type { CourseTruth } from "../simulator/truth";
import { resetStorage } from "../../support/harness";
import { NaiveMirror } from "./naive-mirror";
import { BENCH_CANVAS, BENCH_TOKEN, measureSync, type SyncMeasurement } from "./sync-driver";

const LOOKBACK_MS = 10 * 60_000;
const lists = (count: number) => Math.max(1, Math.ceil(count / 100));
/** The New Quizzes service pages at 50 whatever per_page asks for (test/local/simulator/api-new-quizzes.ts). */
const quizLists = (count: number) => Math.max(1, Math.ceil(count / 50));

/**
 * L(N): the list requests a sync cannot avoid (files walked to the early stop when incremental). A reconciling
 * (full) sync also reads every New Quiz's items, since nothing else shows an item edit.
 */
function floorRequests(truth: CourseTruth, incrementalWatermark: number | null): number {
  let filesWalked = truth.files.length;
  if (incrementalWatermark !== null) {
    const cutoff = incrementalWatermark - LOOKBACK_MS;
    const inWindow = truth.files.filter((file) => Date.parse(file.updated_at) >= cutoff).length;
    filesWalked = inWindow + (inWindow < truth.files.length ? 1 : 0);
  }
  return (
    1 +
    lists(truth.folders.length) +
    lists(filesWalked) +
    lists(truth.pages.length) +
    lists(truth.assignments.length) +
    lists(truth.discussions.length) +
    lists(truth.announcements.length) +
    lists(truth.quizzes.length) +
    quizLists(truth.new_quizzes.length) +
    (incrementalWatermark === null
      ? truth.new_quizzes.reduce((sum, quiz) => sum + quizLists(quiz.items.length), 0)
      : 0) +
    lists(truth.modules.length) +
    truth.modules
      .filter((module) => module.items.length > 100)
      .reduce((sum, module) => sum + lists(module.items.length), 0)
  );
}

async function watermark(courseId: number): Promise<number | null> {
  const row = await env.DB.prepare(
    "SELECT watermark FROM collection_cursors WHERE course_id = ?1 AND collection = 'files'",
  )
    .bind(courseId)
    .first<{ watermark: string | null }>();
  return row?.watermark ? Date.parse(row.watermark) : null;
}

function report(
  size: number,
  scenario: string,
  ours: SyncMeasurement,
  naive: Awaited<ReturnType<NaiveMirror["sync"]>>,
  floor: number,
  extra: Record<string, number> = {},
) {
  const line = {
    size,
    scenario,
    floor,
    ours: {
      canvasRequests: ours.canvasRequests,
      bytesDownloaded: ours.bytesDownloaded,
      d1RowsWritten: ours.d1RowsWritten,
      itemRowsWritten: ours.itemRowsWritten,
      r2Writes: ours.r2Writes,
      wallMs: ours.wallMs,
      itemsPerSecond: ours.wallMs > 0 ? Math.round((ours.objects / ours.wallMs) * 1000) : ours.objects,
      objects: ours.objects,
    },
    naive,
    ...extra,
  };
  console.log(`BENCH_JSON ${JSON.stringify(line)}`);
  return line;
}

function mutateOnePercent(simulator: CanvasSimulator, courseId: number, truth: CourseTruth, total: number) {
  const changes = Math.max(5, Math.round(total * 0.01));
  const control = simulator.control;
  const plan = { pages: 0.3, files: 0.3, assignments: 0.2, topics: 0.1, quizzes: 0.05, modules: 0.05 };
  const take = (share: number) => Math.max(1, Math.round(changes * share));
  const pageEdits = truth.pages.slice(0, take(plan.pages));
  for (const page of pageEdits)
    control.editPage(courseId, page.page_id, { body: `${page.body}<p>Edited for the benchmark.</p>` });
  const files = truth.files.filter((file) => !file.flags.corrupt).slice(0, take(plan.files));
  const renames = files.slice(0, Math.ceil(files.length / 2));
  const replaces = files.slice(Math.ceil(files.length / 2));
  for (const file of renames) control.renameFile(courseId, file.id, `renamed ${file.display_name}`);
  for (const file of replaces) control.replaceFile(courseId, file.id, { text: `replacement of ${file.id}` });
  for (const assignment of truth.assignments
    .filter((a) => a.quiz_id === null)
    .slice(0, take(plan.assignments))) {
    control.editAssignment(courseId, assignment.id, { description: "<p>Updated instructions.</p>" });
  }
  for (const topic of truth.discussions.slice(0, take(plan.topics)))
    control.editDiscussion(courseId, topic.id, { message: "<p>Edited.</p>" });
  for (const quiz of truth.quizzes.slice(0, take(plan.quizzes)))
    control.editQuiz(courseId, quiz.id, { description: "<p>Edited quiz.</p>" });
  for (const module of truth.modules.slice(0, take(plan.modules)))
    control.editModule(courseId, module.id, { name: `${module.name} (edited)` });
  // A New Quiz whose record moves costs one items request; one whose item text alone changes costs none now
  // (the reconciliation or a Live Event picks it up).
  const [movedQuiz, textOnlyQuiz] = truth.new_quizzes;
  if (movedQuiz) control.editNewQuiz(courseId, movedQuiz.id, { title: `${movedQuiz.title} (edited)` });
  const textItem = textOnlyQuiz?.items.find((item) => item.entry_type === "Item");
  if (textOnlyQuiz && textItem)
    control.editNewQuizItem(courseId, textOnlyQuiz.id, textItem.id, {
      entry: { item_body: "<p>Reworded.</p>" },
    });
  return {
    changes,
    pageBodies: pageEdits.length,
    newFiles: replaces.length,
    movedQuizzes: movedQuiz ? quizLists(movedQuiz.items.length) : 0,
  };
}

const sizes = (env.BENCH_SIZES ?? "1000,10000")
  .split(",")
  .map(Number)
  .filter((size) => size > 0);

for (const size of sizes) {
  it(`efficiency at ${size} objects`, { timeout: 3_600_000 }, async () => {
    await resetStorage();
    const courseId = 900_000 + size;
    const simulator = createCanvasSimulator({
      apiOrigin: BENCH_CANVAS,
      storageOrigin: "https://files.canvas-storage.test",
      seed: 42,
      // New Quizzes on top, 1% of the objects (items of ~4 entries each), so their list pages and items show.
      institution: { courses: [{ id: courseId, items: size, newQuizzes: Math.round(size / 100) }] },
      tokens: [BENCH_TOKEN],
      throttle: { enabled: false },
    });
    const naive = new NaiveMirror(simulator);

    let truth = await simulator.control.truth(courseId, { hashes: false });
    const first = await measureSync(simulator, courseId, "full");
    report(size, "first full sync", first, await naive.sync(courseId), floorRequests(truth, null));

    const noChange = await measureSync(simulator, courseId, "incremental");
    const noChangeFloor = floorRequests(truth, await watermark(courseId));
    report(size, "no-change incremental", noChange, await naive.sync(courseId), noChangeFloor);
    expect(noChange.canvasRequests).toBeLessThanOrEqual(noChangeFloor);
    expect(noChange.bytesDownloaded).toBe(0);
    expect(noChange.itemRowsWritten).toBe(0);

    const mark = await watermark(courseId);
    const mutation = mutateOnePercent(simulator, courseId, truth, size);
    truth = await simulator.control.truth(courseId, { hashes: false });
    const onePercent = await measureSync(simulator, courseId, "incremental");
    report(
      size,
      "1% changed (mixed types)",
      onePercent,
      await naive.sync(courseId),
      floorRequests(truth, mark),
      {
        changedObjects: mutation.changes,
        // per changed object that needs a request: a page body (1), a new file's download (302 + bytes) and the
        // replacement check of the file it replaced (1),
        // and a moved New Quiz's items (1 per 50)
        allowance: mutation.pageBodies + mutation.newFiles * 3 + mutation.movedQuizzes,
      },
    );

    const [victim] = truth.files.filter((file) => !file.flags.corrupt);
    if (victim) simulator.control.replaceFile(courseId, victim.id, { text: "one replaced handout" });
    const markBeforeReplace = await watermark(courseId);
    truth = await simulator.control.truth(courseId, { hashes: false });
    const replaced = await measureSync(simulator, courseId, "incremental");
    report(
      size,
      "one file replaced",
      replaced,
      await naive.sync(courseId),
      floorRequests(truth, markBeforeReplace),
      {
        replacedCount: replaced.report.types.file?.replaced ?? 0,
      },
    );

    const doomed = Math.max(5, Math.round(size * 0.01));
    const pages = truth.pages.filter((page) => !page.front_page).slice(0, Math.ceil(doomed / 2));
    for (const page of pages) simulator.control.deletePage(courseId, page.page_id);
    const deadFiles = truth.files.slice(0, Math.floor(doomed / 2));
    for (const file of deadFiles) simulator.control.deleteFile(courseId, file.id);
    truth = await simulator.control.truth(courseId, { hashes: false });
    const reconcile = await measureSync(simulator, courseId, "full");
    report(
      size,
      "1% deleted + reconciliation",
      reconcile,
      await naive.sync(courseId),
      floorRequests(truth, null),
      {
        deleted: (reconcile.report.types.page?.deleted ?? 0) + (reconcile.report.types.file?.deleted ?? 0),
        expectedDeleted: pages.length + deadFiles.length,
      },
    );
  });
}
