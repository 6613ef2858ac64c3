/**
 * The whole Live Events path in workerd: a simulator mutation emits a Canvas-format event, the simulator's
 * delivery signs it (RS256, served JWKS) and POSTs it to /webhooks/canvas, the intake enqueues a targeted job,
 * the real local queue delivers it to the consumer, and the mirror shows the change. The simulator's counters
 * prove the job asked Canvas only about the changed object.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../local/simulator/live-event-signing";
import type { CanvasSimulator } from "../local/simulator";
import { startLiveEventDelivery } from "../local/simulator/live-event-delivery";
import type { DeliveryRecord, LiveEventDelivery } from "../local/simulator/live-event-delivery";
import { api, apiJson, resetStorage, startSimulator, syncNow, waitForJob } from "../support/harness";
import {
  acceptedJobId,
  routeOutboundFetch,
  waitForCourseIdle,
  webhookFetch,
} from "../support/webhook-harness";

const COURSE = 101;
const JWKS_URL = "https://keys.test/live-events/jwks";

let simulator: CanvasSimulator;
let delivery: LiveEventDelivery;

interface ItemView {
  canvasId: string;
  title: string | null;
  deletedAt: string | null;
  data: Record<string, unknown>;
}

async function mirrored(type: string, canvasId: number): Promise<ItemView | undefined> {
  const page = await apiJson<{ items: ItemView[] }>(
    `/api/courses/${COURSE}/items?type=${type}&includeDeleted=true&limit=500`,
  );
  return page.items.find((item) => item.canvasId === String(canvasId));
}

/**
 * Runs one mutation through the whole path: counters reset, mutate, wait for the signed deliveries and the jobs
 * they enqueued. Returns the deliveries it caused and the Canvas requests made meanwhile, by endpoint.
 */
async function throughLiveEvents(
  mutate: () => void,
): Promise<{ deliveries: DeliveryRecord[]; requests: Record<string, number> }> {
  const seen = delivery.records().length;
  simulator.control.resetCounters();
  mutate();
  const deliveries = (await delivery.settled()).slice(seen);
  for (const record of deliveries) {
    if (record.status !== 202) throw new Error(`delivery of ${record.eventName} answered ${record.status}`);
    const jobId = acceptedJobId(record.response);
    if (jobId !== null) {
      const job = await waitForJob(jobId);
      if (job.status !== "succeeded")
        throw new Error(`job for ${record.eventName} ${job.status}: ${job.error ?? ""}`);
      await waitForCourseIdle(COURSE);
    }
  }
  const requests = Object.fromEntries(
    Object.entries(simulator.control.counters().byEndpoint).map(([endpoint, counters]) => [
      endpoint,
      counters.requests,
    ]),
  );
  return { deliveries, requests };
}

beforeAll(async () => {
  await resetStorage();
  simulator = startSimulator({ institution: { courses: [{ id: COURSE, items: 60 }] } });
  const key = await generateSigningKey("sim-live-events-1");
  delivery = startLiveEventDelivery({
    subscribe: (listener) => simulator.control.onEvent(listener),
    webhookUrl: "https://sync.test/webhooks/canvas",
    fetch: webhookFetch({ jwksUrl: JWKS_URL, allowUnsigned: false }),
    signingKey: key,
  });
  routeOutboundFetch(simulator, (url) => (url === JWKS_URL ? delivery.jwksResponse() : null));
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
  if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
  const initial = await syncNow(COURSE, "full");
  if (initial.status !== "succeeded")
    throw new Error(`initial sync ${initial.status}: ${initial.error ?? ""}`);
  await waitForCourseIdle(COURSE);
});

const only = (endpoint: string) => ({ [endpoint]: 1 });

