/**
 * Delivers the simulator's Live Events the way a Canvas Data Services HTTPS subscription does: one POST per event
 * to a webhook URL, the body either an RS256-signed JWT whose claims are the `{ metadata, body }` envelope ("Sign
 * Payload") or that envelope as plain JSON. Also serves the JWKS the receiver verifies against. Deliveries go out
 * one at a time in emission order through an injected fetch (the worker's own `fetch` in tests, the network in
 * the Node start script), and each is recorded with its timing and answer so tests and the benchmark can wait
 * for them and measure. Runs in workerd and in Node (jose and WebCrypto only).
 */
import type { JSONWebKeySet } from "jose";
import { jwksFor, signEvent, type TestSigningKey } from "./live-event-signing";
import type { LiveEvent, LiveEventListener } from "./live-events";

export type DeliveryFetch = (request: Request) => Promise<Response>;

export interface LiveEventDeliveryOptions {
  /** Subscribes to the simulator's events, e.g. `(l) => simulator.control.onEvent(l)`. */
  subscribe: (listener: LiveEventListener) => () => void;
  /** Where events are POSTed, e.g. "https://sync.test/webhooks/canvas". */
  webhookUrl: string;
  fetch: DeliveryFetch;
  /** Signs every delivery with this key; null sends unsigned JSON (a subscription without "Sign Payload"). */
  signingKey: TestSigningKey | null;
  /** Further public keys the JWKS serves besides the signing key (Canvas serves previous, current and next). */
  extraPublishedKeys?: readonly TestSigningKey[];
  /** Token lifetime in seconds (default 300); null signs tokens without `exp` (a misbehaving signer). */
  tokenLifetimeSeconds?: number | null;
  /** An `iss` claim for signed deliveries (none by default, as Canvas documents none). */
  issuer?: string;
  /** Clock in ms (default Date.now): token iat and the recorded timings. */
  now?: () => number;
}

export interface DeliveryRecord {
  /** 1-based order of emission since the delivery started. */
  seq: number;
  eventName: string;
  /** `metadata.event_time` as the simulator stamped it. */
  eventTime: string;
  emittedAt: number;
  /** When the webhook's answer arrived; null while in flight. */
  answeredAt: number | null;
  status: number | null;
  /** The webhook's response body (JSON parsed when possible); null while in flight or on a network error. */
  response: unknown;
  /** Network-level failure (the webhook did not answer at all). */
  error: string | null;
}

export interface LiveEventDelivery {
  /** The JWKS document for `LIVE_EVENTS_JWKS_URL` (public halves only). */
  jwks(): JSONWebKeySet;
  /** The JWKS as an HTTP response, for a fetch wrapper serving the key URL. */
  jwksResponse(): Response;
  /** Replaces the published keys and the signing key (key rotation). */
  rotate(signingKey: TestSigningKey | null, extraPublishedKeys?: readonly TestSigningKey[]): void;
  /** Every delivery so far, in emission order. */
  records(): readonly DeliveryRecord[];
  /** Resolves when every event emitted so far has been answered (or failed). */
  settled(): Promise<readonly DeliveryRecord[]>;
  /** Stops listening; deliveries already in flight still complete. */
  stop(): void;
}

/** Starts delivering the simulator's events to the webhook. */
export function startLiveEventDelivery(options: LiveEventDeliveryOptions): LiveEventDelivery {
  const now = options.now ?? (() => Date.now());
  const lifetime = options.tokenLifetimeSeconds === undefined ? 300 : options.tokenLifetimeSeconds;
  const signing = { lifetime, ...(options.issuer === undefined ? {} : { issuer: options.issuer }) };
  let signingKey = options.signingKey;
  let extraKeys = [...(options.extraPublishedKeys ?? [])];
  const records: DeliveryRecord[] = [];
  // One chain: deliveries leave in emission order, like a single-partition producer.
  let chain: Promise<void> = Promise.resolve();

  const published = (): TestSigningKey[] => {
    const keys = signingKey === null ? [...extraKeys] : [signingKey, ...extraKeys];
    return keys.filter((key, index) => keys.findIndex((other) => other.kid === key.kid) === index);
  };

  const deliver = async (
    record: DeliveryRecord,
    event: LiveEvent,
    key: TestSigningKey | null,
  ): Promise<void> => {
    // Canvas format: the envelope only (the simulator's top-level event_name duplicates metadata.event_name).
    const envelope = { metadata: event.metadata, body: event.body };
    try {
      const response = await options.fetch(
        await buildRequest(options.webhookUrl, envelope, key, now(), signing),
      );
      record.status = response.status;
      record.response = parseOrText(await response.text());
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : "delivery failed";
    } finally {
      record.answeredAt = now();
    }
  };

  const unsubscribe = options.subscribe((event) => {
    const record: DeliveryRecord = {
      seq: records.length + 1,
      eventName: event.event_name,
      eventTime: typeof event.metadata["event_time"] === "string" ? event.metadata["event_time"] : "",
      emittedAt: now(),
      answeredAt: null,
      status: null,
      response: null,
      error: null,
    };
    records.push(record);
    // The key is chosen at emission, so a rotation affects only later events.
    const key = signingKey;
    chain = chain.then(() => deliver(record, event, key));
  });

  return {
    jwks: () => jwksFor(published()),
    jwksResponse: () => Response.json(jwksFor(published())),
    rotate(nextKey, nextExtra = []) {
      signingKey = nextKey;
      extraKeys = [...nextExtra];
    },
    records: () => records,
    async settled() {
      // Deliveries can enqueue further ones only through new mutations, so one pass over the chain suffices.
      await chain;
      return records;
    },
    stop: unsubscribe,
  };
}

async function buildRequest(
  url: string,
  envelope: Record<string, unknown>,
  key: TestSigningKey | null,
  nowMs: number,
  signing: { lifetime: number | null; issuer?: string },
): Promise<Request> {
  if (key === null) {
    return new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(envelope),
    });
  }
  const token = await signEvent(envelope, key.privateKey, key.kid, {
    issuedAt: new Date(nowMs),
    expiresInSeconds: signing.lifetime,
    ...(signing.issuer === undefined ? {} : { issuer: signing.issuer }),
  });
  return new Request(url, { method: "POST", headers: { "content-type": "application/jwt" }, body: token });
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
