/**
 * The dedup queue message: runs one bounded pass over a course (src/dedup/dedup-pass.ts), records what it did
 * (metric_counters; the triggering job's report gets its text and near-duplicate hits), and sends its own
 * follow-ups on the extraction queue: a continuation when the course has more work than one pass takes, and a
 * delayed re-check of the items whose check ran before Vectorize had caught up (dedup/near-duplicates `planRecheck`;
 * after the last round they wait, still marked provisional, for the next sync's pass). While a sync is active the
 * message waits its turn (src/queue/yield-to-syncs.ts).
 *
 * Each message also indexes the course's texts kept in R2 for full-text search (src/search/index-r2-texts.ts): a
 * bounded batch per message, and an `index` follow-up while some are pending (delayed when reads failed, so R2 gets
 * time to recover; each document gives up after a bounded number of attempts, so the chain ends).
 */
import {
  type DedupDeps,
  type DedupPassResult,
  type PassSelection,
  dedupSettings,
  runDedupPass,
} from "../dedup/dedup-pass";
import type { DedupIndexPort } from "../dedup/vectors/counting-index";
import { planRecheck } from "../dedup/near-duplicates";
import { isVectorIndexPort } from "../ports/vector-index";
import type { Config } from "../env";
import { type Alert, raiseAlert } from "../observability/alerts";
import { type R2FillResult, indexR2Texts } from "../search/index-r2-texts";
import { log } from "../observability/log";
import { openDatabase, type Database } from "../storage/d1/client";
import { recordDedupPass, type CounterBump } from "../storage/d1/dedup-pass-record";
import type { DedupMessage, DedupMessageBody } from "./message";
import type { Settlement } from "./settle";
import { yieldToSyncs } from "./yield-to-syncs";

/** Injectable parts (tests): the index and the alert sink; production takes env.VECTORS and ALERT_WEBHOOK_URL. */
export interface DedupRuntime {
  vectors?: DedupIndexPort;
  alert?: (alert: Alert) => Promise<void>;
  now?: () => number;
  /** items per pass (default from `dedupSettings`) */
  batchSize?: number;
}

/** Re-check rounds before leaving provisional items to the next sync's pass. */
const MAX_RECHECK_ROUNDS = 5;

/** Delay of the search-index follow-up after a pass whose R2 reads failed. */
const INDEX_RETRY_DELAY_SECONDS = 60;

/** Sends a dedup message for a course on the extraction queue (one invocation per message). */
export async function enqueueDedup(
  queue: Queue,
  body: Omit<DedupMessageBody, "v" | "kind">,
  delaySeconds = 0,
): Promise<void> {
  const message: DedupMessageBody = { v: 1, kind: "dedup", ...body };
  await queue.send(message, { contentType: "json", ...(delaySeconds > 0 ? { delaySeconds } : {}) });
}

