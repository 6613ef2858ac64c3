/**
 * Who is looking at a dashboard page: signed in with the session cookie (then the page gets the session's CSRF
 * token for its forms) or with the bearer token (pages render; forms need a session), or not at all.
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/database";
import { credentialOf } from "../http/auth";
import { csrfTokenFor } from "../http/csrf";

export interface Viewer {
  /** the CSRF token for this session's forms; null when signed in with the bearer header */
  csrf: string | null;
}

export async function viewerOf(c: Context<AppEnv>): Promise<Viewer | null> {
  const credential = await credentialOf(c, (env) => [env.API_TOKEN], { allowCookie: true });
  if (credential.kind === "none") return null;
  if (credential.kind === "bearer") return { csrf: null };
  return { csrf: await csrfTokenFor(credential.session, c.env.API_TOKEN) };
}
