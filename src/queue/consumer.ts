/**
 * The queue consumer: validates each message with zod, dispatches it, and acks, retries (with the delay the
 * settlement chose) or dead-letters each message on its own, so one bad course never replays the others. A message
 * that fails validation, or whose retries are used up, is forwarded to the dead-letter queue with the reason and
 * acknowledged; the dead-letter consumer records it on the job and the course.
 *
 * Sync messages of one batch run one after another and share the invocation's budget: Cloudflare counts
 * subrequests and D1 queries per invocation, whatever the number of messages (wrangler.toml delivers one sync
 * message per invocation, so normally a delivery has the whole budget). The bindings and fetch are metered once
 * per invocation (invocation-meter.ts).
 */
import { tokenFingerprint } from "../deps";
import { loadConfig } from "../env";
import { log } from "../observability/log";
import { retryDelaySeconds } from "../resilience/backoff";
import { handleDedupMessage } from "./handle-dedup";
import { handleExtractMessage } from "./handle-extract";
import { handleSyncMessage, type Invocation } from "./handle-sync";
import { InvocationMeter, PRODUCTION_LIMITS } from "./invocation-meter";
import { boundedForDeadLetter, QueueMessageSchema } from "./message";
import type { Settlement } from "./settle";
import type { SyncRuntime } from "./sync-runtime";

/** Must equal `max_retries` of the queue's consumer in wrangler.toml: the last delivery is number MAX_RETRIES + 1. */
export const MAX_RETRIES = 8;

export async function consumeSyncBatch(
  batch: MessageBatch,
  env: Env,
  runtime: SyncRuntime = {},
): Promise<void> {
  const config = loadConfig(env);
  const meter = new InvocationMeter(
    new URL(config.CANVAS_BASE_URL).origin,
    config.EMULATE_PLATFORM_LIMITS ? PRODUCTION_LIMITS : null,
  );
  const invocation: Invocation = {
    env: meter.env(env),
    config,
    meter,
    fingerprint: await tokenFingerprint(config.CANVAS_TOKEN),
    runtime,
  };
  for (const message of batch.messages) {
    const parsed = QueueMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      const reason = `invalid message: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(message)"}: ${issue.message}`).join("; ")}`;
      log("warn", "dead-lettering an invalid queue message", { messageId: message.id, reason });
      await deadLetter(env, message, reason);
      continue;
    }
    let settlement: Settlement;
    try {
      settlement =
        parsed.data.kind === "sync"
          ? await handleSyncMessage(invocation, parsed.data, message.attempts, MAX_RETRIES)
          : parsed.data.kind === "extract"
            ? await handleExtractMessage(env, config, parsed.data)
            : await handleDedupMessage(env, config, parsed.data);
    } catch (error) {
      // Only bugs and storage outages reach here; the queue's own retries and dead-letter queue catch them.
      log("error", "queue message crashed", { messageId: message.id, error: String(error) });
      settlement = { action: "retry", delaySeconds: retryDelaySeconds(message.attempts) };
    }
    if (settlement.action === "retry") message.retry({ delaySeconds: settlement.delaySeconds });
    else if (settlement.action === "dead_letter") await deadLetter(env, message, settlement.reason);
    else message.ack();
  }
}

/** Forwards the message with its reason to the dead-letter queue; if even that fails, the queue retries it. */
async function deadLetter(env: Env, message: Message, reason: string): Promise<void> {
  try {
    // Bounded: a message near the 128 KB limit plus its reason must not fail to forward and lose the reason.
    await env.SYNC_DLQ.send(
      { reason, original: boundedForDeadLetter(message.body) },
      { contentType: "json" },
    );
    message.ack();
  } catch (error) {
    log("error", "could not forward to the dead-letter queue", {
      messageId: message.id,
      error: String(error),
    });
    message.retry({ delaySeconds: 60 });
  }
}
