/**
 * Runs the Live Events benchmark small, to keep it working: every event reaches the mirror and costs exactly one
 * Canvas request, to the changed object's endpoint. Latencies are reported (logged), not asserted.
 */
import { expect, it } from "vitest";
import { runLiveEventsBenchmark } from "../local/bench/live-events-benchmark";

it("each Live Event costs one Canvas request, for the changed object, and reaches the mirror", async () => {
  const result = await runLiveEventsBenchmark({ events: 12, courseItems: 150 });
  console.log(`LIVE_EVENTS_BENCH ${JSON.stringify({ ...result, perEvent: result.perEvent.length })}`);

  expect(result.events).toBe(12);
  expect(result.canvasRequestsPerEvent).toBe(1);
  expect(result.offTargetRequests).toBe(0);
  expect(result.requestsByEndpoint).toEqual({
    "GET /api/v1/courses/:id/pages/:id": 2,
    "GET /api/v1/courses/:id/assignments/:id": 2,
    "GET /api/v1/courses/:id/discussion_topics/:id": 2,
    "GET /api/v1/courses/:id/quizzes/:id": 2,
    "GET /api/v1/courses/:id/files/:id": 2,
    "GET /api/v1/courses/:id/modules": 2,
  });
  const round = [
    "wiki_page_updated",
    "assignment_updated",
    "discussion_topic_updated",
    "quiz_updated",
    "attachment_updated",
    "module_updated",
  ];
  expect(result.perEvent.map((event) => event.eventName)).toEqual(round.concat(round));
});
