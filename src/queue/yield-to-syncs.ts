/**
 * Background messages (extraction, dedup passes) ask here first whether to run now or let syncs go first
 * (src/queue/background-yield.ts decides). A deferred message is sent again, with a delay and the time of its first
 * deferral, and the delivery is acknowledged: a queue retry would spend one of the message's few retries on waiting.
 */
import type { Config } from "../env";
import { countActiveSyncs, countDeferral } from "../storage/d1/background-work";
import type { Database } from "../storage/d1/client";
import { planBackgroundWork } from "./background-yield";
import type { DedupMessage, ExtractMessage } from "./message";

/** True when the message was put back for later; the caller then acknowledges it and does nothing. */
export async function yieldToSyncs(
  env: Env,
  db: Database,
  config: Config,
  message: ExtractMessage | DedupMessage,
  now: number = Date.now(),
): Promise<boolean> {
  const activeSyncs = await countActiveSyncs(db, now - config.STUCK_JOB_MINUTES * 60_000);
  const plan = planBackgroundWork(
    { activeSyncs, deferredSince: message.deferredSince ?? null, now },
    {
      delaySeconds: config.BACKGROUND_YIELD_SECONDS,
      maxWaitMs: config.BACKGROUND_MAX_WAIT_MINUTES * 60_000,
    },
  );
  if (plan.action === "run") return false;
  await env.EXTRACT_QUEUE.send(
    { ...message, deferredSince: plan.deferredSince },
    { contentType: "json", delaySeconds: plan.delaySeconds },
  );
  await countDeferral(db, message.kind);
  return true;
}
