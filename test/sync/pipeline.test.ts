/**
 * The entry pipeline keeps its connections busy (issue 17): a slow request holds one worker, not its whole group.
 * Entries used to be built in batches, and a batch boundary left every connection idle until the slowest request of
 * the batch had answered; now the pool runs on while groups are settled and committed behind it. The mirror is
 * still exact, and a fatal failure stops the pool without leaving work running behind the delivery.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetStorage, startSimulator } from "../support/harness";
import { checkMirror } from "../support/mirror-check";
import { playJobs } from "../support/queue-player";
import {
  FAST_RUNTIME,
  fastBudget,
  jobRow,
  newJobs,
  registerCourses,
  testQueues,
} from "../support/sync-harness";
import { GroupChain, runWithConcurrency } from "../../src/sync/concurrency";

const COURSE = 811;
const SLOW_MS = 1_500;

beforeEach(async () => {
  await resetStorage();
});

describe("the entry pipeline", () => {
  it("a slow download holds one worker: the others run on past its group, and the mirror is exact", async () => {
    const simulator = startSimulator({ seed: 82, institution: { courses: [{ id: COURSE, items: 150 }] } });
    await fastBudget(simulator);
    await registerCourses([COURSE]);
    const files = (await simulator.control.truth(COURSE, { hashes: false })).files;
    expect(files.length).toBeGreaterThan(20);
    // Files are listed newest first: the second one listed is slow, with most of the course still to come.
    const slow = files.map((file) => file.id).sort((a, b) => b - a)[1];
    simulator.control.addFault({
      match: { origin: "api", pathPrefix: `/files/${slow}/download` },
      action: { type: "latency", ms: SLOW_MS },
    });
    const answer = vi.mocked(globalThis.fetch).getMockImplementation();
    if (answer === undefined) throw new Error("the simulator answers no fetch");
    const downloads: { id: number; at: number }[] = [];
    vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const id = /^\/files\/(\d+)\/download/.exec(url.pathname)?.[1];
      if (id !== undefined) downloads.push({ id: Number(id), at: Date.now() });
      return answer(input, init);
    });

    const queues = testQueues();
    const [message] = await newJobs(queues, [COURSE], "full");
    if (!message) throw new Error("no job");
    // Groups of 5 on 3 workers: behind a batch boundary, at most the 4 others of the slow one's batch could start
    // while it was answered.
    await playJobs(queues, [message], {
      vars: { CANVAS_TIMEOUT_SECONDS: "10" },
      runtime: { ...FAST_RUNTIME, syncConfig: { batchSize: 5, concurrency: 3 } },
    });

    expect((await jobRow(message.jobId))?.status).toBe("succeeded");
    const slowAt = downloads.find((download) => download.id === slow)?.at ?? Number.NaN;
    const meanwhile = downloads.filter((download) => download.at > slowAt && download.at < slowAt + SLOW_MS);
    expect(meanwhile.length).toBeGreaterThan(10);
    const diff = await checkMirror(COURSE, await simulator.control.truth(COURSE), {
      expectFileDeletions: true,
      lookbackMs: 10 * 60_000,
    });
    expect(diff.samples).toEqual([]);
  });
});

describe("runWithConcurrency", () => {
  it("starts no item after a failure and rejects only once the tasks in flight have finished", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = runWithConcurrency([1, 2, 3, 4, 5, 6, 7, 8], 3, async (item) => {
      started.push(item);
      await new Promise((resolve) => setTimeout(resolve, item === 2 ? 1 : 20));
      if (item === 2) throw new Error("fatal");
      finished.push(item);
    });
    await expect(run).rejects.toThrow("fatal");
    // 1 and 3 were in flight when 2 failed: they finished before the rejection; nothing after them started.
    expect(started).toEqual([1, 2, 3]);
    expect(finished.toSorted((a, b) => a - b)).toEqual([1, 3]);
  });

  it("keeps `limit` tasks going: a slow task does not hold the others", async () => {
    const order: number[] = [];
    await runWithConcurrency([1, 2, 3, 4, 5, 6], 2, async (item) => {
      await new Promise((resolve) => setTimeout(resolve, item === 1 ? 60 : 5));
      order.push(item);
    });
    expect(order).toEqual([2, 3, 4, 5, 6, 1]);
  });
});

describe("GroupChain", () => {
  it("runs steps one after another, skips the rest after a failure and reports the first", async () => {
    const chain = new GroupChain();
    const ran: string[] = [];
    chain.add(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      ran.push("a");
    });
    chain.add(async () => {
      ran.push("b");
      throw new Error("first");
    });
    chain.add(async () => {
      ran.push("c");
    });
    await expect(chain.done()).rejects.toThrow("first");
    expect(ran).toEqual(["a", "b"]);
    expect(() => chain.throwIfFailed()).toThrow("first");
  });

  it("makes room only once fewer than the limit are waiting or running (the pool's back-pressure)", async () => {
    const chain = new GroupChain();
    const release: (() => void)[] = [];
    for (let i = 0; i < 2; i++) chain.add(() => new Promise<void>((resolve) => release.push(resolve)));
    let roomy = false;
    const room = chain.room(2).then(() => {
      roomy = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(roomy).toBe(false);
    release.shift()?.();
    await room;
    expect(roomy).toBe(true);
    await chain.room(3);
    await new Promise((resolve) => setTimeout(resolve, 1));
    release.shift()?.();
    await chain.done();
  });
});
