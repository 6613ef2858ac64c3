/**
 * One schema (src/env.ts) checks the settings on every entry point, with the same minimums: an invalid setting makes
 * HTTP answer 503 (health included, so nothing looks fine), the cron run fail without enqueuing, and the queue put
 * its messages back untouched; the messages name the variable and the rule and never echo a value.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { checkConfig, ConfigError, SETTING_NAMES } from "../../src/env";
import worker from "../../src/index";
import { MISCONFIGURED_RETRY_SECONDS } from "../../src/queue/misconfigured";
import { API_TOKEN, CANVAS_TOKEN, resetStorage } from "../support/harness";
import { jobRow, newJobs, recordingBatch, registerCourses, testQueues } from "../support/sync-harness";

const workerEnv: Env = { ...env, CANVAS_TOKEN, API_TOKEN };
const handler: ExportedHandler<Env> = worker;
const SHORT_TOKEN = "short-secret";

/** Settings that are each invalid on their own, with the words the message must contain. */
const BAD: [Record<string, string>, string][] = [
  [{ API_TOKEN: SHORT_TOKEN }, "API_TOKEN must be at least 16 characters"],
  [{ API_TOKEN: "" }, "API_TOKEN is required"],
  [{ METRICS_TOKEN: SHORT_TOKEN }, "METRICS_TOKEN must be at least 16 characters"],
  [{ CANVAS_BASE_URL: "not-a-url" }, "CANVAS_BASE_URL must be an http(s) URL"],
  [{ CANVAS_BASE_URL: "ftp://canvas.test" }, "CANVAS_BASE_URL must be an http(s) URL"],
  [
    { CANVAS_BASE_URL: "https://canvas.test/api/v1" },
    "CANVAS_BASE_URL must be the Canvas address without /api/v1",
  ],
  [{ CANVAS_TOKEN: "" }, "CANVAS_TOKEN is required"],
  [{ ALERT_WEBHOOK_URL: "hooks.example" }, "ALERT_WEBHOOK_URL must be an http(s) URL"],
  [{ ALLOW_UNSIGNED_WEBHOOKS: "yes" }, "ALLOW_UNSIGNED_WEBHOOKS must be true or false"],
  [{ SYNC_BASE_INTERVAL_MINUTES: "soon" }, "SYNC_BASE_INTERVAL_MINUTES must be a number"],
  [
    { SYNC_MIN_INTERVAL_MINUTES: "120" },
    "SYNC_MIN_INTERVAL_MINUTES must not exceed SYNC_BASE_INTERVAL_MINUTES",
  ],
  [{ STUCK_JOB_MINUTES: "-5" }, "STUCK_JOB_MINUTES must be greater than 0"],
  [{ VECTOR_DIMENSIONS: "12.5" }, "VECTOR_DIMENSIONS must be a whole number"],
  [{ NEAR_DUPLICATE_THRESHOLD: "1.5" }, "NEAR_DUPLICATE_THRESHOLD must be between 0 and 1"],
  [{ DEDUP_SCOPE: "everywhere" }, "DEDUP_SCOPE must be course or institution"],
];

describe("the configuration schema", () => {
  it.each(BAD)("rejects %j with a message naming the variable and the rule", (vars, expected) => {
    const check = checkConfig({ ...workerEnv, ...vars });
    expect(check.ok).toBe(false);
    const issues = check.ok ? [] : check.issues;
    expect(issues.join("; ")).toContain(expected);
    // Values long enough to be recognisable never appear in the message.
    const echoed = Object.values(vars).filter(
      (value) => value.length > 3 && issues.join(" ").includes(value),
    );
    expect(echoed).toEqual([]);
  });

  it("treats blank values as unset (a copied .dev.vars.example) and knows every documented setting", () => {
    const blanks = Object.fromEntries(SETTING_NAMES.map((name) => [name, ""]));
    const check = checkConfig({ ...blanks, CANVAS_BASE_URL: "https://canvas.test", CANVAS_TOKEN, API_TOKEN });
    expect(check).toMatchObject({
      ok: true,
      config: { SYNC_BASE_INTERVAL_MINUTES: 60, DEDUP_SCOPE: "course", ALLOW_UNSIGNED_WEBHOOKS: false },
    });
  });
});

describe("each entry point refuses to work with invalid settings", () => {
  beforeEach(async () => {
    await resetStorage();
  });

  it("HTTP answers 503 everywhere, even to the right (but too short) token, without echoing anything", async () => {
    const broken: Env = { ...workerEnv, API_TOKEN: SHORT_TOKEN };
    for (const path of ["/health", "/api/courses", "/metrics", "/"]) {
      const ctx = createExecutionContext();
      const response = await worker.fetch(
        new Request(`https://sync.test${path}`, { headers: { authorization: `Bearer ${SHORT_TOKEN}` } }),
        broken,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const text = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expect(JSON.parse(text)).toMatchObject({ error: { code: "misconfigured" } });
      expect(text).not.toContain(SHORT_TOKEN);
    }
  });

  it("the cron run fails naming the setting and enqueues nothing", async () => {
    await registerCourses([901]);
    const queues = testQueues();
    const broken: Env = { ...workerEnv, SYNC_QUEUE: queues.sync, CANVAS_BASE_URL: "not-a-url" };
    const scheduled = handler.scheduled;
    if (!scheduled) throw new Error("no scheduled handler");
    const ctx = createExecutionContext();
    const run = scheduled(createScheduledController({ cron: "*/5 * * * *" }), broken, ctx);
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/CANVAS_BASE_URL must be an http\(s\) URL/);
    await waitOnExecutionContext(ctx);
    expect(queues.sync.sent).toHaveLength(0);
  });

  it("the queue puts every message back after a pause and leaves the jobs queued", async () => {
    await registerCourses([902]);
    const queues = testQueues();
    const [message] = await newJobs(queues, [902]);
    if (!message) throw new Error("no job");
    const { batch, results } = recordingBatch("canvas-sync-jobs", [{ id: "m", body: message, attempts: 1 }]);
    const queue = handler.queue;
    if (!queue) throw new Error("no queue handler");
    await queue(batch, { ...workerEnv, API_TOKEN: SHORT_TOKEN }, createExecutionContext());
    expect(results.get("m")).toEqual({ id: "m", action: "retry", delaySeconds: MISCONFIGURED_RETRY_SECONDS });
    expect(await jobRow(message.jobId)).toMatchObject({ status: "queued", attempts: 0 });
  });
});
