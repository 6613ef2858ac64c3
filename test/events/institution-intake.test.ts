/**
 * Only our institution's Live Events count, end to end through POST /webhooks/canvas with the simulator's own
 * delivery (test/local/simulator/live-event-delivery.ts: RS256 tokens from its signer, the JWKS it serves): events whose
 * signed root account or issuer is not ours get 202 `ignored` with the reason, enqueue nothing, write no mark and
 * are counted (and shown on /metrics); with no institution configured every event is ignored and /health says so;
 * tokens without exp, too old (a replay of an old token) or from an http key URL are refused; unsigned deliveries
 * are filtered the same way.
 */
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/env";
import { generateSigningKey, type TestSigningKey } from "../local/simulator/live-event-signing";
import type { CanvasSimulator } from "../local/simulator";
import {
  startLiveEventDelivery,
  type DeliveryRecord,
  type LiveEventDeliveryOptions,
} from "../local/simulator/live-event-delivery";
import { api, API_TOKEN, CANVAS_TOKEN, resetStorage, startSimulator } from "../support/harness";
import {
  eventCounter,
  routeOutboundFetch,
  storedCounts,
  WEBHOOK_URL,
  webhookFetch,
  type WebhookSettings,
} from "../support/webhook-harness";

const COURSE = 101;
/** The simulator's root account as its events carry it (shard 1, account 1). */
const OURS = "10000000000001";
/** Account 1 on shard 2: the same local id, another institution. */
const OTHER_SHARD_SAME_LOCAL = "20000000000001";

let key: TestSigningKey;
let simulator: CanvasSimulator;
let jwksUrl = "";
let serveKeys: () => Response = () => new Response("no keys", { status: 503 });
let urlCounter = 0;

beforeAll(async () => {
  key = await generateSigningKey("2026-12");
});

beforeEach(async () => {
  await resetStorage();
  simulator = startSimulator({ institution: { courses: [{ id: COURSE, items: 10 }] } });
  // A fresh key URL per test, so no test sees another's cached key set.
  jwksUrl = `https://keys.test/institution/${++urlCounter}`;
  routeOutboundFetch(simulator, (url) => (url === jwksUrl ? serveKeys() : null));
  const registered = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
  if (registered.status !== 201) throw new Error(`registering the course answered ${registered.status}`);
});

/** Starts the simulator's delivery into a webhook with these settings, edits one page, returns the delivery's record. */
async function deliverOneEdit(
  settings: Omit<WebhookSettings, "allowUnsigned"> & { allowUnsigned?: boolean },
  delivery: Partial<Pick<LiveEventDeliveryOptions, "issuer" | "tokenLifetimeSeconds" | "now">> & {
    unsigned?: boolean;
  } = {},
): Promise<DeliveryRecord> {
  const started = startLiveEventDelivery({
    subscribe: (listener) => simulator.control.onEvent(listener),
    webhookUrl: WEBHOOK_URL,
    fetch: webhookFetch({ jwksUrl, allowUnsigned: false, ...settings }),
    signingKey: delivery.unsigned === true ? null : key,
    ...(delivery.issuer === undefined ? {} : { issuer: delivery.issuer }),
    ...(delivery.tokenLifetimeSeconds === undefined
      ? {}
      : { tokenLifetimeSeconds: delivery.tokenLifetimeSeconds }),
    ...(delivery.now === undefined ? {} : { now: delivery.now }),
  });
  serveKeys = () => started.jwksResponse();
  const [page] = (await simulator.control.truth(COURSE)).pages;
  if (page === undefined) throw new Error("the course has no page");
  simulator.control.editPage(COURSE, page.page_id, { body: `<p>edited ${Date.now()}</p>` });
  const records = await started.settled();
  started.stop();
  const record = records.at(-1);
  if (record === undefined) throw new Error("nothing was delivered");
  return record;
}

async function metricsText(): Promise<string> {
  const response = await api("/metrics");
  expect(response.status).toBe(200);
  return response.text();
}

const ignored = (reason: string) => ({
  status: 202,
  response: { accepted: true, outcome: "ignored", reason, courseId: null, jobId: null },
});