describe("simulator mutation -> signed event -> webhook -> queue -> consumer -> mirror", () => {
  it("a page edit reaches the mirror with one request, for that page", async () => {
    const page = (await simulator.control.truth(COURSE)).pages[3];
    if (page === undefined) throw new Error("the simulated course has too few pages");
    const body = "<p>Edited in Canvas, mirrored through a Live Event.</p>";
    const { deliveries, requests } = await throughLiveEvents(() => {
      simulator.control.editPage(COURSE, page.page_id, { body });
    });
    // Signed deliveries only: this webhook refuses unsigned JSON, so a 202 means the signature was verified.
    expect(deliveries.map((record) => [record.eventName, record.status])).toEqual([
      ["wiki_page_updated", 202],
    ]);
    expect(deliveries[0]?.response).toMatchObject({ outcome: "enqueued", courseId: COURSE });
    expect((await mirrored("page", page.page_id))?.data["body"]).toBe(body);
    expect(requests).toEqual(only("GET /api/v1/courses/:id/pages/:id"));

    // A later edit of the same page is a newer event: it is synced again, not deduplicated away.
    const { requests: again } = await throughLiveEvents(() => {
      simulator.control.editPage(COURSE, page.page_id, { title: "Renamed by a second event" });
    });
    expect((await mirrored("page", page.page_id))?.title).toBe("Renamed by a second event");
    expect(again).toEqual(only("GET /api/v1/courses/:id/pages/:id"));
  });

  it("assignment, discussion, quiz, file and module edits each cost only their object's request", async () => {
    const truth = await simulator.control.truth(COURSE);
    const [assignment] = truth.assignments;
    const [topic] = truth.discussions;
    const [quiz] = truth.quizzes;
    const [file] = truth.files;
    const [module] = truth.modules;
    if (!assignment || !topic || !quiz || !file || !module)
      throw new Error("the simulated course lacks a type");

    const cases: Array<{
      mutate: () => void;
      endpoint: string;
      check: () => Promise<unknown>;
      expected: unknown;
    }> = [
      {
        mutate: () =>
          simulator.control.editAssignment(COURSE, assignment.id, { description: "<p>due Friday</p>" }),
        endpoint: "GET /api/v1/courses/:id/assignments/:id",
        check: async () => (await mirrored("assignment", assignment.id))?.data["description"],
        expected: "<p>due Friday</p>",
      },
      {
        mutate: () => simulator.control.editDiscussion(COURSE, topic.id, { message: "<p>read this</p>" }),
        endpoint: "GET /api/v1/courses/:id/discussion_topics/:id",
        check: async () => (await mirrored("discussion_topic", topic.id))?.data["message"],
        expected: "<p>read this</p>",
      },
      {
        mutate: () => simulator.control.editQuiz(COURSE, quiz.id, { description: "<p>open book</p>" }),
        endpoint: "GET /api/v1/courses/:id/quizzes/:id",
        check: async () => (await mirrored("quiz", quiz.id))?.data["description"],
        expected: "<p>open book</p>",
      },
      {
        mutate: () => simulator.control.renameFile(COURSE, file.id, "renamed-by-event.pdf"),
        endpoint: "GET /api/v1/courses/:id/files/:id",
        check: async () => (await mirrored("file", file.id))?.data["display_name"],
        expected: "renamed-by-event.pdf",
      },
      {
        mutate: () => simulator.control.editModule(COURSE, module.id, { name: "Week 0 (renamed)" }),
        // Modules have no per-object refresh; one listing (items included) is the narrowest request.
        endpoint: "GET /api/v1/courses/:id/modules",
        check: async () => (await mirrored("module", module.id))?.data["name"],
        expected: "Week 0 (renamed)",
      },
    ];
    for (const { mutate, endpoint, check, expected } of cases) {
      const { deliveries, requests } = await throughLiveEvents(mutate);
      const observed = {
        endpoint,
        statuses: deliveries.map((record) => record.status),
        requests,
        mirrored: await check(),
      };
      expect(observed).toEqual({ endpoint, statuses: [202], requests: only(endpoint), mirrored: expected });
    }
  });

  // Known defect outside the events code: the targeted page job reads `pages/page_id:<id>`, which Canvas (and the
  // simulator) answers 401 for a deleted page (canvas-api.md §4.5), so src/sync/targeted.ts files the job as a
  // permission failure instead of tombstoning the page. Flip to `it` once 401 there is treated as gone.
  it("a page deletion tombstones the mirrored page", async () => {
    const page = (await simulator.control.truth(COURSE)).pages[5];
    if (page === undefined) throw new Error("the simulated course has too few pages");
    await throughLiveEvents(() => simulator.control.deletePage(COURSE, page.page_id));
    expect((await mirrored("page", page.page_id))?.deletedAt).not.toBeNull();
  });
});
