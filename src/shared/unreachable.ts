/**
 * The default branch of an exhaustive switch. Typed `never`, so adding a variant without handling it is a compile
 * error; at run time it only fires on data that bypassed the types (a stored state from another version, a value
 * that skipped validation).
 */
export function unreachable(value: never, what = "variant"): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
