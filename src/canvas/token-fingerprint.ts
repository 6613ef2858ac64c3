/**
 * The Canvas token's fingerprint: a short, non-reversible name for it, safe to store and to use as a Durable Object
 * name (the token's CanvasGate is `<host>/<fingerprint>`). Lives beside the Canvas client so the pipeline, the
 * wiring and the HTTP surfaces all name the gate the same way without importing the wiring.
 */
import { sha256Hex } from "../shared/sha256";

/** A short, non-reversible name for a token: safe to store and to use as a Durable Object name. */
export async function tokenFingerprint(token: string): Promise<string> {
  return (await sha256Hex(`canvas-sync:${token}`)).slice(0, 24);
}
