/**
 * The deep tier: when a fingerprint differs, find which stored fields changed. Short values are recorded old/new;
 * long text (page bodies, descriptions) gets a summary of lines and words added and removed, so the change log
 * stays small and never copies whole documents.
 */
import { canonicalJson } from "./canonical";
import type { Projection } from "./projections";

export interface FieldChange {
  field: string;
  old?: unknown;
  new?: unknown;
  summary?: string;
}

const SHORT_TEXT = 200;

/** Field-level differences between two projections (keys in sorted order). */
export function diffProjections(before: Projection, after: Projection): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const oldValue = before[field] ?? null;
    const newValue = after[field] ?? null;
    if (canonicalJson(oldValue) === canonicalJson(newValue)) continue;
    const isLong =
      (typeof oldValue === "string" && oldValue.length > SHORT_TEXT) ||
      (typeof newValue === "string" && newValue.length > SHORT_TEXT);
    if (isLong) {
      changes.push({ field, summary: summarizeTextChange(asText(oldValue), asText(newValue)) });
    } else {
      changes.push({ field, old: oldValue, new: newValue });
    }
  }
  return changes;
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
