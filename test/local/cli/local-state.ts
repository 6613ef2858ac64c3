/**
 * Where local runs keep their D1, R2, Queues and Durable Object state. `npm run dev` and `npm start` against a real
 * Canvas share `.wrangler/state` (wrangler's default), which survives restarts so syncs stay incremental; the demo
 * keeps its own `.wrangler/demo-state` and starts it afresh every time, because its simulator is seeded anew on
 * every start and an old mirror would only show spurious changes. `npm run reset` and `npm start -- --fresh`
 * delete them.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";

export const CANVAS_STATE_DIR = path.join(".wrangler", "state");
export const DEMO_STATE_DIR = path.join(".wrangler", "demo-state");

export function stateDirFor(mode: "demo" | "canvas"): string {
  return mode === "demo" ? DEMO_STATE_DIR : CANVAS_STATE_DIR;
}

/** Deletes a state directory; returns whether there was one. Only ever one of the two paths above. */
export function wipeState(dir: string): boolean {
  if (dir !== CANVAS_STATE_DIR && dir !== DEMO_STATE_DIR)
    throw new Error(`not a local state directory: ${dir}`);
  if (!existsSync(dir)) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
