/**
 * Validates a New Quiz item's `entry` by its `entry_type` (the edge check for the items API): a QuestionItem
 * for "Item", a StimulusItem for "Stimulus", a BankEntryItem (wrapping a question or stimulus) for "BankEntry",
 * a BankItem for "Bank". An entry type the docs do not list is kept as raw JSON; a listed one whose entry breaks
 * its schema is a content error, so the quiz is skipped and reported rather than mirrored wrong.
 */
import type { z } from "zod";
import { contentError } from "../resilience/errors";
import {
  BankEntryEntrySchema,
  BankEntrySchema,
  QuestionEntrySchema,
  StimulusEntrySchema,
  type CanvasQuestionEntry,
  type CanvasQuizItem,
} from "./new-quiz-schemas";

export type StimulusEntry = z.infer<typeof StimulusEntrySchema>;

export type ItemContent =
  | { kind: "question"; question: CanvasQuestionEntry }
  | { kind: "stimulus"; stimulus: StimulusEntry }
  | { kind: "bank_entry"; archived: boolean; inner: ItemContent | null }
  | { kind: "bank"; title: string | null; entryCount: number | null; sampleNum: number | null }
  | { kind: "other"; entry: Record<string, unknown> | null };

export interface ParsedQuizItem {
  id: string;
  position: number | null;
  pointsPossible: number | null;
  entryType: string;
  stimulusId: string | null;
  content: ItemContent;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw contentError(`malformed ${what}: ${parsed.error.message.slice(0, 200)}`);
  return parsed.data;
}

function contentOf(entryType: string, entry: Record<string, unknown> | null, itemId: string): ItemContent {
  const what = `New Quiz item ${itemId} (${entryType})`;
  switch (entryType) {
    case "Item":
      return { kind: "question", question: parse(QuestionEntrySchema, entry, what) };
    case "Stimulus":
      return { kind: "stimulus", stimulus: parse(StimulusEntrySchema, entry, what) };
    case "BankEntry": {
      const wrapper = parse(BankEntryEntrySchema, entry, what);
      const inner =
        wrapper.entry === null || wrapper.entry === undefined
          ? null
          : contentOf(wrapper.entry_type, wrapper.entry, itemId);
      return { kind: "bank_entry", archived: wrapper.archived ?? false, inner };
    }
    case "Bank": {
      const bank = parse(BankEntrySchema, entry, what);
      return {
        kind: "bank",
        title: bank.title ?? null,
        entryCount: bank.entry_count ?? null,
        sampleNum: null,
      };
    }
    default:
      return { kind: "other", entry };
  }
}

/** The item with its entry checked against the shape its entry_type promises. Throws a content error. */
export function parseQuizItem(item: CanvasQuizItem): ParsedQuizItem {
  let content = contentOf(item.entry_type, item.entry ?? null, item.id);
  if (content.kind === "bank") {
    // ItemProperties.sample_num: how many of the bank's items a student gets (null = all).
    const sample = item.properties?.["sample_num"];
    content = { ...content, sampleNum: typeof sample === "number" ? sample : null };
  }
  return {
    id: item.id,
    position: item.position ?? null,
    pointsPossible: item.points_possible ?? null,
    entryType: item.entry_type,
    stimulusId: item.stimulus_quiz_entry_id ?? null,
    content,
  };
}
