/**
 * New Quizzes through the real pipeline (API -> queue -> consumer -> D1): the first sync mirrors every quiz and
 * item exactly as the simulator's truth holds them (answers included where the token sees them), the carrying
 * assignment links to its quiz, a no-change sync stays at the floor (the list only), an edited item is found with
 * a deep diff (at once when the quiz record moves; on the reconciliation when only an item's text changed, which
 * the list cannot show), a deletion is recorded only once Canvas answers 404 for the quiz, and a course without
 * New Quizzes access skips the type with a reason while the job succeeds.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { newQuizEntries, type CanvasSimulator } from "../local/simulator";
import type { NewQuizTruth } from "../local/simulator/truth-new-quizzes";
import { api, apiJson, resetStorage, startSimulator, syncNow, type JobView } from "../support/harness";

const COURSE = 131;
const NEW_QUIZZES = 3;

interface ItemView {
  id: string;
  canvasId: string;
  title: string | null;
  deletedAt: string | null;
  textStatus: string | null;
  text: string | null;
  data: Record<string, unknown>;
}

async function mirrored(type: string, includeDeleted = false): Promise<Map<string, ItemView>> {
  const page = await apiJson<{ items: ItemView[] }>(
    `/api/courses/${COURSE}/items?type=${type}&limit=500&includeDeleted=${includeDeleted}`,
  );
  return new Map(page.items.map((item) => [item.canvasId, item]));
}

function requests(simulator: CanvasSimulator, endpoint: string): number {
  return simulator.control.counters().byEndpoint[endpoint]?.requests ?? 0;
}
const LIST = "GET /api/quiz/v1/courses/:id/quizzes";
const ONE = "GET /api/quiz/v1/courses/:id/quizzes/:id";
const ITEMS = "GET /api/quiz/v1/courses/:id/quizzes/:id/items";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** What the mirror must hold for one item, derived from the simulator's raw entry (not from src/). */
function expectedItem(item: NewQuizTruth["items"][number], answersVisible: boolean): Record<string, unknown> {
  const question = item.entry_type === "BankEntry" ? record(item.entry["entry"]) : item.entry;
  const choices = record(question["interaction_data"])["choices"];
  return {
    id: String(item.id),
    position: item.position,
    points_possible: item.points_possible,
    entry_type: item.entry_type,
    stimulus_id: item.stimulus_id === null ? null : String(item.stimulus_id),
    type: item.entry_type === "Stimulus" ? "stimulus" : question["interaction_type_slug"],
    body: item.entry_type === "Stimulus" ? item.entry["body"] : question["item_body"],
    choices: Array.isArray(choices) ? choices.map((choice) => record(choice)["item_body"]) : null,
    answer:
      item.entry_type === "Stimulus" || !answersVisible ? null : record(question["scoring_data"])["value"],
  };
}

function actualItem(item: unknown): Record<string, unknown> {
  const view = record(item);
  const choices = view["choices"];
  return {
    id: view["id"],
    position: view["position"],
    points_possible: view["points_possible"],
    entry_type: view["entry_type"],
    stimulus_id: view["stimulus_id"],
    type: view["type"],
    body: view["body"],
    choices: Array.isArray(choices) ? choices.map((choice) => record(choice)["body"]) : null,
    answer: view["answer"],
  };
}

async function expectMirrorMatchesTruth(simulator: CanvasSimulator): Promise<void> {
  const truth = await simulator.control.truth(COURSE, { hashes: false });
  const quizzes = await mirrored("new_quiz");
  expect([...quizzes.keys()].sort()).toEqual(truth.new_quizzes.map((quiz) => String(quiz.id)).sort());
  const answersVisible = truth.new_quizzes_access.answers_visible;
  for (const quiz of truth.new_quizzes) {
    const data = quizzes.get(String(quiz.id))?.data ?? {};
    expect(data).toMatchObject({
      assignment_id: String(quiz.id),
      title: quiz.title,
      instructions: quiz.instructions,
      points_possible: quiz.points_possible,
      due_at: quiz.due_at,
      published: quiz.published,
      grading_type: quiz.grading_type,
    });
    const items = Array.isArray(data["items"]) ? data["items"] : [];
    expect({ quiz: quiz.id, items: items.map(actualItem) }).toEqual({
      quiz: quiz.id,
      items: quiz.items.map((item) => expectedItem(item, answersVisible)),
    });
  }
}