export async function handleDedupMessage(
  env: Env,
  config: Config,
  message: DedupMessage,
  runtime: DedupRuntime = {},
): Promise<Settlement> {
  const now = runtime.now ?? Date.now;
  const db = openDatabase(env.DB);
  if (await yieldToSyncs(env, db, config, message, now())) return { action: "ack" };
  const fill = await indexR2Texts(db, env.BLOBS, message.courseId, now());
  await followUpIndexing(env.EXTRACT_QUEUE, message, fill);
  if (message.trigger === "index") return { action: "ack" };
  // The generated Env types VECTORS as a union (Vectorize, or the local stand-in's RPC stub); the guard narrows it.
  const vectors = runtime.vectors ?? (isVectorIndexPort(env.VECTORS) ? env.VECTORS : undefined);
  if (vectors === undefined)
    return { action: "dead_letter", reason: "the VECTORS binding is not a vector index" };
  const deps: DedupDeps = {
    db: openDatabase(env.DB),
    blobs: env.BLOBS,
    vectors,
    settings: {
      ...dedupSettings(config),
      ...(runtime.batchSize === undefined ? {} : { batchSize: runtime.batchSize }),
    },
    now,
    alert: runtime.alert ?? ((alert) => raiseAlert(config, alert)),
    log,
  };
  const selection: PassSelection =
    message.trigger === "recheck"
      ? { mode: "recheck", itemIds: message.itemIds ?? [] }
      : {
          mode: "changes",
          after: message.after ?? "",
          includeProvisional: message.trigger === "sync",
          linkBlobs: message.trigger === "sync",
        };
  const result = await runDedupPass(deps, message.courseId, selection);
  await record(db, message, result);
  log("debug", "dedup pass", {
    courseId: message.courseId,
    trigger: message.trigger,
    attempt: message.attempt,
    checked: result.checked,
    removed: result.removed,
    exactText: result.links.exactText,
    exactBlob: result.links.exactBlob,
    nearDuplicates: result.raised.length,
    provisional: result.provisional.length,
    vectorQueries: result.index.queries,
    more: result.more,
  });

  const base = {
    courseId: message.courseId,
    ...(message.jobId === undefined ? {} : { jobId: message.jobId }),
  };
  const progressed = result.checked + result.removed + result.links.exactBlob + result.skipped.length > 0;
  if (selection.mode === "changes" && result.more && progressed) {
    await enqueueDedup(env.EXTRACT_QUEUE, {
      ...base,
      trigger: message.trigger,
      ...(result.lastId === null ? {} : { after: result.lastId }),
    });
  }
  if (result.provisional.length > 0) {
    const round = message.trigger === "recheck" ? message.attempt : 1;
    const plan = planRecheck({ provisional: true }, round, MAX_RECHECK_ROUNDS);
    if (plan.action === "recheck") {
      await enqueueDedup(
        env.EXTRACT_QUEUE,
        { ...base, trigger: "recheck", attempt: round + 1, itemIds: result.provisional },
        plan.delaySeconds,
      );
    } else {
      log("debug", "dedup: provisional checks left for the next sync's pass", {
        courseId: message.courseId,
        items: result.provisional.length,
      });
    }
  }
  return { action: "ack" };
}

/** Sends the next `index` message while R2 texts are pending; a pass that made no progress waits before retrying. */
async function followUpIndexing(queue: Queue, message: DedupMessage, fill: R2FillResult): Promise<void> {
  if (fill.indexed + fill.missing + fill.failed > 0) {
    log("info", "search: indexed texts from R2", {
      courseId: message.courseId,
      indexed: fill.indexed,
      missing: fill.missing,
      failed: fill.failed,
      remaining: fill.remaining,
    });
  }
  if (fill.remaining === 0) return;
  // One chain per sync: started by the sync's first dedup message, continued only by `index` messages (extraction
  // messages index their own texts, and dedup continuations and re-checks would only start duplicate chains).
  const startsOrContinues =
    message.trigger === "index" || (message.trigger === "sync" && message.after === undefined);
  if (!startsOrContinues) return;
  const progressed = fill.indexed + fill.missing > 0;
  await enqueueDedup(
    queue,
    { courseId: message.courseId, trigger: "index" },
    progressed ? 0 : INDEX_RETRY_DELAY_SECONDS,
  );
}

/** Metric counters for every pass, and the triggering job's report for its hits (one batch). */
async function record(db: Database, message: DedupMessage, result: DedupPassResult): Promise<void> {
  const counters: CounterBump[] = [
    ["dedup_passes_total", `trigger=${message.trigger}`, 1],
    ["dedup_links_total", "kind=exact_text", result.links.exactText],
    ["dedup_links_total", "kind=exact_blob", result.links.exactBlob],
    ["dedup_links_total", "kind=near_text", result.raised.length],
    ["dedup_checks_total", "outcome=final", result.checked - result.provisional.length],
    ["dedup_checks_total", "outcome=provisional", result.provisional.length],
    ["dedup_vector_queries_total", "", result.index.queries],
    ["dedup_vectors_upserted_total", "", result.index.upserted],
    ["dedup_vectors_deleted_total", "", result.index.deleted],
  ];
  const textHits = result.links.exactText;
  const nearHits = result.raised.length;
  await recordDedupPass(
    db,
    counters.filter(([name, , value]) => value > 0 || name === "dedup_passes_total"),
    message.jobId !== undefined && textHits + nearHits > 0
      ? { jobId: message.jobId, textHits, nearHits }
      : null,
  );
}
