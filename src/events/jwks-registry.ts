/**
 * One JWKS cache per key URL for the life of the isolate. The cache must outlive a request (otherwise every
 * delivery would fetch the key set), so this module-level map is the one deliberate piece of global state in
 * the events code; it holds public keys only, and the fetch it uses is passed in by the caller.
 */
import { createJwksCache, type JwksFetch, type JwksSource } from "./jwks-cache";

// A deployment has one URL; the bound only matters if configuration changes within a long-lived isolate.
const MAX_SOURCES = 8;
const sources = new Map<string, JwksSource>();

/** The cached key source for `url`, created on first use with `fetch` (later calls reuse the first one's). */
export function jwksSourceFor(url: string, fetch: JwksFetch): JwksSource {
  const existing = sources.get(url);
  if (existing !== undefined) return existing;
  if (sources.size >= MAX_SOURCES) {
    const oldest = sources.keys().next();
    if (oldest.done !== true) sources.delete(oldest.value);
  }
  const source = createJwksCache({ url, fetch });
  sources.set(url, source);
  return source;
}
