/**
 * GET /docs: the interactive API reference (Scalar) rendered from /openapi.json, working with no network. The
 * browser script is @scalar/api-reference's standalone build, pinned by the lockfile and uploaded with the worker
 * as a static asset (wrangler.toml `[assets]` points at the package's dist/browser; `run_worker_first` keeps
 * everything else in that folder unreachable), served from this origin at /docs/scalar-api-reference.js. The start
 * script is a file too, so the page runs under `script-src 'self'`: no CDN, no inline script, no telemetry, no
 * fonts from elsewhere. Public, like the document itself.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../http/database";

export const docsRoutes = new Hono<AppEnv>();

const SCRIPT_PATH = "/docs/scalar-api-reference.js";
const START_PATH = "/docs/start.js";
/** The file in the assets directory (node_modules/@scalar/api-reference/dist/browser). */
const ASSET = "/standalone.js";

// Scalar injects its stylesheet and sets inline styles, so styles may be inline; scripts may not.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; " +
  "form-action 'none'";

const CONFIGURATION = {
  url: "/openapi.json",
  pageTitle: "canvas-sync API reference",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: false,
  showDeveloperTools: "never",
  documentDownloadType: "json",
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>canvas-sync API reference</title>
    <link rel="icon" href="/ui/favicon.svg" type="image/svg+xml" />
  </head>
  <body>
    <div id="app"></div>
    <script src="${SCRIPT_PATH}"></script>
    <script src="${START_PATH}"></script>
  </body>
</html>
`;

const START = `Scalar.createApiReference("#app", ${JSON.stringify(CONFIGURATION)});\n`;

docsRoutes.get("/docs", (c) =>
  c.html(PAGE, 200, {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  }),
);

docsRoutes.get(START_PATH, (c) =>
  c.body(START, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  }),
);

docsRoutes.get(SCRIPT_PATH, async (c) => {
  const asset = await c.env.ASSETS.fetch(
    new Request(new URL(ASSET, c.req.url), { headers: c.req.raw.headers }),
  );
  if (asset.status !== 200 && asset.status !== 304) {
    return c.json(
      { error: { code: "not_found", message: "the API reference script is missing", details: null } },
      404,
    );
  }
  const headers = new Headers(asset.headers);
  headers.set("content-type", "text/javascript; charset=utf-8");
  headers.set("x-content-type-options", "nosniff");
  headers.set("cache-control", "public, max-age=3600");
  return new Response(asset.body, { status: asset.status, headers });
});
