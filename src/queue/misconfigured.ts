/**
 * What the queue entry point does when the worker's configuration is invalid: nothing can run correctly, so no
 * message is handled (a half-configured consumer would fail jobs for the wrong reason). Each message goes back to
 * the queue after a pause, in the hope that the settings are fixed meanwhile (a secret put triggers no redeploy of
 * queued work); the log names the bad settings, never their values.
 */
import { log } from "../observability/log";

/** How long a message waits before the next look at the configuration. */
export const MISCONFIGURED_RETRY_SECONDS = 300;

export function deferBatchForConfig(batch: MessageBatch, issues: string[]): void {
  log("error", "queue batch deferred: the worker's configuration is invalid", {
    queue: batch.queue,
    messages: batch.messages.length,
    issues,
  });
  batch.retryAll({ delaySeconds: MISCONFIGURED_RETRY_SECONDS });
}
