/** Renders a dashboard page with the security headers every page carries (no inline script or style allowed). */
import type { Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import type { AppEnv } from "../http/database";

export type AppContext = Context<AppEnv>;

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function render(
  c: AppContext,
  element: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: 200 | 400 | 401 | 403 | 404 | 415 = 200,
): Response | Promise<Response> {
  c.header("content-security-policy", CSP);
  c.header("x-content-type-options", "nosniff");
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the forms' own POSTs, which
  // the CSRF check (rightly) refuses; nothing is sent to other origins either way.
  c.header("referrer-policy", "same-origin");
  c.header("cache-control", "no-store");
  return c.html(element, status);
}
