/**
 * @module dedup/corpus
 * Deterministic (seeded) generator of a labelled near-duplicate corpus built from realistic course
 * text: syllabi, assignments, lecture notes, quizzes and announcements, each with variants of the
 * kinds a Canvas instance really accumulates (exact copies, light and heavy edits, reordering,
 * case and punctuation changes, sections filled into the same template, cut or extended copies)
 * plus unrelated documents on the same subject. Labels are not assigned by variant kind: the ground
 * truth is the exact pg_trgm similarity, computed by quality-benchmark.ts.
 */
import {
  ADJECTIVES,
  ANNOUNCEMENTS,
  DAYS,
  FRAMES,
  INSTRUCTORS,
  MONTHS,
  NOUNS,
  OPENERS,
  POLICIES,
  RUBRIC,
  SUBMISSION,
  TERMS,
  VERBS,
} from "./corpus-text";
import { type VariantKind, variant } from "./corpus-edits";
import { type Subject, SUBJECTS } from "./corpus-subjects";
import { Rng } from "../rng";

export { Rng } from "../rng";
export { type VariantKind, editWords } from "./corpus-edits";

export type DocType = "syllabus" | "assignment" | "lecture-notes" | "quiz" | "announcement";

export interface CorpusItem {
  id: string;
  /** Index of the base document this item was derived from (or shares a subject with). */
  group: number;
  kind: VariantKind;
  subject: string;
  docType: DocType;
  text: string;
}

export interface CorpusOptions {
  seed?: number;
  /** Number of base documents; each yields about five variants. Default 60. */
  bases?: number;
}

/** Values a template is filled with: what differs between sections of the same course. */
interface Slots {
  course: string;
  instructor: string;
  term: string;
  date: () => string;
  day: string;
  section: string;
}

function makeSlots(subject: Subject, r: Rng): Slots {
  return {
    course: `${r.pick(subject.codes)} ${r.int(100, 499)}`,
    instructor: r.pick(INSTRUCTORS),
    term: r.pick(TERMS),
    date: () => `${r.pick(MONTHS)} ${r.int(1, 28)}`,
    day: r.pick(DAYS),
    section: String(r.int(1, 30)).padStart(3, "0"),
  };
}

/** Fills `{term}`-style placeholders; content choices use `s`, section-specific values `slots`. */
function fill(template: string, subject: Subject, s: Rng, slots: Slots): string {
  return template.replace(/\{(\w+)\}/gu, (_, key: string) => {
    switch (key) {
      case "term":
      case "term2":
        return s.pick(subject.terms);
      case "n":
      case "n2":
        return String(s.int(2, 40));
      case "week":
        return String(s.int(1, 15));
      case "course":
        return slots.course;
      case "date":
        return slots.date();
      case "day":
        return slots.day;
      case "assignment":
        return `Assignment ${s.int(1, 8)}`;
      default:
        return key;
    }
  });
}

