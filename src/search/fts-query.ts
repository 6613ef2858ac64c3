/**
 * The search query languages, as pure functions. `simple` (the default) is safe for anything a user or a model
 * types: every term is quoted before it reaches FTS5, so no input can be an FTS5 syntax error. It understands
 * `"exact phrases"`, `prefix*`, `-excluded` terms and `OR` between two terms; everything else is a plain word, and
 * all words must match. `fts5` passes the query to SQLite FTS5 as written (NEAR, column filters, parentheses, ...);
 * its syntax errors are reported by the database and become a 400 naming the problem (src/storage/d1/search.ts).
 */
import { MAX_QUERY_CHARS, MAX_QUERY_TERMS } from "./limits";

export type QuerySyntax = "simple" | "fts5";

export type CompiledQuery = { ok: true; match: string } | { ok: false; message: string };

interface Term {
  text: string;
  phrase: boolean;
  prefix: boolean;
  negated: boolean;
}

/** Compiles a user query into an FTS5 MATCH expression, or says what is wrong with it. */
export function compileQuery(raw: string, syntax: QuerySyntax = "simple"): CompiledQuery {
  const query = raw.trim();
  if (query === "") return { ok: false, message: "the query is empty" };
  if (query.length > MAX_QUERY_CHARS) {
    return { ok: false, message: `the query is longer than ${MAX_QUERY_CHARS} characters` };
  }
  if (syntax === "fts5") return { ok: true, match: query };
  return compileSimple(query);
}

function compileSimple(query: string): CompiledQuery {
  const groups: Term[][] = [];
  const negated: Term[] = [];
  let joinNextWithOr = false;
  for (const token of tokenize(query)) {
    if (!token.phrase && token.text === "OR") {
      joinNextWithOr = groups.length > 0;
      continue;
    }
    const term = parseTerm(token);
    if (term === null) continue;
    if (term.negated) {
      negated.push(term);
      joinNextWithOr = false;
      continue;
    }
    const last = groups.at(-1);
    if (joinNextWithOr && last) last.push(term);
    else groups.push([term]);
    joinNextWithOr = false;
  }
  const count = groups.reduce((sum, group) => sum + group.length, 0) + negated.length;
  if (count > MAX_QUERY_TERMS)
    return { ok: false, message: `the query has more than ${MAX_QUERY_TERMS} terms` };
  if (groups.length === 0) {
    return negated.length > 0
      ? { ok: false, message: "the query needs at least one term that is not excluded with '-'" }
      : { ok: false, message: "the query has no searchable words (letters or digits)" };
  }
  const positive = groups
    .map((group) => (group.length > 1 ? `(${group.map(quote).join(" OR ")})` : group.map(quote).join("")))
    .join(" AND ");
  if (negated.length === 0) return { ok: true, match: positive };
  return { ok: true, match: `(${positive}) NOT (${negated.map(quote).join(" OR ")})` };
}

/** Splits on whitespace, keeping "quoted phrases" (an unterminated quote runs to the end) together. */
function tokenize(query: string): { text: string; phrase: boolean; negated: boolean }[] {
  const tokens: { text: string; phrase: boolean; negated: boolean }[] = [];
  const pattern = /(-?)"([^"]*)("?\*?)|(\S+)/g;
  for (const match of query.matchAll(pattern)) {
    if (match[2] !== undefined) {
      const star = (match[3] ?? "").endsWith("*") ? "*" : "";
      tokens.push({ text: `${match[2]}${star}`, phrase: true, negated: match[1] === "-" });
    } else if (match[4] !== undefined) {
      tokens.push({ text: match[4], phrase: false, negated: false });
    }
  }
  return tokens;
}

const SEARCHABLE = /[\p{L}\p{N}]/u;

function parseTerm(token: { text: string; phrase: boolean; negated: boolean }): Term | null {
  let text = token.text;
  let negated = token.negated;
  if (!token.phrase && text.startsWith("-") && text.length > 1) {
    negated = true;
    text = text.slice(1);
  }
  let prefix = false;
  if (text.endsWith("*")) {
    prefix = true;
    text = text.replace(/\*+$/, "");
  }
  // Words without a letter or digit produce no token in FTS5; an empty phrase would match nothing.
  if (!SEARCHABLE.test(text)) return null;
  return { text, phrase: token.phrase, prefix, negated };
}

/** An FTS5 string: double quotes doubled; a prefix query is `"term" *`. */
function quote(term: Term): string {
  return `"${term.text.replace(/"/g, '""')}"${term.prefix ? " *" : ""}`;
}
