/**
 * The queue consumer: validates each message with zod, dispatches it, and acks, retries (with the delay the
 * settlement chose) or dead-letters each message on its own, so one bad course never replays the others. A message
 * that fails validation, or whose retries are used up, is forwarded to the dead-letter queue with the reason and
 * acknowledged; the dead-letter consumer records it on the job and the course.
 *
 * Sync messages of one batch run one after another and share the invocation's budget: Cloudflare counts
 * subrequests and D1 queries per invocation, whatever the number of messages (wrangler.toml delivers one sync
 * message per invocation, so normally a delivery has the whole budget). The bindings and fetch are metered once
 * per invocation (invocation.ts), with the configuration and token fingerprint the entry point computed once.
 */
import type { InvocationSetup } from "../deps";
import { log } from "../observability/log";
import { retryDelaySeconds } from "../resilience/backoff";
import { unreachable } from "../shared/unreachable";
import { handleDedupMessage } from "./handle-dedup";
import { handleExtractMessage } from "./handle-extract";
import { handleSyncMessage } from "./handle-sync";
import { openInvocation, type Invocation } from "./invocation";
import { boundedForDeadLetter, QueueMessageSchema, type QueueMessage } from "./message";
import type { Settlement } from "./settle";
import type { SyncRuntime } from "./sync-runtime";

/** Must equal `max_retries` of the queue's consumer in wrangler.toml: the last delivery is number MAX_RETRIES + 1. */
export const MAX_RETRIES = 8;

export async function consumeSyncBatch(
  batch: MessageBatch,
  env: Env,
  setup: InvocationSetup,
  runtime: SyncRuntime = {},
): Promise<void> {
  const invocation = openInvocation(env, setup, runtime);
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
      settlement = await dispatch(invocation, env, parsed.data, message.attempts);
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

/**
 * One handler per kind of message. A sync runs on the invocation's metered bindings; extraction and dedup are
 * background work with their own bounds and get the bindings as given.
 */
function dispatch(
  invocation: Invocation,
  env: Env,
  message: QueueMessage,
  attempts: number,
): Promise<Settlement> {
  switch (message.kind) {
    case "sync":
      return handleSyncMessage(invocation, message, attempts, MAX_RETRIES);
    case "extract":
      return handleExtractMessage(env, invocation.config, message);
    case "dedup":
      return handleDedupMessage(env, invocation.config, message);
    default:
      return unreachable(message, "queue message kind");
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
