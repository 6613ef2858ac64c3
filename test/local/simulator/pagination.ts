/**
 * Canvas pagination: per_page (default 10, clamped to 1..100), ordinal `page=N` collections (past the end is an
 * empty 200) and bookmarked collections (`page=bookmark:<base64url JSON>` = the sort key of the last row seen, so
 * rows inserted or deleted before the cursor do not shift later pages). Builds the Link header with absolute
 * URLs that repeat the caller's query, minus page/per_page/access_token/api_key (Canvas EXCLUDE_IN_PAGINATION_LINKS).
 */

export const DEFAULT_PER_PAGE = 10;
export const MAX_PER_PAGE = 100;
const LINK_HEADER_LIMIT = 6 * 1024;
const EXCLUDED_PARAMS = new Set(["page", "per_page", "access_token", "api_key"]);

export type SortKey = readonly (string | number | null)[];

export interface PageResult<T> {
  items: T[];
  link: string;
}

/** Outcome for an unusable `page` value (Canvas answers 404 for invalid pages and undecodable bookmarks). */
export const INVALID_PAGE = "invalid-page";

/** The page size asked for, clamped to 1..max (some services cap lower than Canvas's 100). */
export function perPage(url: URL, max = MAX_PER_PAGE): number {
  const raw = url.searchParams.get("per_page");
  if (raw === null) return Math.min(DEFAULT_PER_PAGE, max);
  const n = Number.parseInt(raw, 10);
  // Ruby's "abc".to_i is 0, which the clamp turns into 1.
  return Math.min(max, Math.max(1, Number.isNaN(n) ? 0 : n));
}

function pageUrl(apiOrigin: string, url: URL, page: string, size: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of url.searchParams) if (!EXCLUDED_PARAMS.has(key)) params.append(key, value);
  params.append("page", page);
  params.append("per_page", String(size));
  return `${apiOrigin}${url.pathname}?${params.toString()}`;
}

/** Joins links in Canvas's priority order, dropping the low-priority ones if the header would pass ~6 KB. */
function linkHeader(links: ReadonlyArray<[rel: string, href: string]>): string {
  const priority = ["next", "last", "prev", "current", "first"];
  const kept = new Set<string>();
  let length = 0;
  for (const rel of priority) {
    const link = links.find(([r]) => r === rel);
    if (link === undefined) continue;
    const piece = `<${link[1]}>; rel="${rel}"`.length + 1;
    if (length + piece > LINK_HEADER_LIMIT && kept.size > 0) continue;
    kept.add(rel);
    length += piece;
  }
  return links
    .filter(([rel]) => kept.has(rel))
    .map(([rel, href]) => `<${href}>; rel="${rel}"`)
    .join(",");
}

/** Ordinal pagination over an already sorted list. */
export function paginateOrdinal<T>(
  all: readonly T[],
  url: URL,
  apiOrigin: string,
  maxPerPage = MAX_PER_PAGE,
): PageResult<T> | typeof INVALID_PAGE {
  const size = perPage(url, maxPerPage);
  const raw = url.searchParams.get("page");
  let page = 1;
  if (raw !== null && raw !== "") {
    if (!/^\d+$/.test(raw)) return INVALID_PAGE;
    page = Number.parseInt(raw, 10);
    if (page < 1) return INVALID_PAGE;
  }
  const lastPage = Math.max(1, Math.ceil(all.length / size));
  const start = (page - 1) * size;
  const items = all.slice(start, start + size);
  const links: Array<[string, string]> = [["current", pageUrl(apiOrigin, url, String(page), size)]];
  if (page < lastPage) links.push(["next", pageUrl(apiOrigin, url, String(page + 1), size)]);
  if (page > 1) links.push(["prev", pageUrl(apiOrigin, url, String(page - 1), size)]);
  links.push(["first", pageUrl(apiOrigin, url, "1", size)]);
  links.push(["last", pageUrl(apiOrigin, url, String(lastPage), size)]);
  return { items, link: linkHeader(links) };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | null {
  try {
    const normal = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(normal + "=".repeat((4 - (normal.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

export function encodeBookmark(key: SortKey): string {
  return `bookmark:${toBase64Url(JSON.stringify(key))}`;
}

/** Decodes a bookmark into a sort key shaped like `template` (same length and types), or null. */
export function decodeBookmark(page: string, template: SortKey): SortKey | null {
  if (!page.startsWith("bookmark:")) return null;
  const text = fromBase64Url(page.slice("bookmark:".length));
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== template.length) return null;
  const key: Array<string | number | null> = [];
  for (let i = 0; i < template.length; i++) {
    const value: unknown = parsed[i];
    const expected = template[i];
    if (value === null && expected === null) key.push(null);
    else if (
      typeof value === "number" &&
      Number.isFinite(value) &&
      (typeof expected === "number" || expected === null)
    )
      key.push(value);
    else if (typeof value === "string" && (typeof expected === "string" || expected === null))
      key.push(value);
    else return null;
  }
  return key;
}

/**
 * Bookmark pagination over a list sorted by `compare` on `keyOf`. The next page starts at the first row whose
 * key sorts strictly after the bookmark, wherever that row sits now.
 */
export function paginateBookmarked<T>(
  all: readonly T[],
  keyOf: (item: T) => SortKey,
  compare: (a: SortKey, b: SortKey) => number,
  template: SortKey,
  url: URL,
  apiOrigin: string,
): PageResult<T> | typeof INVALID_PAGE {
  const size = perPage(url);
  const raw = url.searchParams.get("page");
  let start = 0;
  let current = "first";
  if (raw !== null && raw !== "" && raw !== "first") {
    const bookmark = decodeBookmark(raw, template);
    if (bookmark === null) return INVALID_PAGE;
    start = all.findIndex((item) => compare(keyOf(item), bookmark) > 0);
    if (start === -1) start = all.length;
    current = raw;
  }
  const items = all.slice(start, start + size);
  const links: Array<[string, string]> = [["current", pageUrl(apiOrigin, url, current, size)]];
  const last = items[items.length - 1];
  if (start + size < all.length && last !== undefined) {
    links.push(["next", pageUrl(apiOrigin, url, encodeBookmark(keyOf(last)), size)]);
  }
  links.push(["first", pageUrl(apiOrigin, url, "first", size)]);
  return { items, link: linkHeader(links) };
}

/** Compares sort keys element-wise: nulls last, strings case-insensitively (then exactly), numbers numerically. */
export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
    const xs = String(x);
    const ys = String(y);
    const xl = xs.toLowerCase();
    const yl = ys.toLowerCase();
    if (xl !== yl) return xl < yl ? -1 : 1;
    if (xs !== ys) return xs < ys ? -1 : 1;
  }
  return 0;
}
