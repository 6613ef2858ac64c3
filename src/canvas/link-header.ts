/**
 * RFC 8288 `Link` header parsing. Canvas gives absolute, opaque page URLs (ordinal pages or bookmarks); we follow
 * `rel="next"` exactly as given and never build page URLs ourselves.
 */

/** Returns a map from each rel name to its URL (later entries do not override earlier ones). */
export function parseLinkHeader(header: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!header) return links;
  // Split on commas that start a new `<...>` entry; URLs may themselves contain commas.
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const [, url, params] = match;
    if (url === undefined || params === undefined) continue;
    for (const param of params.split(";")) {
      const relMatch = /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(param);
      if (!relMatch?.[1]) continue;
      for (const rel of relMatch[1].toLowerCase().split(/\s+/)) {
        if (rel && !links.has(rel)) links.set(rel, url);
      }
    }
  }
  return links;
}

/** The URL of the next page, or null on the last page. */
export function nextPageUrl(header: string | null): string | null {
  return parseLinkHeader(header).get("next") ?? null;
}