describe("signed Live Events from another institution", () => {
  it("accepts our own institution's signed event and enqueues its job (the control case)", async () => {
    const record = await deliverOneEdit({ rootAccountIds: OURS });
    expect(record).toMatchObject({ status: 202, response: { outcome: "enqueued", courseId: COURSE } });
  });

  it("ignores a root account on another shard with the same local id: 202, nothing enqueued, counted", async () => {
    const before = await storedCounts();
    const record = await deliverOneEdit({ rootAccountIds: OTHER_SHARD_SAME_LOCAL });
    expect(record).toMatchObject(ignored("wrong_institution"));
    const after = await storedCounts();
    expect({ jobs: after.jobs, marks: after.marks }).toEqual({ jobs: before.jobs, marks: before.marks });
    expect(await eventCounter("outcome=ignored,reason=wrong_institution")).toBe(1);
    expect(await metricsText()).toContain(
      'canvas_sync_live_events_total{outcome="ignored",reason="wrong_institution"} 1',
    );
  });

  it("matches a configured local id against the event's global id (the reference's normalisation)", async () => {
    const record = await deliverOneEdit({ rootAccountIds: "999, 1" });
    expect(record).toMatchObject({ status: 202, response: { outcome: "enqueued" } });
  });

  it("ignores a token whose iss is not the configured issuer, and one without iss", async () => {
    const wrong = await deliverOneEdit(
      { rootAccountIds: OURS, issuer: "https://ours.instructure.com" },
      { issuer: "https://theirs.instructure.com" },
    );
    expect(wrong).toMatchObject(ignored("wrong_issuer"));
    const none = await deliverOneEdit({ rootAccountIds: OURS, issuer: "https://ours.instructure.com" });
    expect(none).toMatchObject(ignored("wrong_issuer"));
    expect(await eventCounter("outcome=ignored,reason=wrong_issuer")).toBe(2);
    expect((await storedCounts()).jobs).toBe(0);

    const right = await deliverOneEdit(
      { rootAccountIds: "", issuer: "https://ours.instructure.com" },
      { issuer: "https://ours.instructure.com" },
    );
    expect(right).toMatchObject({ status: 202, response: { outcome: "enqueued" } });
  });

  it("ignores every event when no institution is configured, and /health reports it", async () => {
    const record = await deliverOneEdit({ rootAccountIds: "" });
    expect(record).toMatchObject(ignored("institution_not_configured"));
    expect((await storedCounts()).jobs).toBe(0);

    const health = await webhookFetch({ jwksUrl, allowUnsigned: false, rootAccountIds: "" })(
      new Request("https://sync.test/health"),
    );
    const body: { status: string; checks: { name: string; status: string; value: number }[] } =
      await health.json();
    expect(health.status).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.checks).toContainEqual(
      expect.objectContaining({ name: "live_events_institution_unset", status: "degraded", value: 1 }),
    );
    // Configured (the test env names the simulator's root account): the same check is healthy.
    const configured: { checks: { name: string; value: number }[] } = await (await api("/health")).json();
    expect(configured.checks).toContainEqual(
      expect.objectContaining({ name: "live_events_institution_unset", value: 0 }),
    );
  });
});

describe("signed Live Events that are too old or never expire", () => {
  it("refuses a token without exp (401), storing nothing", async () => {
    const before = await storedCounts();
    const record = await deliverOneEdit({ rootAccountIds: OURS }, { tokenLifetimeSeconds: null });
    expect(record).toMatchObject({
      status: 401,
      response: { error: { details: { reason: "claims_invalid" } } },
    });
    expect(await storedCounts()).toEqual(before);
  });

  it("refuses a replayed old token by its age even though it has not expired (401), storing nothing", async () => {
    const before = await storedCounts();
    // Signed an hour ago with a day's lifetime: valid signature, unexpired, older than the 30-minute bound.
    const record = await deliverOneEdit(
      { rootAccountIds: OURS },
      { now: () => Date.now() - 3_600_000, tokenLifetimeSeconds: 86_400 },
    );
    expect(record).toMatchObject({ status: 401, response: { error: { details: { reason: "expired" } } } });
    expect(await storedCounts()).toEqual(before);
    // A tighter configured bound refuses a token of a few minutes.
    const tight = await deliverOneEdit(
      { rootAccountIds: OURS, maxAgeSeconds: 60 },
      { now: () => Date.now() - 300_000, tokenLifetimeSeconds: 86_400 },
    );
    expect(tight.status).toBe(401);
  });
});

