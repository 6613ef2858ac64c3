/**
 * `runChaosBenchmark`: the chaos run of test/resilience/chaos.test.ts at benchmark size (more courses, bigger
 * courses, ten seeds), for `npm run bench`. Runs inside workerd (it uses the worker's D1, R2 and Durable Objects);
 * storage is wiped before each seed. A seed reproduces its run (see chaos-driver.ts), so a seed that ever shows a
 * difference can be replayed. Returns every seed's counts and the differences found (with samples); a correct
 * engine has lost = duplicated = stale = wronglyDeleted = badBlobs = watermarkPastFailure = unaccountedJobs = 0
 * whatever the seed.
 */
import { resetStorage } from "../../support/harness";
import { runChaos, type ChaosOptions, type ChaosReport } from "../../support/chaos-driver";

export interface ChaosBenchmarkOptions extends Omit<ChaosOptions, "seed"> {
  seeds?: number[];
}

export type ChaosTotals = Omit<ChaosReport, "rounds" | "courses" | "itemsPerCourse">;

export interface ChaosSeedResult extends Omit<ChaosReport, "rounds"> {
  seed: number;
  /** the first differences of each round (empty when the mirror was exact) */
  samples: string[];
}

export interface ChaosBenchmarkResult {
  courses: number;
  itemsPerCourse: number;
  seeds: number[];
  totals: ChaosTotals;
  perSeed: ChaosSeedResult[];
}

const DEFAULT_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export async function runChaosBenchmark(
  options: ChaosBenchmarkOptions = {},
  onSeed: (result: ChaosSeedResult) => void = () => undefined,
): Promise<ChaosBenchmarkResult> {
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const settings: ChaosOptions = { courses: 6, itemsPerCourse: 120, ...options };
  const perSeed: ChaosSeedResult[] = [];
  for (const seed of seeds) {
    await resetStorage();
    const { rounds, ...report } = await runChaos({ ...settings, seed });
    const result = { seed, ...report, samples: rounds.flatMap((round) => round.diff.samples.slice(0, 5)) };
    onSeed(result);
    perSeed.push(result);
  }
  const totals: ChaosTotals = {
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
    wronglyDeleted: 0,
    badBlobs: 0,
    watermarkPastFailure: 0,
    wallMs: 0,
  };
  for (const result of perSeed) {
    for (const key of Object.keys(totals).filter((name): name is keyof ChaosTotals => name in totals)) {
      totals[key] += result[key];
    }
  }
  return {
    courses: settings.courses ?? 6,
    itemsPerCourse: settings.itemsPerCourse ?? 120,
    seeds,
    totals,
    perSeed,
  };
}
