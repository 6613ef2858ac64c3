/** `npm run bench` (Live Events part): event-to-mirror latency and Canvas requests per event, one BENCH_JSON line. */
import { expect, it } from "vitest";
import { runLiveEventsBenchmark } from "./live-events-benchmark";

it("Live Events reach the mirror with only the changed object's requests", { timeout: 600_000 }, async () => {
  const result = await runLiveEventsBenchmark({ events: 24 });
  expect(result.offTargetRequests).toBe(0);
  const { perEvent, ...summary } = result;
  expect(perEvent).toHaveLength(result.events);
  console.log(`BENCH_JSON ${JSON.stringify({ benchmark: "live-events", ...summary })}`);
});
