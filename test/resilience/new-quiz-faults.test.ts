/**
 * Faults on the New Quizzes request kinds (the list and a quiz's items), each against the simulator's truth:
 * a body cut short, an HTML page where JSON was due, a 5xx once and a 5xx that outlasts the in-place retries, a
 * timeout, a 404, and throttling answered 429 and 403. Whatever happens, no quiz is deleted; the job ends
 * succeeded only when the mirror is exact, otherwise partial with what it left behind named (retried first by the
 * next sync); and the next sync converges on exactly what Canvas holds.
 * Deliveries are made by hand so a delivery the consumer retries is redelivered at once.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { CanvasSimulator, FaultAction } from "../local/simulator";
import { resetStorage, startSimulator } from "../support/harness";
import {
  deliver,
  FAST_RUNTIME,
  jobRow,
  newJobs,
  registerCourses,
  syncEnv,
  testQueues,
  type JobRowView,
} from "../support/sync-harness";

const COURSE = 151;
const RUNTIME = { ...FAST_RUNTIME, pacing: false };

/** Runs one sync, redelivering while the consumer asks for a retry; returns the job row. */
async function syncByHand(vars: Record<string, string> = {}): Promise<JobRowView> {
  const queues = testQueues();
  const [message] = await newJobs(queues, [COURSE]);
  if (!message) throw new Error("no job");
  for (let attempts = 1; attempts <= 6; attempts++) {
    const [result] = await deliver(syncEnv(queues, vars), [{ id: "m", body: message, attempts }], RUNTIME);
    if (result?.action === "ack") break;
  }
  const row = await jobRow(message.jobId);
  if (!row) throw new Error("job row missing");
  return row;
}

interface QuizRow {
  canvas_id: string;
  deleted_at: number | null;
  data: string;
}

const ReportSchema = z.object({ errors: z.array(z.object({ category: z.string() })) });

/** A quiz as compared here: its id, title and items as [id, body]. */
type QuizView = [id: string, title: unknown, items: Array<[string, unknown]>];

const StoredSchema = z.object({
  title: z.unknown(),
  items: z.array(z.object({ id: z.string(), body: z.unknown() })),
});

/** Each live quiz the mirror holds, sorted by id. */
async function mirrorView(): Promise<QuizView[]> {
  const { results } = await env.DB.prepare(
    "SELECT canvas_id, deleted_at, data FROM items WHERE course_id = ?1 AND type = 'new_quiz' ORDER BY canvas_id",
  )
    .bind(COURSE)
    .all<QuizRow>();
  return results
    .filter((row) => row.deleted_at === null)
    .map((row) => {
      const data = StoredSchema.parse(JSON.parse(row.data));
      return [row.canvas_id, data.title, data.items.map((item): [string, unknown] => [item.id, item.body])];
    });
}

function bodyOf(entryType: string, entry: Record<string, unknown>): unknown {
  if (entryType === "Stimulus") return entry["body"];
  const inner = entry["entry"];
  if (entryType === "BankEntry" && typeof inner === "object" && inner !== null) {
    return Object.entries(inner).find(([key]) => key === "item_body")?.[1];
  }
  return entry["item_body"];
}

