/**
 * The Canvas REST client: the only code that talks to the Canvas API. It sends the token as a Bearer header (never in
 * a URL), asks for per_page=100, follows `Link: rel="next"` exactly as given (refusing links to another origin, so the
 * token cannot leak), reads headers case-insensitively, validates every body with zod, reports
 * `X-Request-Cost`/`X-Rate-Limit-Remaining` to the shared rate budget, and retries what a retry can fix according to
 * the injected policy (the pure decisions live in src/resilience).
 */
import type { z } from "zod";
import { CanvasHttpError, canvasErrorFromResponse } from "../resilience/errors";
import type { RequestGate } from "../ports/request-gate";
import { nextPageUrl } from "./link-header";

/** Paces requests for one token (the port lives in src/ports/request-gate.ts). */
export type { RequestGate };

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
  /** our clock, for a response without a `Date` header (default Date.now) */
  now?: () => number;
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

/**
 * Result of walking a paginated listing. `complete` is false when paging stopped early by request (`problem` null)
 * or because the pagination itself could not be trusted (`problem` says why: a `next` link that repeats a page, that
 * points to another origin, or more pages than any collection can have). An incomplete listing never proves a
 * deletion.
 */
export interface Listing<T> {
  items: T[];
  /** for each item, when Canvas produced the page that carried it (its `Date` header, ms) */
  observedAt: number[];
  /** objects that failed the schema: skipped and reported, never stored (`id` when the raw object had one) */
  invalid: { index: number; id: string | null; message: string }[];
  pages: number;
  complete: boolean;
  problem: string | null;
}

/** One object and when Canvas produced it (the response's `Date` header, ms; our clock if Canvas sent none). */
export interface Observed<T> {
  data: T;
  observedAt: number;
}

/** No collection of one course has anywhere near this many pages of 100; a listing that does is looping. */
export const MAX_LIST_PAGES = 5_000;

interface JsonPage {
  body: unknown;
  /** the next page, resolved against this page's URL; null on the last page */
  next: string | null;
  url: string;
  observedAt: number;
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
    return (await this.getObserved(path, schema)).data;
  }

  /** GET one JSON object, validate it, and say when Canvas produced it. */
  async getObserved<S extends z.ZodType>(path: string, schema: S): Promise<Observed<z.infer<S>>> {
    const { body, url, observedAt } = await this.requestJson(this.resolve(path));
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new CanvasResponseError(
        `unexpected ${endpointOf(url)} response: ${parsed.error.message}`,
        endpointOf(url),
      );
    }
    return { data: parsed.data, observedAt };
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
    const listing: Listing<z.infer<S>> = {
      items: [],
      observedAt: [],
      invalid: [],
      pages: 0,
      complete: true,
      problem: null,
    };
    let url: string | null = this.resolve(path, { per_page: "100" });
    const visited = new Set<string>();
    let index = 0;
    while (url) {
      const problem = paginationProblem(url, this.origin, visited);
      if (problem !== null) {
        listing.complete = false;
        listing.problem = `${endpointOf(url)}: ${problem}`;
        return listing;
      }
      visited.add(url);
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
          listing.invalid.push({ index, id: rawId(raw), message: parsed.error.message.slice(0, 300) });
        } else if (shouldStop?.(parsed.data)) {
          listing.complete = false;
          return listing;
        } else {
          listing.items.push(parsed.data);
          listing.observedAt.push(page.observedAt);
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

  private async requestJson(url: string): Promise<JsonPage> {
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

  private async attempt(url: string, timeoutMs: number): Promise<JsonPage> {
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
      const next = nextPageUrl(response.headers.get("link"));
      return {
        body,
        // Canvas sends absolute links; a relative one is resolved against the page it came from (RFC 8288).
        next: next === null ? null : new URL(next, url).toString(),
        url,
        observedAt: responseTime(response.headers, this.options.now ?? Date.now),
      };
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

/**
 * Why a pagination URL must not be followed, or null. Each page is fetched at most once and never on another origin
 * (the token would go with it); past MAX_LIST_PAGES the walk is a loop, whatever the URLs look like.
 */
function paginationProblem(url: string, origin: string, visited: ReadonlySet<string>): string | null {
  if (new URL(url).origin !== origin) return "a next link points to another origin; not followed";
  if (visited.has(url)) return "a next link repeats a page already read; the listing is looping";
  if (visited.size >= MAX_LIST_PAGES) return `more than ${MAX_LIST_PAGES} pages; the listing is looping`;
  return null;
}

/** The id of an object that failed its schema, when it has a usable one (`id`, or a page's `page_id`). */
function rawId(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const id = "page_id" in raw ? raw.page_id : "id" in raw ? raw.id : null;
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? String(id) : null;
}

/** When Canvas produced a response: its `Date` header (whole seconds), or our clock when it sent none. */
function responseTime(headers: Headers, now: () => number): number {
  const date = headers.get("date");
  const parsed = date === null ? Number.NaN : Date.parse(date);
  return Number.isFinite(parsed) ? parsed : now();
}

function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  if (value === null) return null;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export { CanvasHttpError };
