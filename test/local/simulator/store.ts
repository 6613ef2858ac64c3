/**
 * The simulator's in-memory database: every course with its object maps, id sequences (one per table, like
 * Canvas, so a page and a file may share a number), cross-course indexes for the routes that have no course
 * in the path (files/:id, folders/:id) and the SimError used for "no such thing" answers.
 */
import { Rng, mix, seededUuid } from "../rng";
import type { HasherFactory } from "./file-content";
import type {
  AssignmentRec,
  CourseRec,
  FileRec,
  FolderRec,
  ModuleItemRec,
  ModuleRec,
  NewQuizItemRec,
  NewQuizRec,
  NewQuizzesAccess,
  PageRec,
  QuizRec,
  TopicRec,
} from "./model";

/** An expected failure with the HTTP status the control API should answer. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SimError";
  }
}

export interface CourseData {
  course: CourseRec;
  pages: Map<number, PageRec>;
  files: Map<number, FileRec>;
  folders: Map<number, FolderRec>;
  assignments: Map<number, AssignmentRec>;
  topics: Map<number, TopicRec>;
  quizzes: Map<number, QuizRec>;
  modules: Map<number, ModuleRec>;
  items: Map<number, ModuleItemRec>;
  /** New Quizzes by their assignment id, and their items (all quizzes' items in one map, like module items). */
  newQuizzes: Map<number, NewQuizRec>;
  newQuizItems: Map<number, NewQuizItemRec>;
  /** Whether the token may use the New Quizzes API here, and whether it sees answers (scoring_data). */
  newQuizzesAccess: NewQuizzesAccess;
  newQuizAnswersVisible: boolean;
  /** Live page slug -> page id (slugs are unique among live pages). */
  slugs: Map<string, number>;
}

type Sequence =
  | "course"
  | "page"
  | "file"
  | "folder"
  | "assignment"
  | "group"
  | "topic"
  | "quiz"
  | "module"
  | "item"
  | "nq_service"
  | "nq_item";

/** First id of each table; distinct bases make logs readable while ranges may still overlap in big courses. */
const SEQUENCE_START: Record<Sequence, number> = {
  course: 101,
  page: 1001,
  file: 2001,
  folder: 301,
  assignment: 3001,
  group: 51,
  topic: 4001,
  quiz: 501,
  module: 601,
  item: 7001,
  nq_service: 9001,
  nq_item: 9501,
};

export class SimStore {
  readonly courses = new Map<number, CourseData>();
  /** file id -> course id, for /api/v1/files/:id and downloads. */
  readonly fileCourse = new Map<number, number>();
  /** folder id -> course id, for /api/v1/folders/:id. */
  readonly folderCourse = new Map<number, number>();
  private readonly next: Record<Sequence, number> = { ...SEQUENCE_START };
  /** Optional host-provided incremental SHA-256 for huge synthetic files (see SimulatorOptions.sha256). */
  hasher: HasherFactory | null = null;
  /**
   * Whether file download URLs carry a `verifier` that Canvas honours (true until Canvas's 2026 removal). When
   * false, file JSON has no verifier and the download hop accepts only the bearer token.
   */
  fileVerifiers = true;
  /** Builds bodies of pages seeded lazily (body === null); set by the seeders. */
  pageBodyFactory: ((page: PageRec) => string) | null = null;
  /**
   * Tokens whose user may not see unpublished content (a student, or a teacher who lost the right): Canvas lists
   * only published pages and assignments to them and answers 401 for an unpublished one.
   */
  readonly publishedOnly = new Set<string>();

  /** Whether `token` may see an object with this published flag. */
  sees(token: string | null, published: boolean): boolean {
    return published || token === null || !this.publishedOnly.has(token);
  }

  constructor(
    readonly seed: number,
    readonly now: () => number,
  ) {}

  nextId(sequence: Sequence): number {
    const id = this.next[sequence];
    this.next[sequence] = id + 1;
    return id;
  }

  /** Keeps a sequence ahead of an explicitly chosen id (institution configs name their course ids). */
  reserveId(sequence: Sequence, id: number): void {
    if (id >= this.next[sequence]) this.next[sequence] = id + 1;
  }