describe("unsigned Live Events (ALLOW_UNSIGNED_WEBHOOKS) are filtered too", () => {
  it("ignores an unsigned event from another root account and accepts our own", async () => {
    const foreign = await deliverOneEdit(
      { allowUnsigned: true, rootAccountIds: OTHER_SHARD_SAME_LOCAL },
      { unsigned: true },
    );
    expect(foreign).toMatchObject(ignored("wrong_institution"));
    expect((await storedCounts()).jobs).toBe(0);
    const ours = await deliverOneEdit({ allowUnsigned: true, rootAccountIds: OURS }, { unsigned: true });
    expect(ours).toMatchObject({ status: 202, response: { outcome: "enqueued" } });
  });

  it("ignores unsigned events when an issuer is required (they carry none)", async () => {
    const record = await deliverOneEdit(
      { allowUnsigned: true, rootAccountIds: OURS, issuer: "https://ours.instructure.com" },
      { unsigned: true },
    );
    expect(record).toMatchObject(ignored("wrong_issuer"));
  });
});

describe("LIVE_EVENTS_JWKS_URL must be https", () => {
  const base = { ...env, CANVAS_TOKEN, API_TOKEN };

  it.each(["http://keys.example.edu/jwks", "http://10.0.0.5/jwks", "ftp://keys.example.edu/jwks"])(
    "refuses %s as a configuration error naming the setting",
    (url) => {
      expect(() => loadConfig({ ...base, LIVE_EVENTS_JWKS_URL: url })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, LIVE_EVENTS_JWKS_URL: url })).toThrow(/LIVE_EVENTS_JWKS_URL/);
    },
  );

  it.each(["https://keys.example.edu/jwks", "http://127.0.0.1:8811/jwks", "http://localhost/jwks"])(
    "accepts %s",
    (url) => {
      expect(loadConfig({ ...base, LIVE_EVENTS_JWKS_URL: url }).LIVE_EVENTS_JWKS_URL).toBe(url);
    },
  );

  it("answers 5xx to deliveries while the key URL is http, storing nothing", async () => {
    const before = await storedCounts();
    const record = await deliverOneEdit({ rootAccountIds: OURS, jwksUrl: "http://keys.example.edu/jwks" });
    expect(record.status).toBe(503);
    expect(await storedCounts()).toEqual(before);
  });
});

describe("institution settings are validated", () => {
  const base = { ...env, CANVAS_TOKEN, API_TOKEN };

  it("parses a comma list of ids and refuses anything else without echoing it", () => {
    expect(
      loadConfig({ ...base, LIVE_EVENTS_ROOT_ACCOUNT_IDS: " 10000000000001, 0042 ,," })
        .LIVE_EVENTS_ROOT_ACCOUNT_IDS,
    ).toEqual(["10000000000001", "42"]);
    for (const bad of ["abc", "1;DROP", "-1", "1.5", "<script>"]) {
      let message = "";
      try {
        loadConfig({ ...base, LIVE_EVENTS_ROOT_ACCOUNT_IDS: bad });
      } catch (error) {
        message = error instanceof Error ? error.message : "";
      }
      expect(message).toContain("LIVE_EVENTS_ROOT_ACCOUNT_IDS");
      expect(message).not.toContain(bad);
    }
  });

  it("requires event marks to outlive the token age bound (so a replay is always caught)", () => {
    expect(() =>
      loadConfig({ ...base, LIVE_EVENTS_MAX_AGE_SECONDS: "86400", RETENTION_EVENT_MARKS_DAYS: "1" }),
    ).toThrow(/RETENTION_EVENT_MARKS_DAYS/);
    expect(loadConfig({ ...base, LIVE_EVENTS_MAX_AGE_SECONDS: "900" }).RETENTION_EVENT_MARKS_DAYS).toBe(7);
  });
});
