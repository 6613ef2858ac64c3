/**
 * What a sync delivery runs with besides its bindings and configuration: the outbound fetch, the wait between
 * in-process retries, the randomness of jitter and the queue-level backoff. Production uses the defaults; tests and
 * benchmarks inject their own (a simulator's fetch, compressed waits, a seeded random, shorter queue delays).
 */
import type { AccessOptions } from "../deps";
import type { SyncConfig } from "../sync/context";
import type { SettleConfig } from "./settle";

export interface SyncRuntime extends Omit<AccessOptions, "timeoutMs"> {
  /** queue-level backoff overrides (e.g. shorter delays in a test that redelivers messages itself) */
  settle?: Partial<SettleConfig>;
  /** pipeline overrides for tests and benchmarks (e.g. concurrency 1 for a run that must replay exactly) */
  syncConfig?: Partial<SyncConfig>;
}
