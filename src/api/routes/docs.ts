/** GET /docs: the interactive API reference (Scalar) rendered from /openapi.json. Public, like the document. */
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";

export const docsRoutes = new Hono<{ Bindings: Env }>();

docsRoutes.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "canvas-sync API reference" }));
