/**
 * `runChaosBenchmark`: the chaos run of test/resilience-e2e/chaos.test.ts at benchmark size (more courses, bigger
 * courses, several seeds), for `npm run bench`. Runs inside workerd (it uses the worker's D1, R2 and Durable
 * Objects); storage is wiped before each seed. Returns the summed counts of every seed; a correct engine has
 * lost = duplicated = stale = badBlobs = watermarkPastFailure = unaccountedJobs = 0 whatever the seed.
 */
import { resetStorage } from "../helpers/harness";
import { runChaos, type ChaosOptions, type ChaosReport } from "../resilience-e2e/support/chaos-driver";

export interface ChaosBenchmarkOptions extends Omit<ChaosOptions, "seed"> {
  seeds?: number[];
}

export type ChaosTotals = Omit<ChaosReport, "rounds" | "courses" | "itemsPerCourse">;

export interface ChaosBenchmarkResult {
  courses: number;
  itemsPerCourse: number;
  seeds: number[];
  totals: ChaosTotals;
  perSeed: Omit<ChaosReport, "rounds">[];
}

export async function runChaosBenchmark(options: ChaosBenchmarkOptions = {}): Promise<ChaosBenchmarkResult> {
  const seeds = options.seeds ?? [1, 2, 3];
  const settings: ChaosOptions = { courses: 8, itemsPerCourse: 150, ...options };
  const perSeed: Omit<ChaosReport, "rounds">[] = [];
  for (const seed of seeds) {
    await resetStorage();
    const { rounds: _rounds, ...report } = await runChaos({ ...settings, seed });
    perSeed.push(report);
  }
  const totals = perSeed.reduce<ChaosTotals>(
    (sum, report) => {
      const next = { ...sum };
      for (const key of Object.keys(sum).filter((name): name is keyof ChaosTotals => name in sum)) {
        next[key] = sum[key] + report[key];
      }
      return next;
    },
    {
      requests: 0,
      faultsInjected: 0,
      deliveries: 0,
      crashes: 0,
      injectedErrors: 0,
      retries: 0,
      deadLettered: 0,
      duplicateDeliveries: 0,
      breakerNudges: 0,
      jobs: 0,
      failedJobs: 0,
      failedJobsWithoutError: 0,
      partialJobs: 0,
      continuations: 0,
      unaccountedJobs: 0,
      deadLetterRows: 0,
      duplicatedChanges: 0,
      lost: 0,
      duplicated: 0,
      stale: 0,
      badBlobs: 0,
      watermarkPastFailure: 0,
      wallMs: 0,
    },
  );
  return {
    courses: settings.courses ?? 8,
    itemsPerCourse: settings.itemsPerCourse ?? 150,
    seeds,
    totals,
    perSeed,
  };
}
