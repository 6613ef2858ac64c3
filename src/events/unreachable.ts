/**
 * Exhaustiveness guard for switches over tagged unions in the events module: adding a variant without
 * handling it fails to compile at the call site, and the throw only documents that reaching it at
 * runtime is a bug (a value that bypassed validation).
 */
export function unreachable(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
