/**
 * Builders for Canvas-format Live Event envelopes used by the events tests. Shapes follow
 * canvas-api.md §6.3/§6.5 and lib/canvas/live_events.rb: ids are strings, request-triggered events
 * carry a global Course context in metadata, job-triggered ones carry none. Every event is from the test
 * institution, the simulator's root account (LIVE_EVENTS_ROOT_ACCOUNT_IDS in wrangler.toml's local environment).
 */

const SHARD_FACTOR = 10_000_000_000_000n;

/** A global id for `local` on `shard`, as Canvas writes it (decimal string). */
export function globalId(shard: number, local: number): string {
  return (BigInt(shard) * SHARD_FACTOR + BigInt(local)).toString();
}

/** The test institution's root account as events carry it (global id of account 1 on shard 1). */
export const TEST_ROOT_ACCOUNT_ID = globalId(1, 1);

export type Envelope = { metadata: Record<string, unknown>; body: Record<string, unknown> };

export function requestMetadata(
  eventName: string,
  eventTime: string,
  context: { type: string; id: string } | null,
): Record<string, unknown> {
  return {
    event_name: eventName,
    event_time: eventTime,
    producer: "canvas",
    root_account_id: TEST_ROOT_ACCOUNT_ID,
    root_account_uuid: "abc123",
    user_id: globalId(7, 555),
    user_login: "teacher@example.edu",
    request_id: "3f1c0f8a-2d7e-4a8a-9b6e-8d4c2f1a0b11",
    hostname: "canvas.test",
    ...(context === null ? {} : { context_type: context.type, context_id: context.id }),
  };
}

export function jobMetadata(eventName: string, eventTime: string): Record<string, unknown> {
  return {
    event_name: eventName,
    event_time: eventTime,
    producer: "canvas",
    root_account_id: TEST_ROOT_ACCOUNT_ID,
    job_id: "1029384756",
    job_tag: "ContentMigration#import_content",
  };
}

export function envelope(metadata: Record<string, unknown>, body: Record<string, unknown>): Envelope {
  return { metadata, body };
}
