/**
 * The Canvas REST client: the only code that talks to the Canvas API. It sends the token as a Bearer header (never in
 * a URL), asks for per_page=100, follows `Link: rel="next"` exactly as given (refusing links to another origin, so the
 * token cannot leak), reads headers case-insensitively, validates every body with zod, reports
 * `X-Request-Cost`/`X-Rate-Limit-Remaining` to the shared rate budget, and retries what a retry can fix according to
 * the injected policy (the pure decisions live in src/resilience).
 */
import type { z } from "zod";
import { CanvasHttpError, canvasErrorFromResponse } from "../resilience/errors";
import { nextPageUrl } from "./link-header";

/** Paces requests for one token; implemented by the CanvasGate Durable Object. */
export interface RequestGate {
  /** Resolves, with a lease id, when a request may be sent. */
  acquire(): Promise<number>;
  /** Ends the lease, reporting what Canvas said about the request's cost and the bucket. */
  release(
    leaseId: number,
    observation: { cost: number | null; remaining: number | null; throttled: boolean },
  ): Promise<void>;
}

/** Decides whether a failed attempt is retried in place, and how long to wait first. */
export type RetryPolicy = (
  error: unknown,
  attempt: number,
) => { retry: true; delayMs: number; timeoutMs: number } | { retry: false };

/** Counters the client keeps for the job report and metrics. */
export interface RequestStats {
  requests: number;
  throttled: number;
  retries: number;
  bytes: number;
  rateLimitRemaining: number | null;
  byEndpoint: Record<string, number>;
}

export function newRequestStats(): RequestStats {
  return { requests: 0, throttled: 0, retries: 0, bytes: 0, rateLimitRemaining: null, byEndpoint: {} };
}

export interface CanvasClientOptions {
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
  gate: RequestGate | null;
  retryPolicy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  stats: RequestStats;
}

/** A body that is not valid JSON, or a JSON body that breaks the resource schema. */
export class CanvasResponseError extends Error {
  readonly kind = "malformed" as const;
  constructor(
    message: string,
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CanvasResponseError";
  }
}

/** Result of walking a paginated listing. `complete` is false when paging stopped early by request. */
export interface Listing<T> {
  items: T[];
  /** objects that failed the schema: skipped and reported, never stored */
  invalid: { index: number; message: string }[];
  pages: number;
  complete: boolean;
}

export class CanvasClient {
  private readonly origin: string;

  constructor(private readonly options: CanvasClientOptions) {
    this.origin = new URL(options.baseUrl).origin;
  }

  get stats(): RequestStats {
    return this.options.stats;
  }

  /** GET one JSON object and validate it. */
  async get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const { body, url } = await this.requestJson(this.resolve(path));
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new CanvasResponseError(
        `unexpected ${endpointOf(url)} response: ${parsed.error.message}`,
        endpointOf(url),
      );
    }
    return parsed.data;
  }

  /**
   * Walks a paginated listing. `shouldStop` sees each valid item in order and may end the walk early (the files
   * early-stop); the listing is then marked incomplete so nobody infers deletions from it.
   */
  async list<S extends z.ZodType>(
    path: string,
    itemSchema: S,
    shouldStop?: (item: z.infer<S>) => boolean,
  ): Promise<Listing<z.infer<S>>> {
    const listing: Listing<z.infer<S>> = { items: [], invalid: [], pages: 0, complete: true };
    let url: string | null = this.resolve(path, { per_page: "100" });
    let index = 0;
    while (url) {
      const page = await this.requestJson(url);
      listing.pages++;
      if (!Array.isArray(page.body)) {
        throw new CanvasResponseError(
          `expected a JSON array from ${endpointOf(page.url)}`,
          endpointOf(page.url),
        );
      }
      for (const raw of page.body) {
        const parsed = itemSchema.safeParse(raw);
        if (!parsed.success) {
          listing.invalid.push({ index, message: parsed.error.message.slice(0, 300) });
        } else if (shouldStop?.(parsed.data)) {
          listing.complete = false;
          return listing;
        } else {
          listing.items.push(parsed.data);
        }
        index++;
      }
      url = page.next;
    }
    return listing;
  }

  /** An absolute URL on the Canvas origin for an API path, with default query parameters added. */
  resolve(path: string, extraParams: Record<string, string> = {}): string {
    const url = new URL(path, this.options.baseUrl);
    for (const [key, value] of Object.entries(extraParams)) {
      if (!url.searchParams.has(key)) url.searchParams.set(key, value);
    }
    return url.toString();
  }

  private async requestJson(url: string): Promise<{ body: unknown; next: string | null; url: string }> {
    if (new URL(url).origin !== this.origin) {
      // A pagination link to another host would carry our token there: refuse it.
      throw new CanvasResponseError(`refusing to follow a link to another origin`, "pagination");
    }
    let timeoutMs = this.options.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(url, timeoutMs);
      } catch (error) {
        const decision = this.options.retryPolicy(error, attempt);
        if (!decision.retry) throw error;
        this.options.stats.retries++;
        timeoutMs = decision.timeoutMs;
        await this.options.sleep(decision.delayMs);
      }
    }
  }

  private async attempt(
    url: string,
    timeoutMs: number,
  ): Promise<{ body: unknown; next: string | null; url: string }> {
    const { stats, gate } = this.options;
    const endpoint = endpointOf(url);
    const leaseId = gate ? await gate.acquire() : 0;
    let cost: number | null = null;
    let remaining: number | null = null;
    let throttled = false;
    try {
      stats.requests++;
      stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
      const response = await this.options.fetch(url, {
        headers: { authorization: `Bearer ${this.options.token}`, accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      cost = numberHeader(response.headers, "x-request-cost");
      remaining = numberHeader(response.headers, "x-rate-limit-remaining");
      if (remaining !== null) stats.rateLimitRemaining = remaining;
      const text = await response.text();
      stats.bytes += text.length;
      if (!response.ok) {
        const error = canvasErrorFromResponse(response.status, response.headers, text, url);
        if (error.kind === "rate_limited") {
          throttled = true;
          stats.throttled++;
        }
        throw error;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new CanvasResponseError(`malformed JSON from ${endpoint}`, endpoint, { cause });
      }
      return { body, next: nextPageUrl(response.headers.get("link")), url };
    } finally {
      await gate?.release(leaseId, { cost, remaining, throttled });
    }
  }
}

/** A label for counters and errors: method-less path with numeric ids collapsed, never a query string. */
export function endpointOf(url: string): string {
  const path = new URL(url).pathname;
  return path.replace(/\/\d+(?=\/|$)/g, "/:id").replace(/\/page_id:\d+/, "/:page");
}

function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  if (value === null) return null;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export { CanvasHttpError };
