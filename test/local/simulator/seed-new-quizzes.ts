/**
 * Seeds New Quizzes through the mutation functions (so each gets its quiz_lti assignment): a "unit check" with a
 * reading stimulus, a multiple-choice question attached to it, a true/false and an essay question, and a smaller
 * unpublished practice quiz with a bank entry. Deterministic from the rng; used by the demo institution and, on
 * request (`newQuizzes` in a bulk course spec), by generated ones.
 */
import { bankEntry, choiceEntry, essayEntry, stimulusEntry, trueFalseEntry } from "./new-quiz-entries";
import { escapeHtml, paragraph, title as makeTitle, type Topic } from "./text";
import { DAY_MS } from "./time";
import * as newQuizzes from "./mutations-new-quizzes";
import type { Rng } from "../rng";
import type { SimContext } from "./context";

function pickOthers(rng: Rng, topic: Topic, answer: string, count: number): string[] {
  const others = topic.nouns.filter((noun) => noun !== answer);
  const picked: string[] = [];
  while (picked.length < count && others.length > 0) {
    const [noun] = others.splice(rng.int(0, others.length - 1), 1);
    if (noun !== undefined) picked.push(noun);
  }
  return picked;
}

/** A published unit check with a stimulus, multiple choice, true/false and essay; returns the quiz id. */
export function seedUnitCheck(ctx: SimContext, rng: Rng, courseId: number, topic: Topic, n: number): number {
  const answer = rng.pick(topic.nouns);
  const { id } = newQuizzes.createNewQuiz(ctx, courseId, {
    title: `Unit ${n} check: ${makeTitle(rng, topic)}`,
    instructions: `<p>${escapeHtml(paragraph(rng, topic, 2))}</p><p>You have 20 minutes and two attempts.</p>`,
    due_at: new Date(ctx.now() + (14 + 7 * n) * DAY_MS).toISOString(),
    published: true,
    quiz_settings: {
      shuffle_answers: true,
      has_time_limit: true,
      session_time_limit_in_seconds: 1200,
      multiple_attempts: { multiple_attempts_enabled: true, attempt_limit: true, max_attempts: 2 },
    },
  });
  const stimulus = newQuizzes.createNewQuizItem(ctx, courseId, id, {
    ...stimulusEntry({
      title: "Read the passage",
      body: `<p>${escapeHtml(paragraph(rng, topic, 3))}</p>`,
      instructions: "Use the passage to answer the next question.",
    }),
  }).id;
  const choices = [answer, ...pickOthers(rng, topic, answer, 3)];
  newQuizzes.createNewQuizItem(ctx, courseId, id, {
    ...choiceEntry({
      title: "Key term",
      stem: `<p>Which term does the passage describe as central to ${escapeHtml(topic.subject)}?</p>`,
      choices: choices.map((choice) => `<p>${escapeHtml(choice)}</p>`),
      correct: 0,
      seed: rng.int(1, 1e9),
      feedback: { correct: "<p>Right.</p>", incorrect: "<p>Read the second sentence again.</p>" },
    }),
    stimulus_id: stimulus,
    points_possible: 2,
  });
  newQuizzes.createNewQuizItem(ctx, courseId, id, {
    ...trueFalseEntry({
      title: "True or false",
      stem: `<p>${escapeHtml(paragraph(rng, topic, 1))}</p>`,
      answer: rng.next() < 0.5,
    }),
    points_possible: 1,
  });
  newQuizzes.createNewQuizItem(ctx, courseId, id, {
    ...essayEntry({
      title: "Short essay",
      stem: `<p>In your own words, explain how ${escapeHtml(answer)} matters in ${escapeHtml(topic.subject)}.</p>`,
      gradingNotes: "Full marks need a definition and one example.",
    }),
    points_possible: 5,
  });
  return id;
}

/** An unpublished practice quiz with a multiple-choice question and a bank entry; returns the quiz id. */
export function seedPracticeQuiz(ctx: SimContext, rng: Rng, courseId: number, topic: Topic): number {
  const answer = rng.pick(topic.nouns);
  const { id } = newQuizzes.createNewQuiz(ctx, courseId, {
    title: `Practice: ${makeTitle(rng, topic)}`,
    instructions: "<p>Ungraded practice. Take it as often as you like.</p>",
    published: false,
    grading_type: "pass_fail",
    quiz_settings: { multiple_attempts: { multiple_attempts_enabled: true, attempt_limit: false } },
  });
  const question = choiceEntry({
    title: "Warm-up",
    stem: `<p>Pick the ${escapeHtml(rng.pick(topic.adjectives))} ${escapeHtml(answer)}.</p>`,
    choices: [answer, ...pickOthers(rng, topic, answer, 2)].map((choice) => `<p>${escapeHtml(choice)}</p>`),
    correct: 0,
    seed: rng.int(1, 1e9),
  });
  newQuizzes.createNewQuizItem(ctx, courseId, id, { ...question, points_possible: 1 });
  newQuizzes.createNewQuizItem(ctx, courseId, id, {
    ...bankEntry(
      essayEntry({
        title: "From the question bank",
        stem: `<p>${escapeHtml(paragraph(rng, topic, 1))}</p>`,
        gradingNotes: "Any reasoned answer passes.",
      }),
    ),
    points_possible: 1,
  });
  return id;
}
