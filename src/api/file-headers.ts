/**
 * How mirrored file bytes are handed to a browser (pure; the route does the I/O). Files come from anyone who can
 * upload to a course, and the service's origin also carries the operator's API session, so bytes must never run as
 * a page of that origin: every response is an attachment unless `?inline=1` asks for a type on a small allow-list of
 * passive formats (PDF, raster images, plain text), and every response carries `nosniff`, a CSP that forbids all
 * loads and sandboxes the document, and a same-origin resource policy. Script-capable types (HTML, XHTML, SVG, XML,
 * JavaScript) are sent as `application/octet-stream` even as attachments, as a second line of defence. The filename
 * comes from the mirror and is encoded per RFC 6266 / RFC 8187 by the `content-disposition` package.
 */
import { create as contentDisposition } from "content-disposition";

/** Types a browser renders without running anything of ours; the only ones `?inline=1` may show inline. */
export const INLINE_SAFE_TYPES: ReadonlySet<string> = new Set([
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/bmp",
  "text/plain",
]);

export const FILE_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const CHARSET = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})"?\s*(?:;|$)/i;
// Anything a browser might execute or parse as a document if it ever ignored the disposition.
const SCRIPT_CAPABLE = /html|xml|svg|javascript|ecmascript|xsl|^multipart\/|^text\/(?!plain$|csv$)/;
const MAX_FILENAME_CHARS = 200;

export interface FileHeaderInput {
  /** The stored content type (Canvas's `content-type`), untrusted. */
  contentType: string | null;
  /** The file's name in the mirror (display name), untrusted; null falls back to `fallbackName`. */
  filename: string | null;
  /** Used when the mirror has no usable name, e.g. `file-123`. */
  fallbackName: string;
  /** The caller asked for `?inline=1`. */
  wantInline: boolean;
}

export interface FileHeaders {
  /** Whether the bytes are served inline (asked for and allowed). */
  inline: boolean;
  headers: Record<string, string>;
}

/** The response headers for one file's bytes (length, etag and the like are the route's). */
export function fileResponseHeaders(input: FileHeaderInput): FileHeaders {
  const essence = mediaTypeEssence(input.contentType);
  const inline = input.wantInline && essence !== null && INLINE_SAFE_TYPES.has(essence);
  const name = safeFilename(input.filename, input.fallbackName);
  return {
    inline,
    headers: {
      "content-type": servedContentType(essence, input.contentType),
      "content-disposition": contentDisposition(name, {
        type: inline ? "inline" : "attachment",
        fallback: asciiFallback(name),
      }),
      "x-content-type-options": "nosniff",
      "content-security-policy": FILE_CONTENT_SECURITY_POLICY,
      "cross-origin-resource-policy": "same-origin",
      // Authenticated content: never kept by a shared cache.
      "cache-control": "private, no-cache",
    },
  };
}

/** `type/subtype` in lower case, or null when the stored value is not a well-formed media type. */
export function mediaTypeEssence(contentType: string | null): string | null {
  if (contentType === null) return null;
  const essence = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return MEDIA_TYPE.test(essence) ? essence : null;
}

function servedContentType(essence: string | null, raw: string | null): string {
  if (essence === null || SCRIPT_CAPABLE.test(essence)) return "application/octet-stream";
  const charset = raw === null ? undefined : CHARSET.exec(raw)?.[1];
  return charset === undefined ? essence : `${essence}; charset=${charset.toLowerCase()}`;
}

/**
 * The name a browser saves the file under: control characters (a newline would end the header) and path
 * separators replaced, surrounding dots and spaces trimmed, at most 200 characters; `fallback` when nothing is left.
 */
export function safeFilename(raw: string | null, fallback: string): string {
  const replaced = (raw ?? "").normalize("NFC").replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}/\\]/gu, "_");
  const cleaned = firstGraphemes(replaced, MAX_FILENAME_CHARS).replace(/^[\s.]+|[\s.]+$/g, "");
  return cleaned === "" ? fallback : cleaned;
}

/** At most `count` user-perceived characters, so a cut never splits a surrogate pair or a combined character. */
function firstGraphemes(text: string, count: number): string {
  if (text.length <= count) return text;
  let end = 0;
  let seen = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    if (seen === count) break;
    end += segment.length;
    seen += 1;
  }
  return text.slice(0, end);
}

/**
 * The plain `filename=` parameter for clients that do not read `filename*`: accents dropped, anything else outside
 * printable ASCII, quotes, backslashes and percent signs (which some clients decode) replaced with `_`.
 */
export function asciiFallback(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]|["\\%]/g, "_");
}
