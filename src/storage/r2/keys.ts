/**
 * The R2 key scheme. Keys are built only from ids this service generates (UUIDs) or content hashes, never from
 * Canvas-supplied names, so a file called "../../x" or "a?b#c" cannot shape where bytes land, and keys stay far
 * below R2's 1,024-byte limit. Blobs are fanned out by a 2-character prefix to keep listings of one prefix short.
 *
 *   blobs/<first 2 chars of id>/<id>   raw file bytes (id: a UUID, or the SHA-256 hex of the bytes)
 *   text/<sha256>.txt                  extracted text, addressed by the SHA-256 of its normalized form
 *   data/<sha256>.json                 a projection too large for a D1 row, addressed by its content hash
 */

const ID = /^[0-9a-f][0-9a-f-]{7,127}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Key of a stored file's bytes; `id` must be a lower-case UUID or hex digest (throws otherwise). */
export function blobKey(id: string): string {
  if (!ID.test(id)) throw new TypeError("blobKey expects a lower-case UUID or hex digest");
  return `blobs/${id.slice(0, 2)}/${id}`;
}

/** Key of extracted text; `sha256` must be 64 lower-case hex characters (throws otherwise). */
export function textKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new TypeError("textKey expects a lower-case SHA-256 hex digest");
  return `text/${sha256}.txt`;
}

/** Key of a whole projection kept in R2; `contentHash` must be 64 lower-case hex characters (throws otherwise). */
export function dataKey(contentHash: string): string {
  if (!SHA256_HEX.test(contentHash)) throw new TypeError("dataKey expects a lower-case SHA-256 hex digest");
  return `data/${contentHash}.json`;
}
