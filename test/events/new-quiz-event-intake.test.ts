/**
 * New Quizzes Live Events through the whole path in workerd: a simulator edit emits quizzes.* (producer
 * "quizzes", the service's own ids) and Canvas's assignment_* for the carrying assignment, the signed deliveries
 * reach /webhooks/canvas, the targeted jobs run, and the mirror shows the change. A quiz event lists the course's
 * New Quizzes and fetches items only for the quiz that moved; an item event (which the list cannot show) fetches
 * every quiz's items.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../local/simulator/live-event-signing";
import type { CanvasSimulator } from "../local/simulator";
import { startLiveEventDelivery, type LiveEventDelivery } from "../local/simulator/live-event-delivery";
import { api, apiJson, resetStorage, startSimulator, syncNow, waitForJob } from "../support/harness";
import {
  acceptedJobId,
  routeOutboundFetch,
  waitForCourseIdle,
  webhookFetch,
} from "../support/webhook-harness";

const COURSE = 141;
const JWKS_URL = "https://keys.test/new-quizzes/jwks";
const QUIZZES = 3;

let simulator: CanvasSimulator;
let delivery: LiveEventDelivery;

async function quizData(id: number): Promise<Record<string, unknown>> {
  const page = await apiJson<{ items: { canvasId: string; data: Record<string, unknown> }[] }>(
    `/api/courses/${COURSE}/items?type=new_quiz&limit=500`,
  );
  return page.items.find((item) => item.canvasId === String(id))?.data ?? {};
}

/** Mutates, waits for every delivery and the jobs they enqueued; returns event names and requests by endpoint. */
async function throughLiveEvents(
  mutate: () => void,
): Promise<{ events: string[]; requests: Record<string, number> }> {
  const seen = delivery.records().length;
  simulator.control.resetCounters();
  mutate();
  const records = (await delivery.settled()).slice(seen);
  for (const record of records) {
    expect({ event: record.eventName, status: record.status }).toEqual({
      event: record.eventName,
      status: 202,
    });
    const jobId = acceptedJobId(record.response);
    if (jobId === null) continue;
    const job = await waitForJob(jobId);
    expect({ event: record.eventName, status: job.status, error: job.error }).toEqual({
      event: record.eventName,
      status: "succeeded",
      error: null,
    });
    await waitForCourseIdle(COURSE);
  }
  const requests = Object.fromEntries(
    Object.entries(simulator.control.counters().byEndpoint).map(([endpoint, c]) => [endpoint, c.requests]),
  );
  return { events: records.map((record) => record.eventName), requests };
}

beforeAll(async () => {
  await resetStorage();
  simulator = startSimulator({ institution: { courses: [{ id: COURSE, items: 20, newQuizzes: QUIZZES }] } });
  delivery = startLiveEventDelivery({
    subscribe: (listener) => simulator.control.onEvent(listener),
    webhookUrl: "https://sync.test/webhooks/canvas",
    fetch: webhookFetch({ jwksUrl: JWKS_URL, allowUnsigned: false }),
    signingKey: await generateSigningKey("sim-new-quizzes-1"),
  });
  routeOutboundFetch(simulator, (url) => (url === JWKS_URL ? delivery.jwksResponse() : null));
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
  if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
  const initial = await syncNow(COURSE, "full");
  if (initial.status !== "succeeded")
    throw new Error(`initial sync ${initial.status}: ${initial.error ?? ""}`);
  await waitForCourseIdle(COURSE);
});

describe("New Quizzes Live Events, end to end", () => {
  it("an item edit (invisible to the list) reaches the mirror through quizzes.item_updated", async () => {
    const [quiz] = (await simulator.control.truth(COURSE, { hashes: false })).new_quizzes;
    const essay = quiz?.items.find((item) => item.entry["interaction_type_slug"] === "essay");
    if (!quiz || !essay) throw new Error("no essay question seeded");
    const stem = "<p>Explain it to a first-year student.</p>";
    const { events, requests } = await throughLiveEvents(() =>
      simulator.control.editNewQuizItem(COURSE, quiz.id, essay.id, { entry: { item_body: stem } }),
    );
    expect(events).toEqual(["quizzes.item_updated"]);
    expect(requests).toEqual({
      "GET /api/quiz/v1/courses/:id/quizzes": 1,
      "GET /api/quiz/v1/courses/:id/quizzes/:id/items": QUIZZES,
    });
    const items = (await quizData(quiz.id))["items"];
    expect(
      Array.isArray(items) ? items.find((item: { id: string }) => item.id === String(essay.id)) : null,
    ).toMatchObject({ body: stem });
  });

  it("a quiz edit fetches the items of that quiz only, and the assignment event refreshes the assignment", async () => {
    const [, quiz] = (await simulator.control.truth(COURSE, { hashes: false })).new_quizzes;
    if (!quiz) throw new Error("no second quiz");
    const { events, requests } = await throughLiveEvents(() =>
      simulator.control.editNewQuiz(COURSE, quiz.id, { title: "Renamed through an event" }),
    );
    expect(events).toEqual(["quizzes.quiz_updated", "assignment_updated"]);
    expect(requests).toEqual({
      "GET /api/quiz/v1/courses/:id/quizzes": 1,
      "GET /api/quiz/v1/courses/:id/quizzes/:id/items": 1,
      "GET /api/v1/courses/:id/assignments/:id": 1,
    });
    expect(await quizData(quiz.id)).toMatchObject({ title: "Renamed through an event" });
  });
});
