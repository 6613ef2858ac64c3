/**
 * The "demo" institution: three courses with realistic content (modules mixing every item type, 31 pages each with
 * HTML bodies, 22+ files each including real PDF/DOCX/PPTX/XLSX documents with known text, folders, assignments,
 * discussions, announcements, a graded classic quiz, two New Quizzes with items, a syllabus). Some content is shared across courses on
 * purpose so dedup has something to find: the same slide deck bytes in every course, an identical "How to
 * Submit Your Work" page and near-duplicate "Academic Integrity" pages. Built through the mutation functions on
 * a seeding clock that steps forward from ~120 days ago, so timestamps are realistic and deterministic.
 */
import { makePptx } from "./documents";
import { createAnnouncement, seedingContext, type SeedClock } from "./seed-clock";
import { Rng } from "./rng";
import { TOPICS, escapeHtml, htmlBody, paragraph, plainLines, title as makeTitle, type Topic } from "./text";
import { makePng } from "./png";
import * as content from "./mutations-content";
import * as coursePages from "./mutations-course";
import * as files from "./mutations-files";
import * as modules from "./mutations-modules";
import { seedPracticeQuiz, seedUnitCheck } from "./seed-new-quizzes";
import type { SimContext } from "./context";
import type { FileContent } from "./model";

const DEMO_COURSES = [
  { name: "BIO 101: Introduction to Biology", code: "BIO-101", topic: 0 },
  { name: "HIST 210: Early Modern History", code: "HIST-210", topic: 1 },
  { name: "CS 240: Data Structures", code: "CS-240", topic: 2 },
] as const;

const SHARED_DECK: string[][] = [
  ["Study Skills Workshop", "Making the most of this semester"],
  [
    "Plan your week",
    "Block time for reading, practice and review",
    "Start assignments the day they are posted",
  ],
  ["Active reading", "Skim headings first", "Write one question per section", "Summarise in your own words"],
  ["Getting help", "Office hours every Tuesday and Thursday", "Use the course discussion board"],
];

const SUBMIT_PAGE = [
  "<h2>How to Submit Your Work</h2>",
  "<p>All written work is submitted through Canvas. Open the assignment, choose <em>Start Assignment</em>, attach your file or type your answer, then press <strong>Submit</strong>.</p>",
  "<ul><li>Accepted formats: PDF, DOCX, plain text.</li><li>You may resubmit until the due date; only the last attempt is graded.</li><li>Late work loses ten percent per day unless an extension was agreed.</li></ul>",
  "<p>If the upload fails, email your work to the instructor before the deadline and keep the error message.</p>",
].join("\n");

function integrityPage(courseName: string, variant: number): string {
  const extra = [
    "Group work is encouraged for labs, but every report must be written individually.",
    "Primary sources must be cited in full, including archive and folio numbers.",
    "Code you did not write yourself must be credited in a comment with its source.",
  ][variant];
  return [
    "<h2>Academic Integrity Policy</h2>",
    `<p>Students in ${escapeHtml(courseName)} are expected to submit their own work and to acknowledge every source they use.</p>`,
    "<p>Plagiarism, unauthorised collaboration and the use of another person's answers are violations of the university's academic integrity code and are reported to the dean of students.</p>",
    `<p>${extra ?? ""}</p>`,
    "<p>When in doubt, ask the instructor before you submit.</p>",
  ].join("\n");
}

function addFile(ctx: SimContext, clock: SeedClock, courseId: number, spec: files.FileSpec): number {
  clock.tick(37);
  return files.createFile(ctx, courseId, spec).id;
}

