/**
 * Generated institutions: `{ courses: [{ id, items }] }` builds each course with ~`items` objects in a realistic
 * mix (30% pages, 30% files, 20% assignments, 10% discussions and announcements, 5% quizzes, the rest modules),
 * module items pointing at about half of the objects, and one module with more than 100 items (so
 * include[]=items has to fall back to the items endpoint). Records are built directly, not through the
 * mutation functions, to keep 10,000 objects well under a second; page bodies and file bytes stay lazy.
 */
import { makeDocx, makePdf, makePptx } from "./documents";
import { Rng, mix } from "../rng";
import { DAY_MS } from "./time";
import { TOPICS, htmlBody, paragraph, plainLines, slugify, title as makeTitle, type Topic } from "./text";
import * as coursePages from "./mutations-course";
import { seedPracticeQuiz, seedUnitCheck } from "./seed-new-quizzes";
import { contentTypeFor } from "./mutations-files";
import type { SimContext } from "./context";
import type { FileContent, ModuleItemRec, ModuleItemType } from "./model";

export interface BulkCourseSpec {
  id: number;
  items: number;
  name?: string | undefined;
  /** New Quizzes to add on top of `items` (default 0, so request counts of existing scenarios stay put). */
  newQuizzes?: number | undefined;
}

export function topicFor(courseId: number): Topic {
  return (
    TOPICS[mix(courseId) % TOPICS.length] ??
    TOPICS[0] ?? { subject: "General", nouns: ["topic"], adjectives: ["general"] }
  );
}

/** The split of `n` objects into types. */
export function bulkMix(n: number): {
  pages: number;
  files: number;
  assignments: number;
  topics: number;
  quizzes: number;
  modules: number;
} {
  const pages = Math.round(n * 0.3);
  const files = Math.round(n * 0.3);
  const assignments = Math.round(n * 0.2);
  const topics = Math.round(n * 0.1);
  const quizzes = Math.round(n * 0.05);
  const modules = Math.max(1, n - pages - files - assignments - topics - quizzes);
  return { pages, files, assignments, topics, quizzes, modules };
}

/** A small pool of real documents shared by many files (built lazily, once): bulk courses reuse uploads too. */
function documentPool(seed: number, topic: Topic): FileContent[] {
  const pool: FileContent[] = [];
  for (let i = 0; i < 12; i++) {
    const rng = new Rng(mix(seed, 0xd0c, i));
    const kind = i % 3;
    const cache: { bytes: Uint8Array | null } = { bytes: null };
    const make = (): Uint8Array => {
      if (kind === 0)
        return makePdf([plainLines(rng, topic, 8).join("\n"), plainLines(rng, topic, 8).join("\n")]);
      if (kind === 1) return makeDocx(plainLines(rng, topic, 12));
      return makePptx([[makeTitle(rng, topic)], plainLines(rng, topic, 3)]);
    };
    pool.push({ kind: "lazy", size: null, make, cache });
  }
  return pool;
}

const DOC_EXT = ["pdf", "docx", "pptx"] as const;
const TEXT_EXT = ["txt", "csv", "md", "html"] as const;
const BIN_EXT = ["png", "zip", "mp4"] as const;

