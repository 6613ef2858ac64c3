/**
 * Structured JSON logs. Callers pass fields, never tokens; as a second line of defence, anything that looks like a
 * bearer credential is masked before it is written. Levels map to the console's (debug to console.debug), so a
 * runtime filtering by level (wrangler's --log-level, Workers Logs) shows per-pass chatter only when asked.
 */
type Level = "debug" | "info" | "warn" | "error";

const BEARER = /bearer\s+[^\s"',;]+/gi;
const TOKEN_PARAM = /(access_token|token|signature|verifier)=[^&\s"']+/gi;

export function redact(text: string): string {
  return text.replace(BEARER, "Bearer [redacted]").replace(TOKEN_PARAM, "$1=[redacted]");
}

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = redact(JSON.stringify({ level, message, ...fields, at: new Date().toISOString() }));
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else if (level === "debug") console.debug(line);
  else console.info(line);
}
