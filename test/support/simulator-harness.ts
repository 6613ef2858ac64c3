/** Shared setup for the simulator tests: a simulator on a controllable clock and small request helpers. */
import { createCanvasSimulator, type CanvasSimulator, type SimulatorOptions } from "../local/simulator";

export const API = "https://canvas.test";
export const FILES = "https://files.canvas-storage.test";
export const TOKEN = "sim-token";
export const START = Date.UTC(2026, 0, 15, 12, 0, 0);

export interface Clock {
  t: number;
  advance(ms: number): void;
}

export function clock(start = START): Clock {
  return {
    t: start,
    advance(ms) {
      this.t += ms;
    },
  };
}

export function sim(options: Partial<SimulatorOptions> = {}, c: Clock = clock()): CanvasSimulator {
  return createCanvasSimulator({ apiOrigin: API, storageOrigin: FILES, now: () => c.t, ...options });
}

export function get(
  s: CanvasSimulator,
  pathOrUrl: string,
  token: string | null = TOKEN,
  init: RequestInit = {},
): Promise<Response> {
  const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${API}${pathOrUrl}`;
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return s.fetch(url, { ...init, headers });
}

export async function getJson<T = Record<string, unknown>>(
  s: CanvasSimulator,
  path: string,
  token: string | null = TOKEN,
): Promise<T> {
  const response = await get(s, path, token);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json<T>();
}

/** Parses a Link header into rel -> URL. */
export function links(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (response.headers.get("link") ?? "").split(",")) {
    const match = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) out[match[2]] = match[1];
  }
  return out;
}

/** Follows rel="next" from `path` and returns every element of every page. */
export async function collect<T = Record<string, unknown>>(
  s: CanvasSimulator,
  path: string,
  items: T[] = [],
): Promise<{ items: T[]; requests: number }> {
  let next: string | undefined = `${API}${path}`;
  let requests = 0;
  while (next !== undefined) {
    const response = await get(s, next);
    requests++;
    if (!response.ok) throw new Error(`${next}: ${response.status}`);
    items.push(...(await response.json<T[]>()));
    next = links(response)["next"];
  }
  return { items, requests };
}

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
