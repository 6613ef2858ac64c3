/**
 * POST /webhooks/canvas: the Canvas Live Events HTTPS endpoint (issue #5). Authenticates the delivery (RS256 JWT
 * against LIVE_EVENTS_JWKS_URL, or plain JSON only when ALLOW_UNSIGNED_WEBHOOKS is on), then hands the event to
 * the intake, which maps, deduplicates and enqueues at most one targeted sync job, and answers 202. The sync
 * itself runs later in the queue consumer, so the answer comes after a few D1 statements and one queue send.
 *
 * Status contract (Canvas retries anything but 2xx, about 4 attempts over 10 to 20 minutes):
 * - 202 for every authentic, well-formed event, including ones we ignore or deduplicate: retrying them is useless.
 *   An authentic event from another institution (root account or issuer not ours, src/events/institution.ts) is
 *   one of them: 202 `ignored` with the reason, counted, nothing enqueued.
 * - 4xx for deliveries that are forged, expired, too old, wrongly signed or malformed: nothing is stored for them.
 * - 503 when our key endpoint or our storage is unavailable: a retry may well succeed.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../http/database";
import { countOutcome } from "../../events/event-counters";
import { checkInstitution, type InstitutionIgnoreReason } from "../../events/institution";
import {
  IntakeContentionError,
  ingestEvent,
  type EnqueueTargetedSync,
  type IntakeResult,
} from "../../events/intake";
import { jwksSourceFor } from "../../events/jwks-registry";
import {
  failureStatus,
  verifyDelivery,
  type VerifiedDelivery,
  type VerifyFailure,
} from "../../events/verify";
import { webhookSettings } from "../../events/webhook-settings";
import { log } from "../../observability/log";
import { enqueueSyncJobs } from "../../queue/enqueue";
import type { Database } from "../../storage/d1/client";
import { errorBody } from "../../http/errors";
import { ErrorSchema } from "../schemas";

export const webhookRoutes = new OpenAPIHono<AppEnv>();

const WebhookAcceptedSchema = z
  .object({
    accepted: z.literal(true),
    outcome: z.enum(["enqueued", "coalesced", "dropped", "ignored"]),
    reason: z.string().nullable(),
    courseId: z.number().int().nullable(),
    jobId: z.string().nullable(),
  })
  .openapi("WebhookAccepted");
type WebhookAccepted = z.infer<typeof WebhookAcceptedSchema>;

const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

// Documented with registerPath rather than `openapi()`: the body is either a compact JWS or JSON that must be
// parsed with exact integers (verify.ts), so no generic body validator may consume it first.
webhookRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: "/webhooks/canvas",
  security: [],
  summary: "Canvas Live Events delivery (Canvas format; signed JWT or, when allowed, plain JSON)",
  request: {
    body: {
      content: {
        "application/jwt": {
          schema: z.string().openapi({ description: "RS256-signed JWT whose claims hold the event" }),
        },
        "application/json": {
          schema: z
            .object({ metadata: z.record(z.string(), z.unknown()), body: z.record(z.string(), z.unknown()) })
            .openapi({ description: "Unsigned event; accepted only when ALLOW_UNSIGNED_WEBHOOKS is true" }),
        },
      },
    },
  },
  responses: {
    202: {
      content: { "application/json": { schema: WebhookAcceptedSchema } },
      description:
        "Accepted. `outcome: ignored` with `reason: wrong_institution | wrong_issuer | institution_not_configured` " +
        "for authentic events that are not our institution's (nothing enqueued)",
    },
    400: errorResponse("Malformed delivery"),
    401: errorResponse("Unsigned, forged, expired, too old (replayed) or wrongly signed delivery"),
    413: errorResponse("Delivery too large"),
    503: errorResponse("Signing keys or storage temporarily unavailable; Canvas should retry"),
  },
});

webhookRoutes.post("/webhooks/canvas", async (c) => {
  const settings = webhookSettings(c.var.config);
  const text = decodeUtf8(await c.req.arrayBuffer());
  if (text === null) return rejection(c, { kind: "malformed", detail: "body is not UTF-8" });
  const verified = await verifyDelivery(text, c.req.header("content-type") ?? null, {
    jwks:
      settings.jwksUrl === undefined
        ? null
        : jwksSourceFor(settings.jwksUrl, (url, init) => fetch(url, init)),
    allowUnsigned: settings.allowUnsigned,
    maxAgeSeconds: settings.maxAgeSeconds,
  });
  if (!verified.ok) return rejection(c, verified.error);

  const { event } = verified.value;
  const verdict = checkInstitution(settings.policy, {
    rootAccountId: event.metadata["root_account_id"],
    rootAccountUuid: event.metadata["root_account_uuid"],
    issuer: verified.value.issuer,
  });
  try {
    const result = verdict.ours
      ? await ingestEvent(
          { db: c.var.db, enqueueTargetedSync: targetedSyncEnqueuer(c.env, c.var.db), now: () => Date.now() },
          event,
        )
      : await ignoreForeign(c.var.db, verdict.reason);
    const { outcome } = result;
    const body: WebhookAccepted = {
      accepted: true,
      outcome: outcome.outcome,
      reason: "reason" in outcome ? outcome.reason : null,
      courseId: result.courseId,
      jobId: result.jobId,
    };
    const level = verdict.ours ? "info" : verdict.reason === "institution_not_configured" ? "error" : "warn";
    log(level, "live event accepted", logFields(verified.value, body));
    return c.json(body, 202);
  } catch (error) {
    const contended = error instanceof IntakeContentionError;
    log(contended ? "warn" : "error", "live event intake failed", {
      event: event.name,
      error: String(error),
    });
    return c.json(errorBody("temporarily_unavailable", "the event could not be recorded; retry later"), 503);
  }
});

/** An authentic event that is not our institution's: counted, nothing else. */
async function ignoreForeign(db: Database, reason: InstitutionIgnoreReason): Promise<IntakeResult> {
  const outcome = { outcome: "ignored", reason } as const;
  await countOutcome(db, outcome);
  return { outcome, courseId: null, jobId: null };
}

