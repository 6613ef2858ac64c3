/**
 * Downloads a Canvas file while keeping the Canvas token where it belongs. Canvas answers a file's download URL
 * with a redirect to a storage host (signed URL); redirects are therefore followed by hand (`redirect: "manual"`)
 * so that every hop is checked against an allow-list (the Canvas host plus configured storage hosts, with
 * `*.example.com` patterns) and `Authorization: Bearer` is sent to the Canvas origin only, never to a storage
 * host or anywhere a redirect points. The caller gets the final 2xx Response with its body unread, to stream.
 *
 * Errors are `SyncError`s so the retry logic classifies them: a refused redirect is a content problem of this
 * file (retrying will not help); a non-2xx status carries the status and the kind its host implies; messages
 * never contain a query string (signed URLs) or the token.
 */
import { networkError, parseRetryAfter, stripUrl, SyncError } from "../../resilience/errors";
import type { SyncErrorKind } from "../../resilience/errors";
import { canvasErrorFromResponse, timeoutError } from "../../resilience/errors";

export interface DownloadOptions {
  /** Origin of the Canvas instance, e.g. "https://school.instructure.com"; the only origin that gets the token. */
  canvasOrigin: string;
  token: string;
  /** Storage hosts Canvas may redirect to: "host", "host:port" or "*.domain" (any subdomain of domain). */
  allowedHosts: string[];
  fetch: typeof fetch;
  /** Per hop, until the response headers arrive; the body is streamed by the caller without this limit. */
  timeoutMs: number;
  /** Default 5. */
  maxRedirects?: number;
}

export type RedirectRefusal =
  | "host_not_allowed"
  | "insecure_scheme"
  | "too_many_redirects"
  | "missing_location";

/** A hop the download refused to make. The message names the scheme and host only. */
export class RedirectRefusedError extends SyncError {
  constructor(
    readonly refusal: RedirectRefusal,
    readonly host: string,
    message: string,
  ) {
    super("content", message);
    this.name = "RedirectRefusedError";
  }
}

/** A non-2xx final answer. `url` has no query string. */
export class DownloadHttpError extends SyncError {
  constructor(
    kind: SyncErrorKind,
    message: string,
    readonly url: string,
    readonly fromCanvas: boolean,
    details: { status: number; retryAfterMs?: number },
  ) {
    super(kind, message, details);
    this.name = "DownloadHttpError";
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ERROR_BODY_LIMIT = 16 * 1024;

/** Whether `url`'s host is the Canvas host or matches one of the allow-list patterns (pure). */
export function isHostAllowed(url: URL, canvasOrigin: URL, allowedHosts: readonly string[]): boolean {
  if (url.host === canvasOrigin.host) return true;
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedHosts.some((raw) => {
    const pattern = raw.trim().toLowerCase();
    if (pattern.startsWith("*."))
      return hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1;
    return pattern.includes(":") ? host === pattern : hostname === pattern;
  });
}

function where(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

async function readErrorBody(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (text.length < ERROR_BODY_LIMIT) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

async function httpError(response: Response, url: URL, fromCanvas: boolean): Promise<DownloadHttpError> {
  const status = response.status;
  const safeUrl = stripUrl(url.href);
  if (fromCanvas) {
    // The Canvas hop follows the Canvas client's rules (rate limits, token state, permission, ...).
    const canvas = canvasErrorFromResponse(status, response.headers, await readErrorBody(response), url.href);
    return new DownloadHttpError(canvas.kind, canvas.message, safeUrl, true, {
      status,
      ...(canvas.retryAfterMs === undefined ? {} : { retryAfterMs: canvas.retryAfterMs }),
    });
  }
  await response.body?.cancel();
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  // A storage host's 401/403 is usually an expired signature: a retry asks Canvas for a fresh redirect.
  const kind: SyncErrorKind =
    status === 429
      ? "rate_limited"
      : status >= 500 || status === 401 || status === 403 || status === 408
        ? "server"
        : status === 404 || status === 410
          ? "not_found"
          : "unknown";
  return new DownloadHttpError(kind, `storage host ${where(url)} answered ${status}`, safeUrl, false, {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

async function fetchHop(url: URL, init: RequestInit, opts: DownloadOptions): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  try {
    return await opts.fetch(url.href, { ...init, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) throw timeoutError(url.href, opts.timeoutMs, error);
    throw networkError(url.href, error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GETs a Canvas file URL (absolute, or relative to the Canvas origin), following up to `maxRedirects`
 * redirects, and returns the final 2xx response with its body unread.
 */
export async function downloadCanvasFile(fileUrl: string, opts: DownloadOptions): Promise<Response> {
  const canvas = new URL(opts.canvasOrigin);
  const maxRedirects = opts.maxRedirects ?? 5;
  let url = new URL(fileUrl, canvas);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "https:" && !(url.protocol === "http:" && canvas.protocol === "http:")) {
      // http is accepted only when Canvas itself is plain http (the local simulator); never a downgrade.
      throw new RedirectRefusedError(
        "insecure_scheme",
        url.host,
        `refused to fetch ${where(url)}: insecure scheme`,
      );
    }
    if (!isHostAllowed(url, canvas, opts.allowedHosts)) {
      throw new RedirectRefusedError(
        "host_not_allowed",
        url.host,
        `refused redirect to ${where(url)}: host is not on the allow-list`,
      );
    }
    const toCanvas = url.origin === canvas.origin;
    const headers = new Headers({ accept: "*/*" });
    if (toCanvas) headers.set("authorization", `Bearer ${opts.token}`);
    const response = await fetchHop(url, { method: "GET", headers, redirect: "manual" }, opts);
    if (REDIRECTS.has(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (location === null || location === "") {
        throw new RedirectRefusedError(
          "missing_location",
          url.host,
          `redirect from ${where(url)} has no Location`,
        );
      }
      if (hop >= maxRedirects) {
        throw new RedirectRefusedError(
          "too_many_redirects",
          url.host,
          `more than ${maxRedirects} redirects (last from ${where(url)})`,
        );
      }
      url = new URL(location, url);
      continue;
    }
    if (response.status >= 200 && response.status <= 299) return response;
    throw await httpError(response, url, toCanvas);
  }
}
