/**
 * What a sync delivery runs with besides its bindings and configuration: the outbound fetch, the wait between
 * in-process retries, the randomness of jitter and the queue-level backoff. Production uses the defaults; tests and
 * benchmarks inject their own (a simulator's fetch, compressed waits, a seeded random, shorter queue delays).
 */
import type { AccessOptions } from "../deps";
import type { SettleConfig } from "./settle";

export interface SyncRuntime extends Omit<AccessOptions, "timeoutMs"> {
  /** queue-level backoff overrides (e.g. shorter delays in a test that redelivers messages itself) */
  settle?: Partial<SettleConfig>;
  /** messages of one batch processed at once (default 3: each holds up to a few file buffers in 128 MB) */
  messageConcurrency?: number;
}

export const DEFAULT_MESSAGE_CONCURRENCY = 3;