/** The same view of the simulator's truth. */
async function truthView(simulator: CanvasSimulator): Promise<QuizView[]> {
  const truth = await simulator.control.truth(COURSE, { hashes: false });
  return truth.new_quizzes
    .map((quiz): QuizView => [
      String(quiz.id),
      quiz.title,
      quiz.items.map((item): [string, unknown] => [String(item.id), bodyOf(item.entry_type, item.entry)]),
    ])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const ENDPOINTS = {
  list: `^/api/quiz/v1/courses/${COURSE}/quizzes$`,
  items: `^/api/quiz/v1/courses/${COURSE}/quizzes/\\d+/items$`,
} as const;

/**
 * `leftBehind`: the error category the faulted sync reports when it had to leave the new quiz behind (the job is
 * partial and the next sync converges); absent when the sync retries its way through (in place, by asking the list
 * once more, or by redelivering the message).
 */
interface FaultCase {
  name: string;
  action: FaultAction;
  count: number;
  vars?: Record<string, string>;
  /** the HTTP status Canvas must have answered with (throttling: 429 or 403 by the simulator's mode) */
  status?: number;
  leftBehind?: Partial<Record<"list" | "items", string>>;
}

const FAULTS: FaultCase[] = [
  // A cut or garbled body is a transport failure, retried in place; past those retries a garbled list fails the
  // delivery (redelivered), while a quiz whose items stay garbled is left behind and reported.
  { name: "truncated JSON", action: { type: "truncateBody", keepFraction: 0.5 }, count: 1 },
  { name: "invalid JSON (HTML page)", action: { type: "malformedBody" }, count: 1 },
  {
    name: "invalid JSON past the in-place retries",
    action: { type: "malformedBody" },
    count: 4,
    leftBehind: { items: "transfer" },
  },
  { name: "a 502 once", action: { type: "status", status: 502 }, count: 1, status: 502 },
  {
    name: "503s past the in-place retries",
    action: { type: "status", status: 503 },
    // one more than the in-place retries: the list's delivery is retried, the items are left behind
    count: 4,
    status: 503,
    leftBehind: { items: "transient" },
  },
  { name: "a timeout", action: { type: "timeout" }, count: 1, vars: { CANVAS_TIMEOUT_SECONDS: "0.5" } },
  {
    name: "a 404",
    action: { type: "status", status: 404 },
    count: 1,
    status: 404,
    // A 404 once on the list is asked again (only a repeated one means "no New Quizzes here").
    leftBehind: { items: "not_found" },
  },
  { name: "throttled (429)", action: { type: "throttle" }, count: 2, status: 429 },
  { name: "throttled (403)", action: { type: "throttle" }, count: 2, status: 403 },
];

describe("faults on New Quizzes requests", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({
      seed: 31,
      institution: { courses: [{ id: COURSE, items: 12, newQuizzes: 3 }] },
    });
    await registerCourses([COURSE]);
  });

  for (const endpoint of ["list", "items"] as const) {
    for (const fault of FAULTS) {
      it(`${endpoint}: ${fault.name} is survived and the next sync converges`, async () => {
        // A first clean sync, so a fault can only ever hide changes, and a wrongly deleted quiz would show.
        expect((await syncByHand()).status).toBe("succeeded");
        const { id } = simulator.control.createNewQuiz(COURSE, { title: "Added before the faulty sync" });
        simulator.control.createNewQuizItem(COURSE, id, {
          entry_type: "Item",
          entry: { title: "Q", item_body: "<p>Added too.</p>", interaction_type_slug: "essay" },
        });
        if (fault.name.includes("429")) simulator.control.setThrottle({ mode: "429" });
        if (fault.name.includes("403")) simulator.control.setThrottle({ mode: "403" });
        simulator.control.addFault({
          match: { pathRegex: ENDPOINTS[endpoint] },
          count: fault.count,
          action: fault.action,
        });
        simulator.control.resetCounters();
        const faulted = await syncByHand(fault.vars);
        const answered = Object.values(simulator.control.counters().byEndpoint).flatMap((c) =>
          Object.keys(c.statuses).map(Number),
        );
        expect(answered).toContain(fault.status ?? 200);
        const fired = simulator.control.listFaults().length === 0;
        const leftBehind = fault.leftBehind?.[endpoint];
        expect({ fired, status: faulted.status }).toEqual({
          fired: true,
          status: leftBehind === undefined ? "succeeded" : "partial",
        });
        const truth = await truthView(simulator);
        const categories = ReportSchema.parse(JSON.parse(faulted.report ?? "{}")).errors.map(
          (e) => e.category,
        );
        // Either the sync got through (in place or by redelivery) with nothing to report, or only the quiz added
        // since is missing (nothing deleted) and the report says why.
        expect(await mirrorView()).toEqual(
          leftBehind === undefined ? truth : truth.filter((quiz) => quiz[0] !== String(id)),
        );
        expect(categories).toEqual(leftBehind === undefined ? [] : [leftBehind]);
        simulator.control.setThrottle({ mode: "403" });
        expect((await syncByHand()).status).toBe("succeeded");
        expect(await mirrorView()).toEqual(truth);
      });
    }
  }
});
