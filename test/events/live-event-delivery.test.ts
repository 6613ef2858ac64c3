/**
 * The simulator's Live Event delivery on its own: what it POSTs (a verifiable RS256 JWT holding the Canvas
 * `{ metadata, body }` envelope, or that envelope as JSON), in emission order, the JWKS it serves, key rotation,
 * and that stop() ends the subscription.
 */
import { createLocalJWKSet, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../local/simulator/live-event-signing";
import type { TestSigningKey } from "../local/simulator/live-event-signing";
import { createCanvasSimulator } from "../local/simulator";
import type { CanvasSimulator } from "../local/simulator";
import { startLiveEventDelivery } from "../local/simulator/live-event-delivery";

const COURSE = 5;
const WEBHOOK = "https://sync.test/webhooks/canvas";

type Captured = { contentType: string | null; body: string };

function capture(): { posted: Captured[]; fetch: (request: Request) => Promise<Response> } {
  const posted: Captured[] = [];
  return {
    posted,
    fetch: async (request) => {
      posted.push({ contentType: request.headers.get("content-type"), body: await request.text() });
      return Response.json({ accepted: true }, { status: 202 });
    },
  };
}

function simulator(): CanvasSimulator {
  return createCanvasSimulator({
    apiOrigin: "https://canvas.test",
    storageOrigin: "https://files.canvas-storage.test",
    institution: { courses: [{ id: COURSE, items: 12 }] },
  });
}

let current: TestSigningKey;
let next: TestSigningKey;

beforeAll(async () => {
  current = await generateSigningKey("2026-11");
  next = await generateSigningKey("2026-12");
});

describe("startLiveEventDelivery", () => {
  it("POSTs each event as an RS256 JWT that verifies against the served JWKS, in emission order", async () => {
    const sim = simulator();
    const { posted, fetch } = capture();
    const delivery = startLiveEventDelivery({
      subscribe: (listener) => sim.control.onEvent(listener),
      webhookUrl: WEBHOOK,
      fetch,
      signingKey: current,
      extraPublishedKeys: [next],
    });
    const [first, second] = (await sim.control.truth(COURSE)).pages;
    if (!first || !second) throw new Error("too few pages");
    sim.control.editPage(COURSE, first.page_id, { body: "<p>one</p>" });
    sim.control.editPage(COURSE, second.page_id, { body: "<p>two</p>" });
    const records = await delivery.settled();

    expect(records.map((record) => [record.seq, record.eventName, record.status])).toEqual([
      [1, "wiki_page_updated", 202],
      [2, "wiki_page_updated", 202],
    ]);
    expect(delivery.jwks().keys.map((key) => key.kid)).toEqual(["2026-11", "2026-12"]);
    expect(delivery.jwks().keys.every((key) => !("d" in key))).toBe(true);

    const keys = createLocalJWKSet(await delivery.jwksResponse().json());
    const claims = [];
    for (const { contentType, body } of posted) {
      expect(contentType).toBe("application/jwt");
      const { payload, protectedHeader } = await jwtVerify(body, keys, { algorithms: ["RS256"] });
      expect(protectedHeader.kid).toBe("2026-11");
      claims.push(payload);
    }
    // Canvas format: only the envelope (plus iat/exp), ids as Canvas writes them (global, stringified).
    expect(claims.map((claim) => Object.keys(claim).sort())).toEqual([
      ["body", "exp", "iat", "metadata"],
      ["body", "exp", "iat", "metadata"],
    ]);
    expect(claims.map((claim) => claim["body"])).toMatchObject([
      { wiki_page_id: String(10_000_000_000_000 + first.page_id) },
      { wiki_page_id: String(10_000_000_000_000 + second.page_id) },
    ]);
  });

  it("posts plain JSON envelopes when unsigned, signs later events with a rotated key, and stops", async () => {
    const sim = simulator();
    const { posted, fetch } = capture();
    const delivery = startLiveEventDelivery({
      subscribe: (listener) => sim.control.onEvent(listener),
      webhookUrl: WEBHOOK,
      fetch,
      signingKey: null,
    });
    const [assignment] = (await sim.control.truth(COURSE)).assignments;
    if (!assignment) throw new Error("no assignment");
    sim.control.editAssignment(COURSE, assignment.id, { name: "Renamed" });
    await delivery.settled();
    expect(posted[0]?.contentType).toBe("application/json");
    const unsigned: { metadata: Record<string, unknown>; body: Record<string, unknown> } = JSON.parse(
      posted[0]?.body ?? "{}",
    );
    expect(Object.keys(unsigned).sort()).toEqual(["body", "metadata"]);
    expect(unsigned.metadata["event_name"]).toBe("assignment_updated");

    delivery.rotate(next);
    sim.control.editAssignment(COURSE, assignment.id, { name: "Renamed again" });
    await delivery.settled();
    const { protectedHeader } = await jwtVerify(posted[1]?.body ?? "", createLocalJWKSet(delivery.jwks()));
    expect(protectedHeader.kid).toBe("2026-12");

    delivery.stop();
    sim.control.editAssignment(COURSE, assignment.id, { name: "Unheard" });
    await delivery.settled();
    expect(posted.length).toBe(2);
  });

  it("records a webhook that cannot be reached and keeps delivering", async () => {
    const sim = simulator();
    let calls = 0;
    const delivery = startLiveEventDelivery({
      subscribe: (listener) => sim.control.onEvent(listener),
      webhookUrl: WEBHOOK,
      fetch: () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new TypeError("connection refused"))
          : Promise.resolve(new Response(null, { status: 204 }));
      },
      signingKey: current,
    });
    const [quiz] = (await sim.control.truth(COURSE)).quizzes;
    if (!quiz) throw new Error("no quiz");
    sim.control.editQuiz(COURSE, quiz.id, { title: "A" });
    sim.control.editQuiz(COURSE, quiz.id, { title: "B" });
    const records = await delivery.settled();
    expect(records.map((record) => ({ status: record.status, error: record.error }))).toEqual([
      { status: null, error: "TypeError: connection refused" },
      { status: 204, error: null },
    ]);
  });
});
