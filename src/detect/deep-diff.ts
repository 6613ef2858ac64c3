/**
 * The deep tier: when a fingerprint differs, find which stored fields changed. Nested objects are compared key by
 * key (`settings.time_limit_seconds`) and arrays of objects that carry an `id` are matched by id
 * (`items[35].body`, `items[35].choices[9f2c...].body`), so an edited quiz question is named, not the whole item
 * list; an element present on one side only is recorded as added or removed. Short values are recorded old/new;
 * long text (page bodies, descriptions) gets a summary of lines and words added and removed, so the change log
 * stays small and never copies whole documents. Derived fields (a New Quiz's search text) are left out: the
 * fields they derive from already say what changed.
 */
import { canonicalJson } from "./canonical";
import { NEW_QUIZ_TEXT_FIELD } from "./new-quiz-projection";
import type { Projection } from "./projections";

export interface FieldChange {
  field: string;
  old?: unknown;
  new?: unknown;
  summary?: string;
}

const SHORT_TEXT = 200;
/** Top-level fields computed from other fields of the same projection. */
const DERIVED_FIELDS: ReadonlySet<string> = new Set([NEW_QUIZ_TEXT_FIELD]);

/** Field-level differences between two projections (keys in sorted order, nested paths depth first). */
export function diffProjections(before: Projection, after: Projection): FieldChange[] {
  const changes: FieldChange[] = [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const field of fields) {
    if (DERIVED_FIELDS.has(field)) continue;
    diffValue(field, before[field] ?? null, after[field] ?? null, changes);
  }
  return changes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The ids of an array whose elements are all objects with a distinct string or number `id`, else null. */
function idsOf(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const ids: string[] = [];
  for (const element of value) {
    const id = isRecord(element) ? element["id"] : undefined;
    if (typeof id !== "string" && typeof id !== "number") return null;
    ids.push(String(id));
  }
  return new Set(ids).size === ids.length ? ids : null;
}

function diffValue(path: string, oldValue: unknown, newValue: unknown, out: FieldChange[]): void {
  if (canonicalJson(oldValue) === canonicalJson(newValue)) return;
  if (isRecord(oldValue) && isRecord(newValue)) {
    const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort();
    for (const key of keys) diffValue(`${path}.${key}`, oldValue[key] ?? null, newValue[key] ?? null, out);
    return;
  }
  const oldIds = idsOf(oldValue);
  const newIds = idsOf(newValue);
  if (oldIds && newIds && Array.isArray(oldValue) && Array.isArray(newValue)) {
    const oldById = new Map(oldIds.map((id, index) => [id, oldValue[index]]));
    const newById = new Map(newIds.map((id, index) => [id, newValue[index]]));
    for (const id of newIds) {
      if (!oldById.has(id)) out.push({ field: `${path}[${id}]`, summary: "added" });
      else diffValue(`${path}[${id}]`, oldById.get(id), newById.get(id), out);
    }
    for (const id of oldIds) if (!newById.has(id)) out.push({ field: `${path}[${id}]`, summary: "removed" });
    return;
  }
  const isLong =
    (typeof oldValue === "string" && oldValue.length > SHORT_TEXT) ||
    (typeof newValue === "string" && newValue.length > SHORT_TEXT);
  if (isLong) out.push({ field: path, summary: summarizeTextChange(asText(oldValue), asText(newValue)) });
  else out.push({ field: path, old: oldValue, new: newValue });
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : value === null ? "" : canonicalJson(value);
}

/** "lines +a -b, words +c -d, length x -> y" computed with multiset differences (order-insensitive, linear). */
export function summarizeTextChange(before: string, after: string): string {
  const lines = multisetDelta(before.split("\n"), after.split("\n"));
  const words = multisetDelta(tokens(before), tokens(after));
  return `lines +${lines.added} -${lines.removed}, words +${words.added} -${words.removed}, length ${before.length} -> ${after.length}`;
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter((token) => token.length > 0);
}

function multisetDelta(before: string[], after: string[]): { added: number; removed: number } {
  const counts = new Map<string, number>();
  for (const value of before) counts.set(value, (counts.get(value) ?? 0) + 1);
  let added = 0;
  for (const value of after) {
    const left = counts.get(value) ?? 0;
    if (left > 0) counts.set(value, left - 1);
    else added++;
  }
  let removed = 0;
  for (const left of counts.values()) removed += left;
  return { added, removed };
}
