/**
 * The queue consumer: validates each message with zod, dispatches it, and acks or retries each message on its own
 * (so one bad course never replays the others). A message that fails validation cannot succeed on retry: it is
 * forwarded to the dead-letter queue with the reason and acknowledged.
 */
import { loadConfig } from "../env";
import { log } from "../observability/log";
import { handleExtractMessage } from "./handle-extract";
import { handleSyncMessage } from "./handle-sync";
import { QueueMessageSchema } from "./message";
import type { Settlement } from "./settle";

export const MAX_RETRIES = 8;

export async function consumeSyncBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = loadConfig(env);
  for (const message of batch.messages) {
    const parsed = QueueMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      const reason = `invalid message: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`;
      log("warn", "dead-lettering an invalid queue message", { messageId: message.id, reason });
      await env.SYNC_DLQ.send({ reason, original: message.body }, { contentType: "json" });
      message.ack();
      continue;
    }
    let settlement: Settlement;
    try {
      settlement =
        parsed.data.kind === "sync"
          ? await handleSyncMessage(env, config, parsed.data, message.attempts, MAX_RETRIES)
          : await handleExtractMessage(env, config, parsed.data);
    } catch (error) {
      // Only bugs and storage outages reach here; the queue's own retry and dead-letter queue catch them.
      log("error", "queue message crashed", { messageId: message.id, error: String(error) });
      settlement = { action: "retry", delaySeconds: Math.min(600, 10 * 2 ** message.attempts) };
    }
    if (settlement.action === "retry") message.retry({ delaySeconds: settlement.delaySeconds });
    else message.ack();
  }
}
