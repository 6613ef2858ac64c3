/**
 * The "demo" institution: four courses (two sections of BIO 101, HIST 210, CS 240) built from the hand-written
 * material of demo-material.ts, with everything Canvas has: modules mixing every item type, pages, folders and files
 * (real PDF lecture notes, DOCX exercise sheets, PPTX slides, an XLSX gradebook, text, Markdown, CSV, HTML, an image
 * and a video), assignments, discussions, announcements, a graded classic quiz, New Quizzes with items and a syllabus. Dedup has a few
 * meaningful things to find (see demo-material.ts). Built through the mutation functions on a seeding clock that
 * steps forward from ~120 days ago, so timestamps are realistic and deterministic.
 */
import { makePptx } from "./documents";
import { DEMO_COURSES, SHARED_DECK, type DemoCourse } from "./demo-material";
import { createAnnouncement, seedingContext, type SeedClock } from "./seed-clock";
import { Rng } from "../rng";
import { escapeHtml } from "./text";
import { makePng } from "./png";
import * as content from "./mutations-content";
import * as coursePages from "./mutations-course";
import * as files from "./mutations-files";
import * as modules from "./mutations-modules";
import { topicFor } from "./seed-bulk";
import { seedPracticeQuiz, seedUnitCheck } from "./seed-new-quizzes";
import type { SimContext } from "./context";
import type { FileContent } from "./model";

function addFile(ctx: SimContext, clock: SeedClock, courseId: number, spec: files.FileSpec): number {
  clock.tick(37);
  return files.createFile(ctx, courseId, spec).id;
}