describe("New Quizzes in the mirror", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 21,
      institution: { courses: [{ id: COURSE, items: 30, newQuizzes: NEW_QUIZZES }] },
    });
    const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
    if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
  });

  it("mirrors every quiz and item exactly, links the carrying assignment and makes the text searchable", async () => {
    const job = await syncNow(COURSE);
    expect(job.status).toBe("succeeded");
    expect(job.counts["new_quiz"]?.["added"]).toBe(NEW_QUIZZES);
    await expectMirrorMatchesTruth(simulator);
    // One list request, one items request per quiz, nothing else.
    expect(requests(simulator, LIST)).toBe(1);
    expect(requests(simulator, ITEMS)).toBe(NEW_QUIZZES);

    const truth = await simulator.control.truth(COURSE, { hashes: false });
    const [first] = truth.new_quizzes;
    if (!first) throw new Error("no New Quiz seeded");
    const quiz = (await mirrored("new_quiz")).get(String(first.id));
    expect(record(quiz?.data["settings"])).toMatchObject({
      time_limit_seconds: 1200,
      allowed_attempts: 2,
      shuffle_answers: true,
    });
    expect(JSON.stringify(quiz?.data)).not.toContain("student_access_code");
    const assignment = (await mirrored("assignment")).get(String(first.id));
    expect(assignment?.data["new_quiz_id"]).toBe(String(first.id));
    const plain = truth.assignments.find((candidate) => !candidate.quiz_lti);
    expect((await mirrored("assignment")).get(String(plain?.id))?.data).not.toHaveProperty("new_quiz_id");

    // The instructions and every item's text are extracted (search and dedup read it).
    const essay = first.items.find((item) => item.entry["interaction_type_slug"] === "essay");
    const body = essay?.entry["item_body"];
    const stem = (typeof body === "string" ? body : "").replace(/<[^>]+>/g, "");
    expect(quiz?.textStatus).toBe("ok");
    expect(quiz?.text).toContain(stem.slice(0, 40));
    expect(quiz?.text).toContain(first.instructions.replace(/<[^>]+>/g, "").slice(0, 40));
  });

  it("a no-change sync makes one list request per 50 quizzes and fetches no items", async () => {
    await syncNow(COURSE);
    simulator.control.resetCounters();
    const job = await syncNow(COURSE);
    expect(job.status).toBe("succeeded");
    expect(requests(simulator, LIST)).toBe(Math.ceil(NEW_QUIZZES / 50));
    expect(requests(simulator, ITEMS)).toBe(0);
    expect(requests(simulator, ONE)).toBe(0);
    expect(job.report?.itemRowsWritten).toBe(0);
    expect(job.counts["new_quiz"]?.["unchanged"]).toBe(NEW_QUIZZES);
  });

  it("finds an edited item with a deep diff: at once when the quiz moves, on reconciliation when only text moved", async () => {
    await syncNow(COURSE);
    const truth = await simulator.control.truth(COURSE, { hashes: false });
    const [quiz, other] = truth.new_quizzes;
    const choice = quiz?.items.find((item) => item.entry["interaction_type_slug"] === "choice");
    if (!quiz || !other || !choice) throw new Error("seeded quizzes lack a choice question");

    // Only the stem changes: the quiz record is the same, so an incremental sync cannot see it (documented cost).
    simulator.control.editNewQuizItem(COURSE, quiz.id, choice.id, {
      entry: { item_body: "<p>Rewritten stem</p>" },
    });
    simulator.control.resetCounters();
    const blind = await syncNow(COURSE);
    expect(requests(simulator, ITEMS)).toBe(0);
    expect(blind.counts["new_quiz"]?.["unchanged"]).toBe(NEW_QUIZZES);

    // The reconciliation fetches every quiz's items and logs exactly the field that changed.
    simulator.control.resetCounters();
    const full = await syncNow(COURSE, "full");
    expect(requests(simulator, ITEMS)).toBe(NEW_QUIZZES);
    expect(full.counts["new_quiz"]?.["updated"]).toMatchObject({ modified: 1 });
    const itemId = `${COURSE}:new_quiz:${quiz.id}`;
    const log = await apiJson<{ items: { kind: string; fields: unknown[] }[] }>(
      `/api/courses/${COURSE}/items/${encodeURIComponent(itemId)}/changes`,
    );
    expect(log.items.at(-1)).toMatchObject({
      kind: "content_modified",
      fields: [
        { field: `items[${choice.id}].body`, old: choice.entry["item_body"], new: "<p>Rewritten stem</p>" },
      ],
    });

    // A points change moves the quiz record: the next incremental sync fetches that quiz's items only.
    simulator.control.editNewQuizItem(COURSE, other.id, other.items.at(-1)?.id ?? 0, { points_possible: 9 });
    simulator.control.resetCounters();
    const moved = await syncNow(COURSE);
    expect(requests(simulator, ITEMS)).toBe(1);
    expect(moved.counts["new_quiz"]?.["updated"]).toMatchObject({ modified: 1 });
    const otherLog = await apiJson<{ items: { fields: { field: string }[] }[] }>(
      `/api/courses/${COURSE}/items/${encodeURIComponent(`${COURSE}:new_quiz:${other.id}`)}/changes`,
    );
    expect(otherLog.items.at(-1)?.fields.map((field) => field.field)).toEqual([
      `items[${other.items.at(-1)?.id}].points_possible`,
      "points_possible",
    ]);
    await expectMirrorMatchesTruth(simulator);
  });

  it("adds and removes items and quizzes created after the first sync", async () => {
    await syncNow(COURSE);
    const { id } = simulator.control.createNewQuiz(COURSE, {
      title: "Late quiz",
      instructions: "<p>New.</p>",
    });
    simulator.control.createNewQuizItem(COURSE, id, {
      ...newQuizEntries.trueFalseEntry({ title: "TF", stem: "<p>The sky is green.</p>", answer: false }),
      points_possible: 2,
    });
    const [first] = (await simulator.control.truth(COURSE, { hashes: false })).new_quizzes;
    const essay = first?.items.find((item) => item.entry["interaction_type_slug"] === "essay");
    if (!first || !essay) throw new Error("no essay");
    simulator.control.deleteNewQuizItem(COURSE, first.id, essay.id);
    const job = await syncNow(COURSE);
    expect(job.counts["new_quiz"]).toMatchObject({ added: 1, updated: { modified: 1 } });
    await expectMirrorMatchesTruth(simulator);
  });

  it("tombstones a deleted quiz only once Canvas answers 404 for it", async () => {
    await syncNow(COURSE);
    const [doomed, kept] = (await simulator.control.truth(COURSE, { hashes: false })).new_quizzes;
    if (!doomed || !kept) throw new Error("need two quizzes");

    // The list leaves every quiz out (a bad answer, not a deletion): each is looked up, found, and kept.
    simulator.control.addFault({
      match: { pathRegex: `^/api/quiz/v1/courses/${COURSE}/quizzes$` },
      count: 1,
      action: { type: "status", status: 200, body: "[]" },
    });
    simulator.control.resetCounters();
    const emptyList = await syncNow(COURSE);
    expect(emptyList.status).toBe("succeeded");
    expect(requests(simulator, ONE)).toBe(NEW_QUIZZES);
    expect(emptyList.counts["new_quiz"]?.["deleted"] ?? 0).toBe(0);
    expect([...(await mirrored("new_quiz")).values()].every((item) => item.deletedAt === null)).toBe(true);

    // Deleted in Canvas, but the confirming GET fails: nothing is deleted on a guess, the job says it left the
    // quiz behind (partial), and the next sync retries it first and confirms.
    simulator.control.deleteNewQuiz(COURSE, doomed.id);
    simulator.control.addFault({
      match: { pathRegex: `^/api/quiz/v1/courses/${COURSE}/quizzes/${doomed.id}$` },
      count: 4,
      action: { type: "status", status: 503 },
    });
    const unconfirmed = await syncNow(COURSE);
    expect(unconfirmed.status).toBe("partial");
    expect((await mirrored("new_quiz")).get(String(doomed.id))?.deletedAt).toBeNull();
    expect(unconfirmed.counts["new_quiz"]?.["leftBehind"]).toBe(1);

    simulator.control.resetCounters();
    const confirmed = await syncNow(COURSE);
    expect(confirmed.status).toBe("succeeded");
    // Looked up again first; without a listing's evidence at hand, a 404 is believed when a second lookup agrees.
    expect(requests(simulator, ONE)).toBe(2);
    expect(confirmed.counts["new_quiz"]?.["deleted"]).toBe(1);
    const all = await mirrored("new_quiz", true);
    expect(all.get(String(doomed.id))?.deletedAt).not.toBeNull();
    expect(all.get(String(kept.id))?.deletedAt).toBeNull();
    // The carrying assignment went with it (assignments are listed completely).
    expect((await mirrored("assignment", true)).get(String(doomed.id))?.deletedAt).not.toBeNull();
  });

  it("a course without New Quizzes access skips the type with a reason, deletes nothing and succeeds", async () => {
    await syncNow(COURSE);
    for (const access of ["not_found", "unauthorized", "forbidden"] as const) {
      simulator.control.setNewQuizzesAccess(COURSE, { access });
      simulator.control.editAssignment(
        COURSE,
        (await simulator.control.truth(COURSE)).assignments[0]?.id ?? 0,
        {
          description: `<p>Still synced while New Quizzes are ${access}.</p>`,
        },
      );
      const job: JobView = await syncNow(COURSE);
      expect({ access, status: job.status }).toEqual({ access, status: "succeeded" });
      expect(record(job.report)["skippedCollections"]).toEqual([
        expect.objectContaining({
          collection: "new_quizzes",
          reason: expect.stringContaining("none deleted"),
        }),
      ]);
      expect(job.counts["new_quiz"]?.["deleted"] ?? 0).toBe(0);
      expect(job.counts["assignment"]?.["updated"]).toMatchObject({ modified: 1 });
      const quizzes = [...(await mirrored("new_quiz", true)).values()];
      expect(quizzes.length).toBe(NEW_QUIZZES);
      expect(quizzes.every((item) => item.deletedAt === null)).toBe(true);
    }
    simulator.control.setNewQuizzesAccess(COURSE, { access: "enabled" });
    expect((await syncNow(COURSE)).status).toBe("succeeded");
    await expectMirrorMatchesTruth(simulator);
  });

  it("keeps answers out of the mirror when the token may not see them", async () => {
    simulator.control.setNewQuizzesAccess(COURSE, { answers_visible: false });
    expect((await syncNow(COURSE)).status).toBe("succeeded");
    await expectMirrorMatchesTruth(simulator);
    const quizzes = [...(await mirrored("new_quiz")).values()];
    const answers = quizzes.flatMap((quiz) =>
      (Array.isArray(quiz.data["items"]) ? quiz.data["items"] : []).map((item) => record(item)["answer"]),
    );
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer === null)).toBe(true);
  });
});