/** A sentence from the academic-vocabulary frames (varied prose on the subject). */
function generatedSentence(subject: Subject, s: Rng): string {
  const text = s.pick(FRAMES).replace(/\b[AVNTO]\b/gu, (slot) => {
    if (slot === "A") return s.pick(ADJECTIVES);
    if (slot === "N") return s.pick(NOUNS);
    if (slot === "V") return s.pick(VERBS);
    if (slot === "T") return s.pick(subject.terms);
    return s.pick(OPENERS);
  });
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Prose: half fixed subject sentences (as teachers reuse phrasing), half generated ones. */
function sentences(subject: Subject, s: Rng, slots: Slots, count: number): string {
  return Array.from({ length: count }, () =>
    s.chance(0.5) ? fill(s.pick(subject.sentences), subject, s, slots) : generatedSentence(subject, s),
  ).join(" ");
}

/** Builds one document: `s` drives content and structure, `slots` the section-specific values. */
function buildDoc(docType: DocType, subject: Subject, s: Rng, slots: Slots): string {
  const paras: string[] = [];
  switch (docType) {
    case "syllabus": {
      paras.push(`${slots.course}: ${s.pick(subject.titles)}\nSection ${slots.section}, ${slots.term}`);
      paras.push(
        `Instructor: ${slots.instructor}\nOffice hours: ${slots.day}s from 2 to 4 pm and by appointment.`,
      );
      paras.push(`Course description\n${sentences(subject, s, slots, s.int(3, 6))}`);
      const outcomes = Array.from(
        { length: s.int(3, 5) },
        () => `- Explain ${s.pick(subject.terms)} and apply it to new examples.`,
      );
      paras.push(`Learning outcomes\n${outcomes.join("\n")}`);
      for (const p of s.shuffle(POLICIES).slice(0, s.int(4, 8))) paras.push(p);
      const weeks = Array.from(
        { length: s.int(8, 15) },
        (_, i) => `Week ${i + 1}: ${s.pick(subject.terms)} and ${s.pick(subject.terms)}`,
      );
      paras.push(`Schedule\n${weeks.join("\n")}`);
      break;
    }
    case "assignment": {
      paras.push(
        `Assignment ${s.int(1, 8)}: ${s.pick(subject.terms)}\nDue ${slots.date()} at 11:59 pm (${slots.course})`,
      );
      for (let i = s.int(2, 4); i > 0; i--) paras.push(sentences(subject, s, slots, s.int(2, 4)));
      paras.push(s.shuffle(SUBMISSION).slice(0, s.int(2, 3)).join(" "));
      paras.push(`Rubric\n${s.shuffle(RUBRIC).slice(0, s.int(3, 5)).join("\n")}`);
      break;
    }
    case "lecture-notes": {
      paras.push(`${slots.course} lecture notes, week ${s.int(1, 15)}: ${s.pick(subject.terms)}`);
      for (let i = s.int(4, 16); i > 0; i--) {
        paras.push(`${s.pick(subject.terms)}\n${sentences(subject, s, slots, s.int(4, 10))}`);
      }
      break;
    }
    case "quiz": {
      paras.push(`${slots.course} quiz ${s.int(1, 12)}`);
      for (let i = 1, n = s.int(5, 12); i <= n; i++) {
        const question = s.chance(0.5)
          ? fill(s.pick(subject.questions), subject, s, slots)
          : `Which ${s.pick(NOUNS)} best ${s.pick(VERBS)} ${s.pick(subject.terms)}?`;
        const options = s
          .shuffle(subject.terms)
          .slice(0, 4)
          .map(
            (t, k) =>
              `${"abcd"[k] ?? "x"}) ${s.chance(0.5) ? t : `the ${s.pick(ADJECTIVES)} ${s.pick(NOUNS)} of ${t}`}`,
          );
        paras.push(`${i}. ${question}\n${options.join("\n")}`);
      }
      break;
    }
    case "announcement": {
      for (let i = s.int(1, 2); i > 0; i--) paras.push(fill(s.pick(ANNOUNCEMENTS), subject, s, slots));
      if (s.chance(0.5)) paras.push(sentences(subject, s, slots, 1));
      paras.push(slots.instructor);
      break;
    }
  }
  return paras.join("\n\n");
}

const DOC_TYPES: DocType[] = ["syllabus", "assignment", "lecture-notes", "quiz", "announcement"];
const VARIANT_ODDS: [VariantKind, number][] = [
  ["exact-copy", 0.3],
  ["light-edit", 0.7],
  ["medium-edit", 0.5],
  ["heavy-edit", 0.4],
  ["reorder", 0.4],
  ["case-punct", 0.3],
  ["template-fill", 0.6],
  ["block-change", 0.4],
  ["appended", 0.3],
  ["same-subject", 0.6],
];

/** Generates the corpus: for each base document, a random set of variants, all deterministic. */
export function generateCorpus(options: CorpusOptions = {}): CorpusItem[] {
  const r = new Rng(options.seed ?? 20_261_124);
  const items: CorpusItem[] = [];
  const bases = options.bases ?? 60;
  for (let g = 0; g < bases; g++) {
    const subject = r.pick(SUBJECTS);
    const docType = r.pick(DOC_TYPES);
    const contentSeed = r.nextSeed();
    const build = (slotRng: Rng, seed = contentSeed): string =>
      buildDoc(docType, subject, new Rng(seed), makeSlots(subject, slotRng));
    const base = build(new Rng(r.nextSeed()));
    const push = (kind: VariantKind, text: string): void => {
      items.push({
        id: `g${String(g).padStart(3, "0")}-${items.length}`,
        group: g,
        kind,
        subject: subject.name,
        docType,
        text,
      });
    };
    push("base", base);
    for (const [kind, p] of VARIANT_ODDS) {
      if (!r.chance(p)) continue;
      if (kind === "same-subject") push(kind, build(new Rng(r.nextSeed()), r.nextSeed()));
      else
        push(
          kind,
          variant(kind, base, (slotRng) => build(slotRng), r),
        );
    }
  }
  return items;
}