/** The intake's enqueue port: one targeted job, triggered by an event, created and sent through the sync queue. */
function targetedSyncEnqueuer(env: Env, db: Database): EnqueueTargetedSync {
  return async ({ courseId, scope }, now) => {
    const [id] = await enqueueSyncJobs(
      db,
      env.SYNC_QUEUE,
      [{ courseId, mode: "targeted", trigger: "event", scope }],
      now,
    );
    if (id === undefined) throw new Error("enqueueSyncJobs returned no job id");
    return id;
  };
}

function logFields(delivery: VerifiedDelivery, body: WebhookAccepted): Record<string, unknown> {
  return { event: delivery.event.name, signed: delivery.signed, ...body };
}

/**
 * The body as UTF-8 text, or null when it is not valid UTF-8. Read as bytes because `text()` on an
 * `application/jwt` body makes the runtime warn that the content type does not look like text.
 */
function decodeUtf8(bytes: ArrayBuffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** The one place a verification failure becomes a response. Details name the failure kind, never content. */
function rejection(c: Context<AppEnv>, failure: VerifyFailure): Response {
  const status = failureStatus(failure);
  log(status === 503 ? "error" : "warn", "live event delivery rejected", {
    reason: failure.kind,
    ...("detail" in failure ? { detail: failure.detail } : {}),
  });
  const code =
    status === 400
      ? "invalid_delivery"
      : status === 401
        ? "unauthorized"
        : status === 413
          ? "payload_too_large"
          : "temporarily_unavailable";
  const message =
    status === 400
      ? "the delivery is not a valid Canvas event"
      : status === 401
        ? "the delivery is not authentic"
        : status === 413
          ? "the delivery is too large"
          : "the signing keys are unavailable; retry later";
  return c.json(errorBody(code, message, { reason: failure.kind }), status);
}