function stripTags(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function seedFiles(
  ctx: SimContext,
  clock: SeedClock,
  rng: Rng,
  cid: number,
  def: DemoCourse,
  deck: FileContent,
) {
  const lectures = files.createFolder(ctx, cid, { name: "Lectures" }).id;
  const readings = files.createFolder(ctx, cid, { name: "Readings" }).id;
  const data = files.createFolder(ctx, cid, { name: "Data" }).id;
  const notes = def.lectures.map((lecture, index) =>
    addFile(ctx, clock, cid, {
      name: `Lecture ${index + 1} - ${lecture.title}.pdf`,
      folder_id: lectures,
      document: {
        kind: "pdf",
        pages: [`${lecture.title}\n${lecture.notes[0] ?? ""}`, ...lecture.notes.slice(1)],
      },
    }),
  );
  def.lectures.forEach((lecture, index) =>
    addFile(ctx, clock, cid, {
      name: `Exercises ${index + 1} - ${lecture.title}.docx`,
      folder_id: readings,
      document: { kind: "docx", paragraphs: [`Exercises: ${lecture.title}`, ...lecture.exercises] },
    }),
  );
  const slides = addFile(ctx, clock, cid, {
    name: `${def.code} overview slides.pptx`,
    folder_id: lectures,
    document: { kind: "pptx", slides: def.slides.map((slide) => [slide.title, ...slide.bullets]) },
  });
  const sharedDeck = addFile(ctx, clock, cid, {
    name: "Study Skills Workshop.pptx",
    content: deck,
    content_type: files.contentTypeFor("x.pptx"),
    known_text: SHARED_DECK.map((s) => s.join("\n")).join("\n"),
  });
  addFile(ctx, clock, cid, {
    name: "Gradebook template.xlsx",
    folder_id: data,
    document: {
      kind: "xlsx",
      rows: [
        ["Student", "Assignment 1", "Midterm", "Final"],
        ["Example Student", "9", "74", "81"],
      ],
    },
  });
  addFile(ctx, clock, cid, {
    name: "reading-list.txt",
    folder_id: readings,
    text: `${def.readingList.join("\n")}\n`,
  });
  addFile(ctx, clock, cid, {
    name: "lab-data.csv",
    folder_id: data,
    text: `${def.dataset.map((row) => row.join(",")).join("\n")}\n`,
  });
  addFile(ctx, clock, cid, {
    name: "README.md",
    text: `# ${def.name}\n\n${stripTags(def.syllabus).slice(0, 400)}\n`,
  });
  // The term's schedule as a web page, one row per week: lecture, then what is due.
  const rows = def.lectures.map(
    (lecture, week) =>
      `<tr><td>Week ${week + 1}</td><td>${escapeHtml(lecture.title)}</td><td>${escapeHtml(
        def.assignments[week]?.name ?? "",
      )}</td></tr>`,
  );
  addFile(ctx, clock, cid, {
    name: "schedule.html",
    folder_id: readings,
    text: `<!DOCTYPE html><html><body><h1>Term schedule</h1><table><tr><th>Week</th><th>Lecture</th><th>Due</th></tr>${rows.join("")}</table></body></html>`,
  });
  addFile(ctx, clock, cid, {
    name: "diagram.png",
    folder_id: lectures,
    bytes: makePng(64, 48, rng.int(1, 1e9)),
  });
  return { notes, slides, sharedDeck, lectures };
}

function seedCourse(ctx: SimContext, clock: SeedClock, rng: Rng, index: number, deck: FileContent): void {
  const def = DEMO_COURSES[index];
  if (def === undefined) return;
  const { id: cid } = coursePages.createCourse(ctx, {
    name: def.name,
    course_code: def.code,
    syllabus_body: def.syllabus,
  });
  const course = ctx.store.data(cid).course;
  const fileIds = seedFiles(ctx, clock, rng, cid, def, deck);
  if (index === 0) {
    addFile(ctx, clock, cid, {
      name: "lecture-1-recording.mp4",
      folder_id: fileIds.lectures,
      size: 3 * 1024 * 1024,
    });
  }

  clock.tick(60);
  const pages = def.pages.map((page) => {
    clock.tick(90);
    return coursePages.createPage(ctx, cid, {
      title: page.title,
      body: page.html,
      ...(page.frontPage ? { front_page: true } : {}),
    });
  });
  // An unpublished draft, as every real course has one.
  clock.tick(30);
  coursePages.createPage(ctx, cid, {
    title: "Draft: notes for next term",
    body: def.draft,
    published: false,
  });

  const assignments = def.assignments.map((assignment, i) => {
    clock.tick(240);
    return content.createAssignment(ctx, cid, {
      name: assignment.name,
      description: assignment.html,
      points_possible: assignment.points,
      due_at: new Date(clock.t + (14 + 14 * i) * 86_400_000).toISOString(),
      submission_types: ["online_upload", "online_text_entry"],
    }).id;
  });
  const discussions = def.discussions.map(
    (topic) => (
      clock.tick(120),
      content.createTopic(ctx, cid, { title: topic.title, message: topic.html }).id
    ),
  );
  for (const announcement of def.announcements) {
    createAnnouncement(ctx, clock, cid, announcement.title, announcement.html);
  }
  clock.tick(300);
  const quiz = content.createQuiz(ctx, cid, {
    title: def.quiz.title,
    description: def.quiz.html,
    question_count: 10,
    points_possible: 10,
    time_limit: 20,
  });
  // New Quizzes (their questions generated on the course's subject; demo-material.ts has no quiz questions).
  clock.tick(200);
  const unitCheck = seedUnitCheck(ctx, rng, cid, topicFor(cid), 1);
  clock.tick(60);
  seedPracticeQuiz(ctx, rng, cid, topicFor(cid));

  def.lectures.forEach((lecture, week) => {
    clock.tick(20);
    const mod = modules.createModule(ctx, cid, { name: `Week ${week + 1}: ${lecture.title}` }).id;
    const add = (input: modules.ModuleItemInput): void => void modules.createModuleItem(ctx, cid, mod, input);
    add({ type: "SubHeader", title: "Read" });
    const notes = fileIds.notes[week];
    if (notes !== undefined) add({ type: "File", content_id: notes, indent: 1 });
    const page = pages[week];
    if (page !== undefined) add({ type: "Page", content_id: page.id, indent: 1 });
    if (week === 0) {
      add({ type: "File", content_id: fileIds.slides });
      add({ type: "File", content_id: fileIds.sharedDeck });
      add({
        type: "ExternalUrl",
        title: "University library",
        external_url: "https://library.example.edu/",
        new_tab: true,
      });
    }
    if (week === 1) {
      const discussion = discussions[0];
      if (discussion !== undefined) add({ type: "Discussion", content_id: discussion });
      add({ type: "Quiz", content_id: quiz.id });
      add({ type: "Assignment", content_id: unitCheck });
    }
    add({ type: "SubHeader", title: "Do" });
    const assignment = assignments[week];
    if (assignment !== undefined)
      add({ type: "Assignment", content_id: assignment, completion_requirement: { type: "must_submit" } });
  });
  course.defaultView = "modules";
}

/** Seeds the demo courses into a fresh store. */
export function seedDemo(ctx: SimContext, seed: number): void {
  const { context, clock } = seedingContext(ctx, 120);
  const rng = new Rng(seed);
  // One deck, one byte array, one upload per course: identical bytes and hash in every course.
  const deck: FileContent = { kind: "bytes", bytes: makePptx(SHARED_DECK) };
  for (let i = 0; i < DEMO_COURSES.length; i++) seedCourse(context, clock, rng.fork(i + 1), i, deck);
}
