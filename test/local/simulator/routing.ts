/**
 * A tiny path router for the simulated API: patterns like "/api/v1/courses/:course_id/pages/:page" matched
 * segment by segment, and the Reply type handlers return (JSON bodies stay unserialised until the dispatcher,
 * which needs their size for counters, cost and truncation faults).
 */
import { INVALID_PAGE, type PageResult } from "./pagination";
import { notFound } from "./http";
import type { SimContext } from "./context";
import type { CourseData } from "./store";

export type Reply =
  | { kind: "json"; status: number; body: unknown; headers?: Record<string, string>; objects: number }
  | { kind: "response"; response: Response; objects: number };

export interface RouteInput {
  ctx: SimContext;
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** The bearer token the request presented (already authenticated unless the route does its own auth). */
  token: string | null;
}

export interface Route {
  method: string;
  pattern: string;
  /** Download routes authenticate by verifier or token themselves. */
  ownAuth?: boolean;
  handle: (input: RouteInput) => Reply | Promise<Reply>;
}

/** The endpoint name used by counters: every parameter shown as ":id". */
export function endpointName(method: string, pattern: string): string {
  return `${method} ${pattern.replace(/:[a-z_]+/g, ":id")}`;
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const parts = path.split("/").filter((p) => p !== "");
  const wanted = method === "HEAD" ? "GET" : method;
  for (const route of routes) {
    if (route.method !== wanted) continue;
    const segs = route.pattern.split("/").filter((p) => p !== "");
    if (segs.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let same = true;
    for (let i = 0; i < segs.length && same; i++) {
      const seg = segs[i] ?? "";
      const part = parts[i] ?? "";
      if (seg.startsWith(":")) {
        try {
          params[seg.slice(1)] = decodeURIComponent(part);
        } catch {
          same = false;
        }
      } else same = seg === part;
    }
    if (same) return { route, params };
  }
  return null;
}

export function ok(body: unknown, objects = 1, headers: Record<string, string> = {}): Reply {
  return { kind: "json", status: 200, body, headers, objects };
}

export function missing(): Reply {
  return { kind: "response", response: notFound(), objects: 0 };
}

/** A paginated list reply (an invalid page or bookmark is a 404). */
export function listReply<T>(page: PageResult<T> | typeof INVALID_PAGE, toJson: (item: T) => unknown): Reply {
  if (page === INVALID_PAGE) return missing();
  return {
    kind: "json",
    status: 200,
    body: page.items.map(toJson),
    headers: { link: page.link },
    objects: page.items.length,
  };
}

/** A strictly numeric id parameter, or null (Canvas also accepts sis_ ids; the simulator does not). */
export function numericParam(params: Record<string, string>, name: string): number | null {
  const raw = params[name];
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number.parseInt(raw, 10);
}

/** The live course named by :course_id, or null (unknown and deleted courses are both 404). */
export function courseOf(input: RouteInput): CourseData | null {
  const id = numericParam(input.params, "course_id");
  return id === null ? null : input.ctx.store.liveData(id);
}

/** Values of a repeated array parameter (`include[]=a&include[]=b`, also tolerating `include=a`). */
export function arrayParam(url: URL, name: string): string[] {
  return [...url.searchParams.getAll(`${name}[]`), ...url.searchParams.getAll(name)];
}