  /** Deterministic uuid for an object: same seed, kind and id give the same uuid. */
  uuid(kind: string, id: number, version = 0): string {
    let h = 0;
    for (let i = 0; i < kind.length; i++) h = mix(h, kind.charCodeAt(i));
    return seededUuid(new Rng(mix(this.seed, h, id, version)));
  }

  addCourse(course: CourseRec): CourseData {
    const data: CourseData = {
      course,
      pages: new Map(),
      files: new Map(),
      folders: new Map(),
      assignments: new Map(),
      topics: new Map(),
      quizzes: new Map(),
      modules: new Map(),
      items: new Map(),
      newQuizzes: new Map(),
      newQuizItems: new Map(),
      newQuizzesAccess: "enabled",
      newQuizAnswersVisible: true,
      slugs: new Map(),
    };
    this.courses.set(course.id, data);
    return data;
  }

  /** The course's data, deleted courses included (mutations may still target them); throws 404 if unknown. */
  data(courseId: number): CourseData {
    const data = this.courses.get(courseId);
    if (data === undefined) throw new SimError(404, `no course ${courseId}`);
    return data;
  }

  /** The course's data for API reads: a deleted course is "The specified resource does not exist." */
  liveData(courseId: number): CourseData | null {
    const data = this.courses.get(courseId);
    if (data === undefined || data.course.workflowState === "deleted") return null;
    return data;
  }

  /** A page's HTML body, generating it from its seed if it was never materialised (not cached: cheap, light). */
  pageBody(page: PageRec): string {
    if (page.body !== null) return page.body;
    return this.pageBodyFactory === null ? "" : this.pageBodyFactory(page);
  }

  addFile(file: FileRec): void {
    this.data(file.courseId).files.set(file.id, file);
    this.fileCourse.set(file.id, file.courseId);
  }

  addFolder(folder: FolderRec): void {
    this.data(folder.courseId).folders.set(folder.id, folder);
    this.folderCourse.set(folder.id, folder.courseId);
  }

  findFile(fileId: number): FileRec | null {
    const courseId = this.fileCourse.get(fileId);
    if (courseId === undefined) return null;
    return this.courses.get(courseId)?.files.get(fileId) ?? null;
  }

  findFolder(folderId: number): FolderRec | null {
    const courseId = this.folderCourse.get(folderId);
    if (courseId === undefined) return null;
    return this.courses.get(courseId)?.folders.get(folderId) ?? null;
  }

  /** The live (not deleted) items of one module, in position order. */
  moduleItems(data: CourseData, moduleId: number): ModuleItemRec[] {
    const items: ModuleItemRec[] = [];
    for (const item of data.items.values()) if (item.moduleId === moduleId && !item.deleted) items.push(item);
    return items.sort((a, b) => a.position - b.position || a.id - b.id);
  }

  /** Live items grouped by module in one pass (for modules?include[]=items on big courses). */
  itemsByModule(data: CourseData): Map<number, ModuleItemRec[]> {
    const groups = new Map<number, ModuleItemRec[]>();
    for (const item of data.items.values()) {
      if (item.deleted) continue;
      const list = groups.get(item.moduleId);
      if (list === undefined) groups.set(item.moduleId, [item]);
      else list.push(item);
    }
    for (const list of groups.values()) list.sort((a, b) => a.position - b.position || a.id - b.id);
    return groups;
  }

  /** A page slug unique among the course's live pages ("intro", "intro-2", ...), like Canvas. */
  uniqueSlug(data: CourseData, base: string, exceptPageId: number | null): string {
    const free = (slug: string): boolean => {
      const owner = data.slugs.get(slug);
      return owner === undefined || owner === exceptPageId;
    };
    if (free(base)) return base;
    for (let n = 2; ; n++) if (free(`${base}-${n}`)) return `${base}-${n}`;
  }

  /** The folder's full path ("course files/Lectures/Week 1"). */
  folderPath(folder: FolderRec): string {
    const names: string[] = [];
    let current: FolderRec | null = folder;
    let guard = 0;
    while (current !== null && guard++ < 64) {
      names.unshift(current.name);
      current = current.parentFolderId === null ? null : this.findFolder(current.parentFolderId);
    }
    return names.join("/");
  }
}
