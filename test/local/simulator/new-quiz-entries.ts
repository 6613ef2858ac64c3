/**
 * Builders for New Quiz item entries in the documented shapes ("New Quiz Items", Appendix: Question Types):
 * multiple choice (`choice`), true/false, essay, a stimulus and a bank entry. Choice ids are version-4-style
 * UUIDs derived from a seed, so seeded quizzes are deterministic. Used by the seeders and by tests that edit
 * quizzes through the control API.
 */
import { Rng, mix, seededUuid } from "../rng";
import type { NewQuizEntryType } from "./model";

export interface EntrySpec {
  entry_type: NewQuizEntryType;
  entry: Record<string, unknown>;
  properties?: Record<string, unknown> | null;
}

function choiceId(seed: number, index: number): string {
  return seededUuid(new Rng(mix(seed, 0xc401, index)));
}

/** A multiple-choice question; `correct` is the index of the right answer in `choices`. */
export function choiceEntry(spec: {
  title: string;
  stem: string;
  choices: readonly string[];
  correct: number;
  seed: number;
  feedback?: { correct?: string; incorrect?: string; neutral?: string };
}): EntrySpec {
  const choices = spec.choices.map((body, index) => ({
    id: choiceId(spec.seed, index),
    position: index + 1,
    item_body: body,
  }));
  const correct = choices[spec.correct] ?? choices[0];
  return {
    entry_type: "Item",
    entry: {
      title: spec.title,
      item_body: spec.stem,
      calculator_type: "none",
      feedback: spec.feedback ?? null,
      interaction_type_slug: "choice",
      interaction_data: { choices },
      properties: {
        shuffle_rules: { choices: { to_lock: [], shuffled: true } },
        vary_points_by_answer: false,
      },
      scoring_data: { value: correct?.id ?? null },
      answer_feedback: {},
      scoring_algorithm: "Equivalence",
    },
  };
}

export function trueFalseEntry(spec: { title: string; stem: string; answer: boolean }): EntrySpec {
  return {
    entry_type: "Item",
    entry: {
      title: spec.title,
      item_body: spec.stem,
      calculator_type: "none",
      feedback: null,
      interaction_type_slug: "true-false",
      interaction_data: { true_choice: "True", false_choice: "False" },
      properties: null,
      scoring_data: { value: spec.answer },
      answer_feedback: null,
      scoring_algorithm: "Equivalence",
    },
  };
}

/** An essay question; `gradingNotes` is what the docs put in scoring_data.value. */
export function essayEntry(spec: { title: string; stem: string; gradingNotes: string }): EntrySpec {
  return {
    entry_type: "Item",
    entry: {
      title: spec.title,
      item_body: spec.stem,
      calculator_type: "none",
      feedback: null,
      interaction_type_slug: "essay",
      interaction_data: {
        rce: true,
        essay: null,
        word_count: true,
        file_upload: false,
        spell_check: true,
        word_limit_max: "1000",
        word_limit_min: "0",
        word_limit_enabled: false,
      },
      properties: {},
      scoring_data: { value: spec.gradingNotes },
      answer_feedback: null,
      scoring_algorithm: "None",
    },
  };
}

/** A stimulus (read-only through the API: created in the UI). */
export function stimulusEntry(spec: { title: string; body: string; instructions?: string }): EntrySpec {
  return {
    entry_type: "Stimulus",
    entry: {
      title: spec.title,
      body: spec.body,
      instructions: spec.instructions ?? "",
      source_url: null,
      orientation: "left",
      passage: false,
    },
  };
}

/** A bank entry showing one banked question (read-only through the API). */
export function bankEntry(question: EntrySpec): EntrySpec {
  return {
    entry_type: "BankEntry",
    entry: { entry_type: "Item", archived: false, entry: question.entry },
  };
}
