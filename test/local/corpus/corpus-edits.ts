/**
 * @module dedup/corpus-edits
 * The ways the synthetic corpus derives a variant from a base document: word edits at a given
 * rate (substitutions, deletions, insertions, typos), paragraph reordering, case and punctuation
 * changes, cut or replaced blocks, appended paragraphs, and refilling the same template with
 * another section's values. Pure and seeded.
 */
import { EDIT_WORDS, MONTHS, POLICIES } from "./corpus-text";
import type { Rng } from "../rng";

export type VariantKind =
  | "base"
  | "exact-copy"
  | "light-edit"
  | "medium-edit"
  | "heavy-edit"
  | "reorder"
  | "case-punct"
  | "template-fill"
  | "block-change"
  | "appended"
  | "same-subject";

const TYPO = (w: string, r: Rng): string => {
  if (w.length < 3) return w + w;
  const i = r.int(0, w.length - 2);
  return w.slice(0, i) + (w[i + 1] ?? "") + (w[i] ?? "") + w.slice(i + 2);
};

/** Word-level edits at `rate`: substitutions, deletions, insertions and typos, as people make them. */
export function editWords(text: string, rate: number, r: Rng): string {
  return text.replace(/[A-Za-z]+/gu, (w) => {
    if (!r.chance(rate)) return w;
    const op = r.int(0, 3);
    if (op === 0) return r.pick(EDIT_WORDS);
    if (op === 1) return "";
    if (op === 2) return `${w} ${r.pick(EDIT_WORDS)}`;
    return TYPO(w, r);
  });
}

function splitParas(text: string): string[] {
  return text.split("\n\n");
}

export function variant(kind: VariantKind, base: string, rebuild: (slots: Rng) => string, r: Rng): string {
  switch (kind) {
    case "exact-copy":
      return base;
    case "light-edit":
      return editWords(base, 0.01 + r.next() * 0.04, r);
    case "medium-edit":
      return editWords(base, 0.06 + r.next() * 0.09, r);
    case "heavy-edit":
      return editWords(base, 0.18 + r.next() * 0.17, r);
    case "reorder":
      return editWords(r.shuffle(splitParas(base)).join("\n\n"), 0.01, r);
    case "case-punct":
      return base
        .split("\n")
        .map((line) =>
          r.chance(0.3) ? line.toUpperCase() : line.replace(/[.,:]/gu, (c) => (r.chance(0.5) ? ";" : c)),
        )
        .join("\n");
    case "template-fill":
      return rebuild(r);
    case "block-change": {
      const paras = splitParas(base);
      const k = Math.max(1, Math.round(paras.length * (0.1 + r.next() * 0.25)));
      const at = r.int(0, Math.max(0, paras.length - k));
      const replacement = r.chance(0.5)
        ? []
        : [
            editWords(
              paras
                .slice(at, at + k)
                .toReversed()
                .join(" "),
              0.3,
              r,
            ),
          ];
      return [...paras.slice(0, at), ...replacement, ...paras.slice(at + k)].join("\n\n");
    }
    case "appended":
      return `${base}\n\n${r.pick(POLICIES)}\n\nUpdated: ${r.pick(MONTHS)} ${r.int(1, 28)}.`;
    default:
      // "base" and "same-subject" are built from scratch, not derived from the base text.
      return base;
  }
}
