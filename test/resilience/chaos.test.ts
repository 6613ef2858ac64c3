/**
 * Crash safety under chaos (issue #8): four courses synced three times (first sync, incremental after edits,
 * full reconciliation) while a fifth of all requests fail and the consumer is killed at random points and
 * acknowledged messages come back. After each round the mirror must equal the simulator's truth exactly, and
 * every failure must be accounted for in a job row or a dead letter. See support/chaos-driver.ts.
 */
import { describe, expect, it } from "vitest";
import { resetStorage } from "../support/harness";
import { runChaos } from "../support/chaos-driver";

/** What a seeded run did, to compare two runs of the same seed. */
async function signature() {
  await resetStorage();
  const { requests, faultsInjected, deliveries, crashes, injectedErrors, retries, jobs, lost, stale } =
    await runChaos({
      courses: 2,
      itemsPerCourse: 30,
      seed: 7,
      errorRate: 0.5,
      duplicateRate: 0.4,
    });
  return { requests, faultsInjected, deliveries, crashes, injectedErrors, retries, jobs, lost, stale };
}

describe("chaos", () => {
  it("the mirror equals the truth after faults on 20% of requests, random consumer crashes and duplicate deliveries", async () => {
    await resetStorage();
    // Rates high enough that every kind of trouble happens in a run of this size.
    const report = await runChaos({
      courses: 4,
      itemsPerCourse: 50,
      seed: 99,
      errorRate: 0.6,
      duplicateRate: 0.5,
    });
    const { rounds, ...counts } = report;
    console.log(`[chaos] ${JSON.stringify(counts)}`);
    for (const round of rounds) {
      console.log(
        `[chaos] ${round.name}: jobs=${round.jobs} ${JSON.stringify({ ...round.diff, samples: round.diff.samples.slice(0, 5) })}`,
      );
    }
    // The chaos really happened.
    expect(counts.faultsInjected).toBeGreaterThan(0);
    expect(counts.faultsInjected / counts.requests).toBeGreaterThan(0.1);
    expect(counts.crashes).toBeGreaterThan(0);
    expect(counts.injectedErrors).toBeGreaterThan(0);
    expect(counts.retries).toBeGreaterThan(0);
    expect(counts.duplicateDeliveries).toBeGreaterThan(0);
    // And left no trace in the mirror.
    expect(rounds.map((round) => [round.name, round.diff.samples])).toEqual(
      rounds.map((round) => [round.name, []]),
    );
    expect({
      lost: counts.lost,
      duplicated: counts.duplicated,
      stale: counts.stale,
      wronglyDeleted: counts.wronglyDeleted,
      badBlobs: counts.badBlobs,
      watermarkPastFailure: counts.watermarkPastFailure,
      duplicatedChanges: counts.duplicatedChanges,
    }).toEqual({
      lost: 0,
      duplicated: 0,
      stale: 0,
      wronglyDeleted: 0,
      badBlobs: 0,
      watermarkPastFailure: 0,
      duplicatedChanges: 0,
    });
    // Every failure is accounted for: no job left hanging, every failed job says why, every dead letter recorded.
    expect(counts.unaccountedJobs).toBe(0);
    expect(counts.failedJobsWithoutError).toBe(0);
    expect(counts.deadLetterRows).toBe(counts.deadLettered);
  }, 600_000);

  it("a seed reproduces its run: the same requests, faults, deliveries and crashes", async () => {
    const first = await signature();
    expect(first.crashes + first.injectedErrors).toBeGreaterThan(0);
    expect(await signature()).toEqual(first);
  }, 600_000);
});
