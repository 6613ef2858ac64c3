/**
 * POST /webhooks/canvas: the Canvas Live Events HTTPS endpoint (issue #5). Authenticates the delivery (RS256 JWT
 * against LIVE_EVENTS_JWKS_URL, or plain JSON only when ALLOW_UNSIGNED_WEBHOOKS is on), then hands the event to
 * the intake, which maps, deduplicates and enqueues at most one targeted sync job, and answers 202. The sync
 * itself runs later in the queue consumer, so the answer comes after a few D1 statements and one queue send.
 *
 * Status contract (Canvas retries anything but 2xx, about 4 attempts over 10 to 20 minutes):
 * - 202 for every authentic, well-formed event, including ones we ignore or deduplicate: retrying them is useless.
 * - 4xx for deliveries that are forged, expired, wrongly signed or malformed: nothing is stored for them.
 * - 503 when our key endpoint or our storage is unavailable: a retry may well succeed.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { loadConfig } from "../../env";
import { IntakeContentionError, ingestEvent } from "../../events/intake";
import { jwksSourceFor } from "../../events/jwks-registry";
import { failureStatus, verifyDelivery, type VerifyFailure } from "../../events/verify";
import { log } from "../../observability/log";
import { errorBody } from "../errors";
import { ErrorSchema } from "../schemas";

export const webhookRoutes = new OpenAPIHono<{ Bindings: Env }>();

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
    202: { content: { "application/json": { schema: WebhookAcceptedSchema } }, description: "Accepted" },
    400: errorResponse("Malformed delivery"),
    401: errorResponse("Unsigned, forged, expired or wrongly signed delivery"),
    413: errorResponse("Delivery too large"),
    503: errorResponse("Signing keys or storage temporarily unavailable; Canvas should retry"),
  },
});

webhookRoutes.post("/webhooks/canvas", async (c) => {
  const config = loadConfig(c.env);
  const jwksUrl = config.LIVE_EVENTS_JWKS_URL;
  const text = decodeUtf8(await c.req.arrayBuffer());
  if (text === null) return rejection(c, { kind: "malformed", detail: "body is not UTF-8" });
  const verified = await verifyDelivery(text, c.req.header("content-type") ?? null, {
    jwks: jwksUrl === undefined ? null : jwksSourceFor(jwksUrl, (url, init) => fetch(url, init)),
    allowUnsigned: config.ALLOW_UNSIGNED_WEBHOOKS,
  });
  if (!verified.ok) return rejection(c, verified.error);

  const { event } = verified.value;
  try {
    const result = await ingestEvent({ db: c.env.DB, queue: c.env.SYNC_QUEUE, now: () => Date.now() }, event);
    const { outcome } = result;
    const body: WebhookAccepted = {
      accepted: true,
      outcome: outcome.outcome,
      reason: "reason" in outcome ? outcome.reason : null,
      courseId: result.courseId,
      jobId: result.jobId,
    };
    log("info", "live event accepted", { event: event.name, signed: verified.value.signed, ...body });
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
function rejection(c: Context<{ Bindings: Env }>, failure: VerifyFailure): Response {
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
