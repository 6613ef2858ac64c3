/**
 * The New Quiz projection and the deep diff over it: documented API shapes in (QuizSettings, QuizItem with
 * question, stimulus, bank entry and bank entries), canonical reader-relevant fields out, no access code, answers
 * only where the API showed them, and a change log that names the nested field that changed.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseQuizItem } from "../../src/canvas/new-quiz-items";
import { NewQuizSchema, QuizItemSchema } from "../../src/canvas/new-quiz-schemas";
import { fingerprint } from "../../src/detect/canonical";
import { diffProjections } from "../../src/detect/deep-diff";
import {
  projectNewQuiz,
  projectNewQuizRecord,
  sameNewQuizRecord,
} from "../../src/detect/new-quiz-projection";

// The documentation's NewQuiz example with a full QuizSettings.
const quiz = NewQuizSchema.parse({
  id: "5",
  title: "Hamlet Act 3 Quiz",
  instructions: "<p>Welcome to the final exam for...</p>",
  assignment_group_id: "3",
  points_possible: 20,
  due_at: "2013-01-23T23:59:00-07:00",
  lock_at: null,
  unlock_at: "2013-01-21T23:59:00-07:00",
  published: true,
  grading_type: "points",
  quiz_settings: {
    calculator_type: "scientific",
    filter_ip_address: true,
    filters: { ips: [["1.1.1.1", "1.1.1.3"]] },
    one_at_a_time_type: "none",
    allow_backtracking: false,
    shuffle_answers: false,
    shuffle_questions: false,
    require_student_access_code: true,
    student_access_code: "supersecret",
    has_time_limit: true,
    session_time_limit_in_seconds: 3600,
    multiple_attempts: {
      multiple_attempts_enabled: true,
      attempt_limit: true,
      max_attempts: 3,
      score_to_keep: "highest",
      cooling_period: true,
      cooling_period_seconds: 1800,
    },
    result_view_settings: null,
  },
});

const choice = {
  id: "35",
  position: 2,
  points_possible: 10,
  entry_type: "Item",
  stimulus_quiz_entry_id: "3",
  entry: {
    title: "Science 1-13",
    item_body: "<p>Which part of the cell contains the majority of the cell's DNA?</p>",
    interaction_type_slug: "choice",
    interaction_data: {
      choices: [
        { id: "1bd82f75", position: 2, item_body: "<p>mitochondria</p>" },
        { id: "96e68487", position: 1, item_body: "<p>nucleus</p>" },
      ],
    },
    scoring_data: { value: "96e68487" },
    scoring_algorithm: "Equivalence",
    feedback: { correct: "<p>Nice job!</p>" },
  },
};
const stimulus = {
  id: "3",
  position: 1,
  points_possible: 0,
  entry_type: "Stimulus",
  entry: {
    title: "Consider the following image",
    body: "<p>A cell.</p>",
    instructions: "Some instructions...",
  },
};
const banked = {
  id: "40",
  position: 3,
  points_possible: 5,
  entry_type: "BankEntry",
  entry: {
    entry_type: "Item",
    archived: false,
    entry: {
      title: "Essay",
      item_body: "<p>Explain.</p>",
      interaction_type_slug: "essay",
      scoring_data: null,
    },
  },
};
const bank = {
  id: "41",
  position: 4,
  points_possible: 5,
  entry_type: "Bank",
  properties: { sample_num: 2 },
  entry: { title: "Linear Algebra 1-1", archived: false, entry_count: 20, item_entry_count: 18 },
};

const items = (...raw: unknown[]) => raw.map((item) => parseQuizItem(QuizItemSchema.parse(item)));

describe("New Quiz projection", () => {
  it("keeps what a reader needs, in canonical form, and never the access code", async () => {
    const record = projectNewQuizRecord(quiz);
    const projection = projectNewQuiz(record, items(banked, choice, bank, stimulus));
    expect(projection).toMatchObject({
      assignment_id: "5",
      title: "Hamlet Act 3 Quiz",
      points_possible: 20,
      settings: {
        time_limit_seconds: 3600,
        allowed_attempts: 3,
        score_to_keep: "highest",
        cooling_period_seconds: 1800,
        requires_access_code: true,
        ip_filtered: true,
        calculator_type: "scientific",
      },
    });
    expect(JSON.stringify(projection)).not.toContain("supersecret");
    const list = projection["items"];
    if (!Array.isArray(list)) throw new Error("no items");
    expect(list.map((item: { id: string; type: string }) => [item.id, item.type])).toEqual([
      ["3", "stimulus"],
      ["35", "choice"],
      ["40", "essay"],
      ["41", "bank"],
    ]);
    expect(list[1]).toMatchObject({
      stimulus_id: "3",
      body: choice.entry.item_body,
      choices: [
        { id: "96e68487", position: 1, body: "<p>nucleus</p>" },
        { id: "1bd82f75", position: 2, body: "<p>mitochondria</p>" },
      ],
      answer: "96e68487",
      feedback: { correct: "<p>Nice job!</p>", incorrect: null, neutral: null },
    });
    // A bank entry whose answer the token may not see keeps no answer; a bank keeps its draw.
    expect(list[2]).toMatchObject({ entry_type: "BankEntry", answer: null, bank: { archived: false } });
    expect(list[3]).toMatchObject({ title: "Linear Algebra 1-1", bank: { entry_count: 20, sample_num: 2 } });
    // The searchable text holds the instructions, stems, stimulus and choices.
    expect(projection["search_html"]).toEqual(expect.stringContaining("<p>mitochondria</p>"));
    expect(projection["search_html"]).toEqual(expect.stringContaining("Welcome to the final exam"));
    // Order of arrival does not matter.
    const again = projectNewQuiz(record, items(stimulus, bank, choice, banked));
    expect(await fingerprint(again)).toBe(await fingerprint(projection));
  });

  it("tells a moved quiz record from an unchanged one", () => {
    const record = projectNewQuizRecord(quiz);
    const stored = z
      .record(z.string(), z.unknown())
      .parse(JSON.parse(JSON.stringify(projectNewQuiz(record, items(choice)))));
    expect(sameNewQuizRecord(stored, record)).toBe(true);
    expect(sameNewQuizRecord(stored, projectNewQuizRecord({ ...quiz, points_possible: 21 }))).toBe(false);
    expect(sameNewQuizRecord({ ...stored, items: undefined }, record)).toBe(false);
  });

  it("rejects an entry that breaks the shape its entry_type promises", () => {
    expect(() => items({ ...choice, entry: { title: "no slug" } })).toThrow(/malformed New Quiz item 35/);
  });

  it("the deep diff names the nested field, added and removed items, and leaves the search text out", () => {
    const record = projectNewQuizRecord(quiz);
    const before = projectNewQuiz(record, items(stimulus, choice, bank));
    const edited = { ...choice, entry: { ...choice.entry, item_body: "<p>Where is most DNA?</p>" } };
    const after = projectNewQuiz(
      {
        ...record,
        settings: {
          ...z.record(z.string(), z.unknown()).parse(record["settings"]),
          time_limit_seconds: 1800,
        },
      },
      items(stimulus, edited, banked),
    );
    expect(diffProjections(before, after)).toEqual([
      { field: "items[35].body", old: choice.entry.item_body, new: "<p>Where is most DNA?</p>" },
      { field: "items[40]", summary: "added" },
      { field: "items[41]", summary: "removed" },
      { field: "settings.time_limit_seconds", old: 3600, new: 1800 },
    ]);
    // Flat projections diff exactly as before.
    expect(diffProjections({ a: 1, list: [1, 2] }, { a: 2, list: [2, 1] })).toEqual([
      { field: "a", old: 1, new: 2 },
      { field: "list", old: [1, 2], new: [2, 1] },
    ]);
  });
});
