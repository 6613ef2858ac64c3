/**
 * File downloads as hosted Canvas does them: `GET /files/:id/download?download_frd=1&verifier=<uuid>` (verifier
 * or token; the token only, once verifiers are switched off as Canvas announced for 2026) answers 302 to a
 * short-lived signed URL on a separate storage origin; the storage origin behaves like S3: it refuses any
 * request that also carries an Authorization header (400 "Only one auth mechanism allowed"), refuses bad or
 * expired signatures (403), and streams the bytes generated on the fly, with the per-file misbehaviours (no
 * Content-Length, a lying Content-Length).
 */
import { contentSize, openContentStream } from "./file-content";
import { json } from "./http";
import { mix } from "../rng";
import { missing, numericParam, type Reply, type Route, type RouteInput } from "./routing";
import type { SimContext } from "./context";
import type { TokenRegistry } from "./auth";

export const SIGNED_URL_TTL_SECONDS = 300;

export interface StorageSigner {
  sign(payload: string): Promise<string>;
}

/** HMAC-SHA256 signer keyed from the seed (a deterministic secret that never leaves the simulator). */
export function createSigner(seed: number): StorageSigner {
  const keyBytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) keyBytes[i] = mix(seed, 0x51_67_4e, i) & 0xff;
  const key = crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return {
    async sign(payload) {
      const mac = await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(payload));
      return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
    },
  };
}

function blobId(seed: number, fileId: number): string {
  return `${mix(seed, fileId, 0xb10b).toString(16).padStart(8, "0")}${fileId.toString(36)}`;
}

function fileIdFromBlob(blob: string): number | null {
  if (!/^[0-9a-f]{8}[0-9a-z]+$/.test(blob)) return null;
  const id = Number.parseInt(blob.slice(8), 36);
  return Number.isSafeInteger(id) ? id : null;
}

/** Route for the API origin; `tokens` lets a request without a verifier authenticate by token. */
export function downloadRoutes(
  tokens: TokenRegistry,
  signer: StorageSigner,
  storageOrigin: string,
  seed: number,
): Route[] {
  async function redirect(input: RouteInput): Promise<Reply> {
    const id = numericParam(input.params, "file_id");
    const file = id === null ? null : input.ctx.store.findFile(id);
    if (file === null || file.deleted) return missing();
    if (input.params["course_id"] !== undefined && input.params["course_id"] !== String(file.courseId))
      return missing();
    // After Canvas's 2026 removal of verifiers (store.fileVerifiers false) only the bearer token opens a file.
    const verifier = input.ctx.store.fileVerifiers ? input.url.searchParams.get("verifier") : null;
    if (input.token !== null) {
      const auth = tokens.authenticate(input.token, "GET", input.url.pathname);
      if (!auth.ok) return { kind: "response", response: auth.response, objects: 0 };
    } else if (verifier === null || verifier !== file.uuid) {
      return {
        kind: "response",
        response: json(
          401,
          { status: "unauthenticated", errors: [{ message: "user authorization required" }] },
          { "www-authenticate": 'Bearer realm="canvas-lms"' },
        ),
        objects: 0,
      };
    }
    const blob = blobId(seed, file.id);
    const expires = Math.floor(input.ctx.now() / 1000) + SIGNED_URL_TTL_SECONDS;
    const signature = await signer.sign(`${blob}:${expires}`);
    const location = `${storageOrigin}/blobs/${blob}?expires=${expires}&signature=${signature}`;
    const response = new Response(null, {
      status: 302,
      headers: {
        location,
        "cache-control": `private, max-age=${SIGNED_URL_TTL_SECONDS}`,
        "content-type": "text/html; charset=utf-8",
      },
    });
    return { kind: "response", response, objects: 0 };
  }
  return [
    { method: "GET", pattern: "/files/:file_id/download", ownAuth: true, handle: redirect },
    {
      method: "GET",
      pattern: "/courses/:course_id/files/:file_id/download",
      ownAuth: true,
      handle: redirect,
    },
  ];
}

function s3Error(status: number, code: string, message: string): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>SIMULATED</RequestId></Error>`;
  return new Response(body, { status, headers: { "content-type": "application/xml" } });
}

export interface StorageOptions {
  /** Counts file bytes as they are streamed. */
  onBytes: (n: number) => void;
  /** Truncation fault: serve only this fraction of the bytes (Content-Length still claims all of them). */
  keepFraction?: number;
  /** With keepFraction: end in a network error instead of a clean (short) end. */
  failAtLimit?: boolean;
}

/** The storage origin (S3-like). */
export async function handleStorage(
  ctx: SimContext,
  signer: StorageSigner,
  seed: number,
  request: Request,
  options: StorageOptions,
): Promise<Response> {
  const url = new URL(request.url);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }
  if (request.headers.has("authorization")) {
    return s3Error(
      400,
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
    );
  }
  const match = /^\/blobs\/([^/]+)$/.exec(url.pathname);
  const fileId = match?.[1] === undefined ? null : fileIdFromBlob(match[1]);
  const expires = url.searchParams.get("expires");
  const signature = url.searchParams.get("signature");
  if (match?.[1] === undefined || fileId === null)
    return s3Error(404, "NoSuchKey", "The specified key does not exist.");
  if (expires === null || signature === null) {
    return s3Error(
      403,
      "AccessDenied",
      "Query-string authentication requires the Signature and Expires parameters",
    );
  }
  if ((await signer.sign(`${match[1]}:${expires}`)) !== signature) {
    return s3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided.",
    );
  }
  if (Number(expires) * 1000 < ctx.now()) return s3Error(403, "AccessDenied", "Request has expired");
  // A soft-deleted file's object still exists in the bucket; a URL signed before the delete keeps working.
  const file = ctx.store.findFile(fileId);
  if (file === null) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
  const size = contentSize(file.content);
  const headers: Record<string, string> = {
    "content-type": file.contentType,
    "last-modified": new Date(file.modifiedAt).toUTCString(),
    etag: `"${file.uuid.replace(/-/g, "")}"`,
    "cache-control": "private, max-age=86400",
  };
  if (file.flags.omitContentLength !== true)
    headers["content-length"] = String(size + (file.flags.contentLengthDelta ?? 0));
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  const streamOptions: { onBytes: (n: number) => void; limit?: number; failAtLimit?: boolean } = {
    onBytes: options.onBytes,
  };
  if (options.keepFraction !== undefined) streamOptions.limit = Math.floor(size * options.keepFraction);
  if (options.failAtLimit !== undefined) streamOptions.failAtLimit = options.failAtLimit;
  const body = openContentStream(file.content, seed, streamOptions);
  return new Response(body, { status: 200, headers });
}
