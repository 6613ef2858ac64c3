/**
 * GET /api/courses/:id/files/:fileId/content: a mirrored file's bytes, streamed from R2. Served so that no file can
 * run as a page of this origin (see src/api/file-headers.ts): an attachment named after the mirrored file, with
 * `nosniff`, a sandboxing CSP and a same-origin resource policy; `?inline=1` is honoured only for passive types.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/database";
import { itemKey } from "../../detect/item-types";
import { parseJsonOrNull } from "../../shared/parse-json";
import { getBlob } from "../../storage/d1/blobs";
import { getItem } from "../../storage/d1/queries";
import { ApiError } from "../../http/errors";
import { fileResponseHeaders, INLINE_SAFE_TYPES } from "../file-headers";
import { CourseIdParamSchema, ErrorSchema, json } from "../schemas";
import { validationHook } from "../validation";

export const fileContentRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** The fields of a stored file projection the response reads; Canvas may leave them null. */
const StoredFileSchema = z.object({
  display_name: z.string().nullish(),
  content_type: z.string().nullish(),
});

const inlineTypes = [...INLINE_SAFE_TYPES].join(", ");

fileContentRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/courses/{canvasCourseId}/files/{canvasFileId}/content",
    summary: "A mirrored file's bytes, streamed from R2 (as an attachment unless inline is safe)",
    description:
      "Always sent with `X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src 'none'; sandbox` " +
      "and `Cross-Origin-Resource-Policy: same-origin`, as `Content-Disposition: attachment` named after the " +
      "mirrored file (RFC 6266: an ASCII `filename` plus `filename*=UTF-8''...`). `?inline=1` shows the file " +
      `inline only when its type is one of ${inlineTypes}; any other type (HTML, SVG, XML, ...) is still sent ` +
      "as an attachment, and script-capable types are sent as application/octet-stream. Browsers whose PDF " +
      "viewer refuses sandboxed documents (Chrome) show a blocked page for inline PDFs: download them instead.",
    request: {
      params: CourseIdParamSchema.extend({
        canvasFileId: z
          .string()
          .regex(/^[1-9]\d{0,14}$/, "canvasFileId must be a positive integer")
          .openapi({ param: { name: "canvasFileId", in: "path" } }),
      }),
      query: z.object({
        inline: z
          .enum(["0", "1"], { error: "inline must be 0 or 1" })
          .optional()
          .openapi({ description: `1: show inline if the type is one of ${inlineTypes}` }),
      }),
    },
    responses: {
      200: {
        description:
          "The file's bytes (`x-content-sha256` header); `Content-Disposition` says attachment or inline",
      },
      404: json(ErrorSchema, "Not mirrored"),
      400: json(ErrorSchema, "Invalid"),
      401: json(ErrorSchema, "Missing or invalid token"),
    },
  }),
  async (c) => {
    const { canvasCourseId, canvasFileId } = c.req.valid("param");
    const { inline } = c.req.valid("query");
    const db = c.var.db;
    const item = await getItem(db, itemKey(canvasCourseId, "file", canvasFileId));
    if (!item || item.deletedAt !== null || !item.blobSha256) {
      throw new ApiError(404, "not_found", `file ${canvasFileId} has no mirrored content`);
    }
    const blob = await getBlob(db, item.blobSha256);
    const object = blob ? await c.env.BLOBS.get(blob.r2Key) : null;
    if (!blob || !object) throw new ApiError(404, "not_found", `file ${canvasFileId} bytes are missing`);
    const stored = StoredFileSchema.safeParse(parseJsonOrNull(item.data));
    const { headers } = fileResponseHeaders({
      // The file's own type first: the blob row is shared by every file with the same bytes.
      contentType: (stored.success ? stored.data.content_type : null) ?? blob.contentType,
      filename: (stored.success ? stored.data.display_name : null) ?? item.title,
      fallbackName: `file-${canvasFileId}`,
      wantInline: inline === "1",
    });
    return new Response(object.body, {
      headers: {
        ...headers,
        "content-length": String(object.size),
        etag: `"${item.blobSha256}"`,
        "x-content-sha256": item.blobSha256,
      },
    });
  },
);