function seedBulkCourse(ctx: SimContext, seed: number, spec: BulkCourseSpec): void {
  const { store } = ctx;
  const end = ctx.now();
  const rng = new Rng(mix(seed, spec.id));
  const topic = topicFor(spec.id);
  const when = (i: number, total: number): number =>
    end - 180 * DAY_MS + Math.floor(((i + 1) / (total + 1)) * 170 * DAY_MS);
  const name = spec.name ?? `${topic.subject} ${100 + (spec.id % 900)} (generated)`;
  coursePages.createCourse(
    { ...ctx, now: () => end - 181 * DAY_MS },
    { id: spec.id, name, syllabus_body: htmlBody(rng, topic) },
  );
  const data = store.data(spec.id);
  const counts = bulkMix(spec.items);
  const linkable: Array<{ type: ModuleItemType; id: number; title: string }> = [];

  const folders = [data.course.rootFolderId];
  for (let i = 0; i < Math.min(10, Math.max(1, Math.floor(counts.files / 50))); i++) {
    const id = store.nextId("folder");
    const t = when(i, 10);
    store.addFolder({
      id,
      courseId: spec.id,
      name: `Unit ${i + 1}`,
      parentFolderId: data.course.rootFolderId,
      position: i + 1,
      createdAt: t,
      updatedAt: t,
      locked: false,
      hidden: false,
      deleted: false,
    });
    folders.push(id);
  }

  for (let i = 0; i < counts.pages; i++) {
    const id = store.nextId("page");
    const t = when(i, counts.pages);
    const title = `${makeTitle(rng, topic)} ${i + 1}`;
    const url = store.uniqueSlug(data, slugify(title), null);
    data.pages.set(id, {
      id,
      courseId: spec.id,
      url,
      title,
      body: null,
      bodySeed: mix(seed, spec.id, id),
      published: i % 10 !== 9,
      frontPage: i === 0,
      editingRoles: "teachers",
      createdAt: t,
      revisedAt: t,
      updatedAt: t,
      deleted: false,
    });
    data.slugs.set(url, id);
    if (i % 2 === 0) linkable.push({ type: "Page", id, title });
  }

  const pool = documentPool(seed, topic);
  for (let i = 0; i < counts.files; i++) {
    const id = store.nextId("file");
    const t = when(i, counts.files);
    const roll = rng.next();
    let ext: string;
    let fileContent: FileContent;
    if (roll < 0.15) {
      const slot = i % pool.length;
      ext = DOC_EXT[slot % 3] ?? "pdf";
      fileContent = pool[slot] ?? { kind: "synthetic", size: 1024, key: id, text: false };
    } else if (roll < 0.75) {
      ext = rng.pick(TEXT_EXT);
      fileContent = { kind: "synthetic", size: rng.int(512, 48 * 1024), key: id, text: true };
    } else {
      ext = rng.pick(BIN_EXT);
      fileContent = { kind: "synthetic", size: rng.int(4 * 1024, 256 * 1024), key: id, text: false };
    }
    const displayName = `${rng.pick(topic.nouns).replace(/ /g, "-")}-${i + 1}.${ext}`;
    store.addFile({
      id,
      courseId: spec.id,
      folderId: folders[i % folders.length] ?? data.course.rootFolderId,
      uuid: store.uuid("file", id),
      displayName,
      filename: displayName,
      contentType: contentTypeFor(displayName),
      content: fileContent,
      flags: {},
      createdAt: t,
      updatedAt: t,
      modifiedAt: t,
      locked: false,
      hidden: false,
      deleted: false,
      replacedBy: null,
      knownText: null,
    });
    if (i % 2 === 0) linkable.push({ type: "File", id, title: displayName });
  }

  for (let i = 0; i < counts.assignments; i++) {
    const id = store.nextId("assignment");
    const t = when(i, counts.assignments);
    const title = `Assignment ${i + 1}: ${makeTitle(rng, topic)}`;
    data.assignments.set(id, {
      id,
      courseId: spec.id,
      name: title,
      description: `<p>${paragraph(rng, topic, 2)}</p>`,
      position: i + 1,
      pointsPossible: 10,
      gradingType: "points",
      submissionTypes: ["online_upload"],
      dueAt: t + 14 * DAY_MS,
      unlockAt: null,
      lockAt: null,
      createdAt: t,
      updatedAt: t,
      published: true,
      quizId: null,
      discussionTopicId: null,
      quizLti: false,
      deleted: false,
    });
    if (i % 2 === 0) linkable.push({ type: "Assignment", id, title });
  }

  const announcements = Math.floor(counts.topics / 4);
  for (let i = 0; i < counts.topics; i++) {
    const id = store.nextId("topic");
    const t = when(i, counts.topics);
    const isAnnouncement = i < announcements;
    const title = isAnnouncement ? `Announcement ${i + 1}` : `Discussion ${i + 1}: ${makeTitle(rng, topic)}`;
    data.topics.set(id, {
      id,
      courseId: spec.id,
      title,
      message: `<p>${paragraph(rng, topic, 2)}</p>`,
      isAnnouncement,
      published: true,
      locked: false,
      pinned: false,
      position: isAnnouncement ? null : i + 1,
      postedAt: t,
      createdAt: t,
      updatedAt: t,
      lastReplyAt: null,
      assignmentId: null,
      deleted: false,
    });
    if (!isAnnouncement && i % 2 === 0) linkable.push({ type: "Discussion", id, title });
  }

  for (let i = 0; i < counts.quizzes; i++) {
    const id = store.nextId("quiz");
    const t = when(i, counts.quizzes);
    const title = `Practice quiz ${i + 1}`;
    data.quizzes.set(id, {
      id,
      courseId: spec.id,
      title,
      description: `<p>${paragraph(rng, topic, 1)}</p>`,
      quizType: "practice_quiz",
      timeLimit: null,
      shuffleAnswers: false,
      allowedAttempts: -1,
      questionCount: 5,
      pointsPossible: 5,
      published: true,
      dueAt: null,
      assignmentId: null,
      createdAt: t,
      updatedAt: t,
      deleted: false,
    });
    if (i % 2 === 0) linkable.push({ type: "Quiz", id, title });
  }

  const quizContext: SimContext = { ...ctx, now: () => end - 2 * DAY_MS };
  for (let i = 0; i < (spec.newQuizzes ?? 0); i++) {
    if (i % 3 === 2) seedPracticeQuiz(quizContext, rng, spec.id, topic);
    else seedUnitCheck(quizContext, rng, spec.id, topic, i + 1);
  }

  // Module sizes: the first module is deliberately big (> 100 items) when there is enough to link.
  const moduleIds: number[] = [];
  for (let m = 0; m < counts.modules; m++) {
    const id = store.nextId("module");
    data.modules.set(id, {
      id,
      courseId: spec.id,
      name: `Module ${m + 1}: ${makeTitle(rng, topic)}`,
      position: m + 1,
      unlockAt: null,
      requireSequentialProgress: false,
      prerequisiteModuleIds: [],
      published: true,
      updatedAt: end - DAY_MS,
      deleted: false,
    });
    moduleIds.push(id);
  }
  const big = linkable.length > 300 ? 150 : 0;
  const rest = Math.max(1, moduleIds.length - (big > 0 ? 1 : 0));
  const positions = new Map<number, number>();
  linkable.forEach((target, k) => {
    const moduleIndex = big > 0 && k < big ? 0 : (big > 0 ? 1 : 0) + ((k - big) % rest);
    const moduleId = moduleIds[Math.min(moduleIndex, moduleIds.length - 1)] ?? 0;
    const position = (positions.get(moduleId) ?? 0) + 1;
    positions.set(moduleId, position);
    const item: ModuleItemRec = {
      id: store.nextId("item"),
      courseId: spec.id,
      moduleId,
      position,
      title: target.title,
      indent: 0,
      type: target.type,
      contentId: target.id,
      externalUrl: null,
      newTab: false,
      published: true,
      completionRequirement: null,
      deleted: false,
    };
    data.items.set(item.id, item);
  });
}

/** Seeds generated courses; page bodies come from their seed on demand. */
export function seedBulk(ctx: SimContext, seed: number, courses: readonly BulkCourseSpec[]): void {
  for (const spec of courses) {
    ctx.store.reserveId("course", spec.id);
    seedBulkCourse(ctx, seed, spec);
  }
}

/** The lazy page-body factory for generated pages (deterministic from the page's seed and course topic). */
export function bulkPageBody(page: { bodySeed: number; courseId: number }): string {
  return htmlBody(new Rng(page.bodySeed), topicFor(page.courseId));
}
