/**
 * Cloudflare's published Workers Paid prices (USD, list prices as of 2026; the included monthly allowances are
 * ignored so the numbers are marginal costs) and the cost of one measured sync. CPU time cannot be measured in
 * local workerd, so the wall time of the sync is used as an upper bound for CPU milliseconds.
 */

export const PRICES = {
  workerRequestPerMillion: 0.3,
  workerCpuMsPerMillion: 0.02,
  d1RowsReadPerMillion: 0.001,
  d1RowsWrittenPerMillion: 1.0,
  r2ClassAPerMillion: 4.5,
  r2ClassBPerMillion: 0.36,
  queueOperationsPerMillion: 0.4,
  durableObjectRequestsPerMillion: 0.15,
} as const;

export interface SyncCounters {
  canvasRequests: number;
  d1RowsWritten: number;
  r2Writes: number;
  wallMs: number;
  /** rows the sync reads: roughly every stored item of the course once */
  d1RowsRead: number;
}

export interface SyncCost {
  workers: number;
  cpu: number;
  d1: number;
  r2: number;
  queues: number;
  durableObjects: number;
  total: number;
}

/**
 * One sync = one queue message (write, read, delete: 3 operations) and one consumer invocation; the Canvas gate
 * Durable Object is asked twice per Canvas request (reserve, complete) plus a handful of course-object calls.
 */
export function costOfSync(counters: SyncCounters): SyncCost {
  const million = 1_000_000;
  const workers = (1 / million) * PRICES.workerRequestPerMillion;
  const cpu = (counters.wallMs / million) * PRICES.workerCpuMsPerMillion;
  const d1 =
    (counters.d1RowsWritten / million) * PRICES.d1RowsWrittenPerMillion +
    (counters.d1RowsRead / million) * PRICES.d1RowsReadPerMillion;
  const r2 = (counters.r2Writes / million) * PRICES.r2ClassAPerMillion;
  const queues = (3 / million) * PRICES.queueOperationsPerMillion;
  const durableObjects =
    ((counters.canvasRequests * 2 + 6) / million) * PRICES.durableObjectRequestsPerMillion;
  return {
    workers,
    cpu,
    d1,
    r2,
    queues,
    durableObjects,
    total: workers + cpu + d1 + r2 + queues + durableObjects,
  };
}

/** 1,000 courses synced hourly for 30 days. */
export const SYNCS_PER_MONTH = 1_000 * 24 * 30;
