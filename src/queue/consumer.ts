/**
 * The queue consumer: validates each message with zod, dispatches it, and acks, retries (with the delay the
 * settlement chose) or dead-letters each message on its own, so one bad course never replays the others. A few
 * messages of a batch run at once (different courses; the CanvasGate paces them together). A message that fails
 * validation, or whose retries are used up, is forwarded to the dead-letter queue with the reason and acknowledged;
 * the dead-letter consumer records it on the job and the course.
 */
import { loadConfig } from "../env";
import { log } from "../observability/log";
import { runWithConcurrency } from "../sync/process-collection";
import { handleDedupMessage } from "./handle-dedup";
import { handleExtractMessage } from "./handle-extract";
import { handleSyncMessage } from "./handle-sync";
import { QueueMessageSchema } from "./message";
import type { Settlement } from "./settle";
import { DEFAULT_MESSAGE_CONCURRENCY, type SyncRuntime } from "./sync-runtime";

/** Must equal `max_retries` of the queue's consumer in wrangler.toml: the last delivery is number MAX_RETRIES + 1. */
export const MAX_RETRIES = 8;

export async function consumeSyncBatch(
  batch: MessageBatch,
  env: Env,
  runtime: SyncRuntime = {},
): Promise<void> {
  const config = loadConfig(env);
  await runWithConcurrency(
    batch.messages,
    runtime.messageConcurrency ?? DEFAULT_MESSAGE_CONCURRENCY,
    async (message) => {
      const parsed = QueueMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        const reason = `invalid message: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`;
        log("warn", "dead-lettering an invalid queue message", { messageId: message.id, reason });
        await deadLetter(env, message, reason);
        return;
      }
      let settlement: Settlement;
      try {
        settlement =
          parsed.data.kind === "sync"
            ? await handleSyncMessage(env, config, parsed.data, message.attempts, MAX_RETRIES, runtime)
            : parsed.data.kind === "extract"
              ? await handleExtractMessage(env, config, parsed.data)
              : await handleDedupMessage(env, config, parsed.data);
      } catch (error) {
        // Only bugs and storage outages reach here; the queue's own retries and dead-letter queue catch them.
        log("error", "queue message crashed", { messageId: message.id, error: String(error) });
        settlement = { action: "retry", delaySeconds: Math.min(600, 10 * 2 ** message.attempts) };
      }
      if (settlement.action === "retry") message.retry({ delaySeconds: settlement.delaySeconds });
      else if (settlement.action === "dead_letter") await deadLetter(env, message, settlement.reason);
      else message.ack();
    },
  );
}

/** Forwards the message with its reason to the dead-letter queue; if even that fails, the queue retries it. */
async function deadLetter(env: Env, message: Message, reason: string): Promise<void> {
  try {
    await env.SYNC_DLQ.send({ reason, original: message.body }, { contentType: "json" });
    message.ack();
  } catch (error) {
    log("error", "could not forward to the dead-letter queue", {
      messageId: message.id,
      error: String(error),
    });
    message.retry({ delaySeconds: 60 });
  }
}
