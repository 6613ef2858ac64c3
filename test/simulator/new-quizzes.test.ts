/**
 * The simulated New Quizzes API: the documented NewQuiz and QuizItem shapes, the quiz_lti assignment that carries
 * each quiz, Link paging capped at 50, mutations through both control surfaces, quizzes.* Live Events, answers
 * hidden from a token that may not see them, and a course or token without access answering 404/401/403.
 */
import { describe, expect, it } from "vitest";
import { newQuizEntries, type LiveEvent } from "../local/simulator";
import { API, clock, collect, get, getJson, links, sim } from "../support/simulator-harness";

interface NewQuizJson {
  id: string;
  title: string;
  instructions: string;
  points_possible: number;
  published: boolean;
  due_at: string | null;
  quiz_settings: Record<string, unknown>;
}
interface ItemJson {
  id: string;
  position: number;
  points_possible: number;
  entry_type: string;
  stimulus_quiz_entry_id: string | null;
  entry: Record<string, unknown>;
}
const QUIZZES = "/api/quiz/v1/courses/101/quizzes";

describe("New Quizzes in the simulator", () => {
  it("serves the demo's New Quizzes in the documented shapes, each carried by a quiz_lti assignment", async () => {
    const s = sim();
    const quizzes = await getJson<NewQuizJson[]>(s, `${QUIZZES}?per_page=100`);
    expect(quizzes.length).toBe(2);
    const truth = await s.control.truth(101, { hashes: false });
    expect(quizzes.map((quiz) => Number(quiz.id))).toEqual(truth.new_quizzes.map((quiz) => quiz.id));
    const [check] = quizzes;
    if (check === undefined) throw new Error("no quiz");
    expect(Object.keys(check).sort()).toEqual(
      [
        "assignment_group_id",
        "due_at",
        "grading_type",
        "id",
        "instructions",
        "lock_at",
        "points_possible",
        "published",
        "quiz_settings",
        "title",
        "unlock_at",
      ].sort(),
    );
    expect(check.quiz_settings).toMatchObject({ has_time_limit: true, session_time_limit_in_seconds: 1200 });
    const single = await getJson<NewQuizJson>(s, `${QUIZZES}/${check.id}`);
    expect(single).toEqual(check);

    const items = await getJson<ItemJson[]>(s, `${QUIZZES}/${check.id}/items?per_page=100`);
    expect(items.map((item) => item.entry_type)).toEqual(["Stimulus", "Item", "Item", "Item"]);
    expect(items.map((item) => item.position)).toEqual([1, 2, 3, 4]);
    const [stimulus, choice, trueFalse, essay] = items;
    expect(stimulus?.entry).toMatchObject({ title: "Read the passage", passage: false });
    expect(choice?.stimulus_quiz_entry_id).toBe(stimulus?.id);
    expect(choice?.entry).toMatchObject({
      interaction_type_slug: "choice",
      scoring_algorithm: "Equivalence",
    });
    expect(trueFalse?.entry["interaction_type_slug"]).toBe("true-false");
    expect(essay?.entry["interaction_type_slug"]).toBe("essay");
    // The quiz's points are the sum of its scored items.
    expect(check.points_possible).toBe(2 + 1 + 5);

    const assignment = await getJson(s, `/api/v1/courses/101/assignments/${check.id}`);
    expect(assignment).toMatchObject({
      is_quiz_lti_assignment: true,
      submission_types: ["external_tool"],
      name: check.title,
      points_possible: 8,
    });
    const plain = await getJson<Array<Record<string, unknown>>>(
      s,
      "/api/v1/courses/101/assignments?per_page=100",
    );
    expect(plain.filter((a) => a["is_quiz_lti_assignment"] === true).length).toBe(2);
    expect(plain.filter((a) => !("is_quiz_lti_assignment" in a)).length).toBe(plain.length - 2);
  });

  it("pages lists at most 50 per page even when 100 are asked for, with Link URLs under /api/quiz/v1", async () => {
    const s = sim({ institution: { courses: [{ id: 900, items: 10, newQuizzes: 61 }] } });
    const first = await get(s, "/api/quiz/v1/courses/900/quizzes?per_page=100");
    expect((await first.json<unknown[]>()).length).toBe(50);
    expect(links(first)["next"]).toMatch(/^https:\/\/canvas\.test\/api\/quiz\/v1\/courses\/900\/quizzes\?/);
    const all = await collect(s, "/api/quiz/v1/courses/900/quizzes?per_page=100");
    expect(all.requests).toBe(2);
    expect(all.items.length).toBe(61);
  });

  it("creates, edits and deletes quizzes and items; an item edit leaves the quiz JSON unchanged unless points move", async () => {
    const c = clock();
    const s = sim({}, c);
    const events: LiveEvent[] = [];
    s.control.onEvent((event) => events.push(event));
    const { id } = s.control.createNewQuiz(101, {
      title: "Pop quiz",
      instructions: "<p>Go.</p>",
      published: true,
    });
    const question = s.control.createNewQuizItem(101, id, {
      ...newQuizEntries.choiceEntry({
        title: "Q1",
        stem: "<p>2+2?</p>",
        choices: ["4", "5"],
        correct: 0,
        seed: 3,
      }),
      points_possible: 3,
    });
    const before = await getJson<NewQuizJson>(s, `${QUIZZES}/${id}`);
    expect(before.points_possible).toBe(3);
    c.advance(60_000);
    s.control.editNewQuizItem(101, id, question.id, { entry: { item_body: "<p>What is 2+2?</p>" } });
    expect(await getJson<NewQuizJson>(s, `${QUIZZES}/${id}`)).toEqual(before);
    const [edited] = await getJson<ItemJson[]>(s, `${QUIZZES}/${id}/items`);
    expect(edited?.entry["item_body"]).toBe("<p>What is 2+2?</p>");
    s.control.editNewQuizItem(101, id, question.id, { points_possible: 4 });
    expect((await getJson<NewQuizJson>(s, `${QUIZZES}/${id}`)).points_possible).toBe(4);

    const names = events.map((event) => event.event_name);
    expect(names).toEqual([
      "assignment_created",
      "quizzes.quiz_created",
      "quizzes.item_created",
      "quizzes.quiz_updated",
      "assignment_updated",
      "quizzes.item_updated",
      "quizzes.item_updated",
      "quizzes.quiz_updated",
      "assignment_updated",
    ]);
    const created = events.find((event) => event.event_name === "quizzes.quiz_created");
    expect(created?.metadata).toMatchObject({ producer: "quizzes", event_name: "quizzes.quiz_created" });
    // The service's own quiz id, not the assignment id the REST API uses; the course rides in the body.
    const truth = await s.control.truth(101, { hashes: false });
    const service = truth.new_quizzes.find((quiz) => quiz.id === id)?.service_id;
    expect(created?.body).toMatchObject({ id: String(service), course_id: "101" });
    expect(service).not.toBe(id);
    const itemEvent = events.find((event) => event.event_name === "quizzes.item_updated");
    expect(itemEvent?.body).toMatchObject({
      id: String(question.id),
      owner: { quiz_id: String(service), course_id: "101" },
    });

    s.control.deleteNewQuiz(101, id);
    expect((await get(s, `${QUIZZES}/${id}`)).status).toBe(404);
    expect((await get(s, `${QUIZZES}/${id}/items`)).status).toBe(404);
    expect((await get(s, `/api/v1/courses/101/assignments/${id}`)).status).toBe(404);
    expect((await s.control.truth(101, { hashes: false })).deleted.new_quizzes).toContain(id);
  });

  it("the HTTP control API runs the same mutations, validated", async () => {
    const s = sim();
    const post = (body: unknown) =>
      s.fetch(`${API}/__sim/mutate`, { method: "POST", body: JSON.stringify(body) });
    const created = await post({ op: "createNewQuiz", course_id: 101, input: { title: "Over HTTP" } });
    const { result } = await created.json<{ result: { id: number } }>();
    const item = await post({
      op: "createNewQuizItem",
      course_id: 101,
      quiz_id: result.id,
      input: newQuizEntries.essayEntry({ title: "E", stem: "<p>Why?</p>", gradingNotes: "notes" }),
    });
    expect(item.status).toBe(200);
    expect((await getJson<ItemJson[]>(s, `${QUIZZES}/${result.id}/items`)).length).toBe(1);
    expect(
      (await post({ op: "createNewQuizItem", course_id: 101, quiz_id: result.id, input: {} })).status,
    ).toBe(400);
    expect((await post({ op: "editNewQuiz", course_id: 101, id: 1, patch: { title: "x" } })).status).toBe(
      404,
    );
  });

  it("hides answers from a token that may not see them", async () => {
    const s = sim();
    const [quiz] = (await s.control.truth(101, { hashes: false })).new_quizzes;
    s.control.setNewQuizzesAccess(101, { answers_visible: false });
    const items = await getJson<ItemJson[]>(s, `${QUIZZES}/${quiz?.id}/items`);
    const questions = items.filter((item) => item.entry_type === "Item");
    expect(questions.length).toBe(3);
    for (const item of questions) expect(item.entry["scoring_data"]).toBeNull();
    expect(items.find((item) => item.entry_type === "Stimulus")?.entry["body"]).toEqual(expect.any(String));
  });

  it("answers 404, 401 or 403 when the course or the token has no New Quizzes access", async () => {
    const s = sim();
    for (const [access, status] of [
      ["not_found", 404],
      ["unauthorized", 401],
      ["forbidden", 403],
    ] as const) {
      s.control.setNewQuizzesAccess(101, { access });
      const response = await get(s, QUIZZES);
      expect(response.status).toBe(status);
      expect(response.headers.has("www-authenticate")).toBe(false);
    }
    s.control.setNewQuizzesAccess(101, { access: "enabled" });
    expect((await get(s, QUIZZES)).status).toBe(200);
    s.control.denyAccess("sim-token", { pathPrefix: "/api/quiz/v1", kind: "forbidden" });
    expect((await get(s, QUIZZES)).status).toBe(403);
    // The rest of Canvas still answers.
    expect((await get(s, "/api/v1/courses/101/assignments")).status).toBe(200);
  });
});
