/**
 * Malformed and hostile queue messages for bad-input.test.ts: each must be dead-lettered with a reason saying what is
 * wrong (never quoting the bad value), acknowledged, and store nothing. Ids point at the seeded fixtures, so a
 * message that slipped through validation would visibly change them.
 */
import { COURSE, JOB_ID, SHA } from "./bad-input-cases";

export interface QueueCase {
  name: string;
  body: unknown;
  /** Text the dead-letter reason must contain. */
  reason: RegExp;
}

/** Planted in bad values: a reason that quoted the input would contain it. */
export const QUEUE_CANARY = "<script>canary</script>";

const sync = { v: 1, kind: "sync", jobId: JOB_ID, courseId: COURSE };
const extract = { v: 1, kind: "extract", courseId: COURSE, itemId: `${COURSE}:file:9001`, sha256: SHA };
const dedup = { v: 1, kind: "dedup", courseId: COURSE };

const cycle: Record<string, unknown> = { v: 1, kind: "sync" };
cycle["self"] = cycle;

export function hostileQueueCases(): QueueCase[] {
  const cases: QueueCase[] = [
    { name: "null body", body: null, reason: /invalid message/ },
    { name: "a string", body: QUEUE_CANARY, reason: /invalid message/ },
    { name: "a number", body: 42, reason: /invalid message/ },
    { name: "an array", body: [sync], reason: /invalid message/ },
    { name: "empty object", body: {}, reason: /v: unsupported message version/ },
    { name: "unknown version 2", body: { ...sync, v: 2 }, reason: /v: unsupported message version/ },
    { name: "version 0", body: { ...sync, v: 0 }, reason: /unsupported message version/ },
    { name: "version as string", body: { ...sync, v: "1" }, reason: /unsupported message version/ },
    { name: "version 1.5", body: { ...sync, v: 1.5 }, reason: /unsupported message version/ },
    {
      name: "version missing",
      body: { kind: "sync", jobId: JOB_ID, courseId: COURSE },
      reason: /unsupported/,
    },
    { name: "unknown kind", body: { ...sync, kind: "purge" }, reason: /kind/ },
    { name: "kind with script", body: { ...sync, kind: QUEUE_CANARY }, reason: /kind/ },
    { name: "kind missing", body: { v: 1, jobId: JOB_ID, courseId: COURSE }, reason: /kind/ },
    { name: "sync: jobId empty", body: { ...sync, jobId: "" }, reason: /jobId/ },
    { name: "sync: jobId number", body: { ...sync, jobId: 7 }, reason: /jobId/ },
    { name: "sync: jobId of 65 chars", body: { ...sync, jobId: "j".repeat(65) }, reason: /jobId/ },
    { name: "sync: courseId string", body: { ...sync, courseId: String(COURSE) }, reason: /courseId/ },
    { name: "sync: courseId negative", body: { ...sync, courseId: -COURSE }, reason: /courseId/ },
    { name: "sync: courseId fractional", body: { ...sync, courseId: 1.5 }, reason: /courseId/ },
    { name: "sync: courseId missing", body: { v: 1, kind: "sync", jobId: JOB_ID }, reason: /courseId/ },
    { name: "sync: courseId object", body: { ...sync, courseId: { $gt: 0 } }, reason: /courseId/ },
    { name: "extract: sha not hex", body: { ...extract, sha256: QUEUE_CANARY }, reason: /sha256/ },
    { name: "extract: sha upper case", body: { ...extract, sha256: SHA.toUpperCase() }, reason: /sha256/ },
    { name: "extract: itemId empty", body: { ...extract, itemId: "" }, reason: /itemId/ },
    { name: "extract: itemId of 201 chars", body: { ...extract, itemId: "i".repeat(201) }, reason: /itemId/ },
    { name: "extract: courseId zero", body: { ...extract, courseId: 0 }, reason: /courseId/ },
    { name: "dedup: unknown trigger", body: { ...dedup, trigger: "now" }, reason: /trigger/ },
    { name: "dedup: attempt 101", body: { ...dedup, attempt: 101 }, reason: /attempt/ },
    { name: "dedup: itemIds not an array", body: { ...dedup, itemIds: QUEUE_CANARY }, reason: /itemIds/ },
    {
      name: "dedup: 501 itemIds",
      body: { ...dedup, itemIds: Array.from({ length: 501 }, (_, i) => `${i}`) },
      reason: /itemIds/,
    },
    { name: "dedup: after empty", body: { ...dedup, after: "" }, reason: /after/ },
    {
      name: "oversized: 120 KB of padding",
      body: { ...sync, pad: "x".repeat(120 * 1024) },
      reason: /message: larger than 114688 bytes/,
    },
    {
      name: "oversized: a huge array of ids",
      body: { ...dedup, itemIds: Array.from({ length: 500 }, () => "i".repeat(300)) },
      reason: /message: larger than/,
    },
    { name: "not serialisable: a BigInt", body: { ...sync, courseId: 10n }, reason: /not serialisable/ },
    { name: "not serialisable: a cycle", body: cycle, reason: /not serialisable/ },
  ];
  return cases;
}