function seedCourse(ctx: SimContext, clock: SeedClock, rng: Rng, index: number, deck: FileContent): void {
  const def = DEMO_COURSES[index] ?? DEMO_COURSES[0];
  const topic: Topic = TOPICS[def.topic] ??
    TOPICS[0] ?? { subject: "General", nouns: ["topic"], adjectives: ["general"] };
  const syllabus =
    htmlBody(rng, topic) +
    `\n<h3>Grading</h3><ul><li>Assignments 40%</li><li>Quizzes 20%</li><li>Final exam 40%</li></ul>`;
  const { id: cid } = coursePages.createCourse(ctx, {
    name: def.name,
    course_code: def.code,
    syllabus_body: syllabus,
  });
  const course = ctx.store.data(cid).course;
  const lectures = files.createFolder(ctx, cid, { name: "Lectures" }).id;
  const readings = files.createFolder(ctx, cid, { name: "Readings" }).id;
  const data = files.createFolder(ctx, cid, { name: "Data" }).id;
  const week1 = files.createFolder(ctx, cid, { name: "Week 1", parent_folder_id: lectures }).id;

  const pdfPages = [0, 1, 2].map(() => plainLines(rng, topic, 6).join("\n"));
  const fileIds = {
    pdf: addFile(ctx, clock, cid, {
      name: `Lecture 1 - ${makeTitle(rng, topic)}.pdf`,
      folder_id: week1,
      document: { kind: "pdf", pages: pdfPages },
    }),
    docx: addFile(ctx, clock, cid, {
      name: "Lecture notes.docx",
      folder_id: lectures,
      document: { kind: "docx", paragraphs: plainLines(rng, topic, 8) },
    }),
    deck: addFile(ctx, clock, cid, {
      name: "Study Skills Workshop.pptx",
      content: deck,
      content_type: files.contentTypeFor("x.pptx"),
      known_text: SHARED_DECK.map((s) => s.join("\n")).join("\n"),
    }),
    xlsx: addFile(ctx, clock, cid, {
      name: "Gradebook template.xlsx",
      folder_id: data,
      document: {
        kind: "xlsx",
        rows: [
          ["Student", "Quiz 1", "Midterm"],
          ["A. Student", "8", "71"],
          ["B. Student", "9", "84"],
        ],
      },
    }),
    txt: addFile(ctx, clock, cid, {
      name: "reading-list.txt",
      folder_id: readings,
      text: plainLines(rng, topic, 12).join("\n") + "\n",
    }),
    csv: addFile(ctx, clock, cid, {
      name: "dataset.csv",
      folder_id: data,
      text:
        [
          "id,measure,value",
          ...[1, 2, 3, 4, 5, 6].map((i) => `${i},${rng.pick(topic.nouns)},${rng.int(1, 999)}`),
        ].join("\n") + "\n",
    }),
    md: addFile(ctx, clock, cid, {
      name: "README.md",
      text: `# ${def.name}\n\n${paragraph(rng, topic)}\n\n- ${plainLines(rng, topic, 3).join("\n- ")}\n`,
    }),
    html: addFile(ctx, clock, cid, {
      name: "handout.html",
      folder_id: readings,
      text: `<!DOCTYPE html><html><body>${htmlBody(rng, topic)}</body></html>`,
    }),
    png: addFile(ctx, clock, cid, {
      name: "diagram.png",
      folder_id: lectures,
      bytes: makePng(64, 48, rng.int(1, 1e9)),
    }),
  };
  if (index === 0)
    addFile(ctx, clock, cid, { name: "lecture-recording.mp4", folder_id: lectures, size: 3 * 1024 * 1024 });
  // A term's worth of weekly material: lecture notes (PDF), exercise sheets (DOCX) and slides (PPTX).
  for (let week = 2; week <= 6; week++) {
    addFile(ctx, clock, cid, {
      name: `Week ${week} notes.pdf`,
      folder_id: lectures,
      document: { kind: "pdf", pages: [0, 1].map(() => plainLines(rng, topic, 5).join("\n")) },
    });
    addFile(ctx, clock, cid, {
      name: `Week ${week} exercises.docx`,
      folder_id: readings,
      document: { kind: "docx", paragraphs: plainLines(rng, topic, 6) },
    });
    if (week % 2 === 0) {
      addFile(ctx, clock, cid, {
        name: `Week ${week} slides.pptx`,
        folder_id: lectures,
        document: { kind: "pptx", slides: [0, 1, 2].map(() => plainLines(rng, topic, 3)) },
      });
    }
  }

  clock.tick(60);
  const front = coursePages.createPage(ctx, cid, {
    title: `Welcome to ${topic.subject}`,
    body: htmlBody(rng, topic),
    front_page: true,
  });
  const pages: Array<{ id: number; url: string; title: string }> = [
    { ...front, title: `Welcome to ${topic.subject}` },
  ];
  for (let i = 0; i < 28; i++) {
    clock.tick(90);
    const prev = pages[pages.length - 1];
    const links = [
      ...(prev === undefined ? [] : [{ href: `/courses/${cid}/pages/${prev.url}`, text: prev.title }]),
      { href: `/courses/${cid}/files/${fileIds.pdf}/download?wrap=1`, text: "Lecture 1 slides" },
    ];
    const title = `${makeTitle(rng, topic)} (${i + 1})`;
    const page = coursePages.createPage(ctx, cid, {
      title,
      body: htmlBody(rng, topic, links),
      published: i !== 27,
    });
    pages.push({ ...page, title });
  }
  clock.tick(30);
  const integrity = coursePages.createPage(ctx, cid, {
    title: "Academic Integrity Policy",
    body: integrityPage(def.name, index),
  });
  const submit = coursePages.createPage(ctx, cid, { title: "How to Submit Your Work", body: SUBMIT_PAGE });

  const assignments: number[] = [];
  for (let i = 0; i < 4; i++) {
    clock.tick(240);
    const due = new Date(clock.t + (10 + 7 * i) * 86_400_000).toISOString();
    assignments.push(
      content.createAssignment(ctx, cid, {
        name: `Assignment ${i + 1}: ${makeTitle(rng, topic)}`,
        description: htmlBody(rng, topic),
        points_possible: 10 * (i + 1),
        due_at: due,
        submission_types: ["online_upload", "online_text_entry"],
      }).id,
    );
  }
  const discussions = [0, 1].map(
    () => (
      clock.tick(120),
      content.createTopic(ctx, cid, {
        title: `Discuss: ${makeTitle(rng, topic)}`,
        message: `<p>${escapeHtml(paragraph(rng, topic))}</p>`,
      }).id
    ),
  );
  createAnnouncement(
    ctx,
    clock,
    cid,
    "Welcome to the course!",
    `<p>Welcome to ${escapeHtml(def.name)}. Please read the syllabus and the integrity policy before the first class.</p>`,
  );
  createAnnouncement(
    ctx,
    clock,
    cid,
    "Reminder: Assignment 1 due soon",
    `<p>${escapeHtml(paragraph(rng, topic, 2))}</p>`,
  );
  clock.tick(300);
  const quiz = content.createQuiz(ctx, cid, {
    title: `Quiz 1: ${makeTitle(rng, topic)}`,
    description: `<p>${escapeHtml(paragraph(rng, topic, 2))}</p>`,
    question_count: 10,
    points_possible: 10,
    time_limit: 30,
  });
  clock.tick(200);
  const unitCheck = seedUnitCheck(ctx, rng, cid, topic, 1);
  clock.tick(60);
  seedPracticeQuiz(ctx, rng, cid, topic);

  const weeks = 4 + index; // 4, 5 and 6 modules
  for (let w = 0; w < weeks; w++) {
    clock.tick(20);
    const mod = modules.createModule(ctx, cid, { name: `Week ${w + 1}: ${makeTitle(rng, topic)}` }).id;
    const add = (input: modules.ModuleItemInput): void => void modules.createModuleItem(ctx, cid, mod, input);
    add({ type: "SubHeader", title: "Read" });
    const a = pages[1 + 2 * w];
    const b = pages[2 + 2 * w];
    if (a !== undefined) add({ type: "Page", content_id: a.id, indent: 1 });
    if (b !== undefined) add({ type: "Page", content_id: b.id, indent: 1 });
    if (w === 0) {
      add({ type: "Page", content_id: front.id });
      add({ type: "File", content_id: fileIds.pdf });
      add({ type: "File", content_id: fileIds.deck });
      add({ type: "Page", content_id: integrity.id });
      add({
        type: "ExternalUrl",
        title: "University library",
        external_url: "https://library.example.edu/",
        new_tab: true,
      });
    }
    if (w === 1) {
      add({ type: "File", content_id: fileIds.docx });
      add({ type: "Discussion", content_id: discussions[0] ?? 0 });
      add({ type: "Quiz", content_id: quiz.id });
      add({ type: "Assignment", content_id: unitCheck });
    }
    if (w === 2) add({ type: "Page", content_id: submit.id });
    add({ type: "SubHeader", title: "Do" });
    const assignment = assignments[w];
    if (assignment !== undefined)
      add({ type: "Assignment", content_id: assignment, completion_requirement: { type: "must_submit" } });
  }
  course.defaultView = "modules";
}

/** Seeds the three demo courses into a fresh store. */
export function seedDemo(ctx: SimContext, seed: number): void {
  const { context, clock } = seedingContext(ctx, 120);
  const rng = new Rng(seed);
  // One deck, one byte array, three uploads: identical bytes and hash in every course.
  const deckBytes = makePptx(SHARED_DECK);
  const deck: FileContent = { kind: "bytes", bytes: deckBytes };
  for (let i = 0; i < DEMO_COURSES.length; i++) seedCourse(context, clock, rng.fork(i + 1), i, deck);
}
