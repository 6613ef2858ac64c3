/**
 * Syncs go first (pure decision). Text extraction and dedup passes are background work: they make no Canvas requests
 * and nobody waits on them, while a sync holds Canvas's rate budget and a user's attention. So a background message
 * that arrives while a sync is running or waiting to run is put back on its queue for a short while instead of
 * competing with it for the isolate's CPU and D1. The wait is bounded: once a message has been deferred for
 * `maxWaitMs` it runs whatever is syncing, so a backlog still finishes under a steady stream of syncs.
 */

export interface BackgroundYieldSettings {
  /** how long one deferral puts the message back for */
  delaySeconds: number;
  /** the longest a message is kept waiting, from its first deferral */
  maxWaitMs: number;
}

export interface BackgroundYieldInput {
  /** sync jobs running (not stuck) or queued recently */
  activeSyncs: number;
  /** when this message was first deferred (null: never) */
  deferredSince: number | null;
  now: number;
}

export type BackgroundYieldPlan =
  | { action: "run" }
  | { action: "defer"; delaySeconds: number; deferredSince: number };

export function planBackgroundWork(
  input: BackgroundYieldInput,
  settings: BackgroundYieldSettings,
): BackgroundYieldPlan {
  if (input.activeSyncs <= 0) return { action: "run" };
  const since = input.deferredSince ?? input.now;
  const waited = Math.max(0, input.now - since);
  if (waited >= settings.maxWaitMs) return { action: "run" };
  const left = Math.ceil((settings.maxWaitMs - waited) / 1000);
  return {
    action: "defer",
    delaySeconds: Math.max(1, Math.min(settings.delaySeconds, left)),
    deferredSince: since,
  };
}
