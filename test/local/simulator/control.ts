/**
 * SimulatorControl: the direct (in-process) handle tests use to change content, tokens, throttling and faults,
 * and to read counters, truth and live events. Every content method delegates to the mutation modules, so the
 * HTTP control API (`/__sim/mutate`) and these methods behave identically.
 */
import * as content from "./mutations-content";
import * as coursePages from "./mutations-course";
import * as files from "./mutations-files";
import * as modules from "./mutations-modules";
import * as newQuizzes from "./mutations-new-quizzes";
import { applyMutation, MutationOpSchema, type MutationOp } from "./mutation-ops";
import { buildTruth, type CourseTruth } from "./truth";
import { contentSha256 } from "./file-content";
import { SimError } from "./store";
import { ThrottleState, type ThrottleOptions } from "./throttle";
import type { AccessDenial, TokenState } from "./auth";
import type { CounterSnapshot, LoadSnapshot } from "./counters";
import type { FaultRule } from "./faults";
import type { LiveEvent, LiveEventListener } from "./live-events";
import type { Runtime } from "./dispatch";

export interface SimulatorControl {
  // Courses and syllabus
  createCourse(input: coursePages.CourseInput): { id: number };
  editCourse(courseId: number, patch: coursePages.CoursePatch): void;
  editSyllabus(courseId: number, syllabusBody: string): void;
  deleteCourse(courseId: number): void;
  // Pages
  createPage(courseId: number, input: coursePages.PageInput): { id: number; url: string };
  editPage(courseId: number, pageId: number, patch: coursePages.PagePatch): { url: string };
  deletePage(courseId: number, pageId: number): void;
  // Assignments
  createAssignment(courseId: number, input: content.AssignmentInput): { id: number };
  editAssignment(courseId: number, id: number, patch: content.AssignmentPatch): void;
  deleteAssignment(courseId: number, id: number): void;
  // Discussions and announcements
  createDiscussion(courseId: number, input: Omit<content.TopicInput, "is_announcement">): { id: number };
  createAnnouncement(courseId: number, input: Omit<content.TopicInput, "is_announcement">): { id: number };
  editDiscussion(courseId: number, id: number, patch: content.TopicPatch): void;
  deleteDiscussion(courseId: number, id: number): void;
  /** Same as editDiscussion/deleteDiscussion (announcements are discussion topics in Canvas). */
  editAnnouncement(courseId: number, id: number, patch: content.TopicPatch): void;
  deleteAnnouncement(courseId: number, id: number): void;
  // Quizzes
  createQuiz(courseId: number, input: content.QuizInput): { id: number; assignmentId: number | null };
  editQuiz(courseId: number, id: number, patch: content.QuizPatch): void;
  deleteQuiz(courseId: number, id: number): void;
  // New Quizzes (each with its quiz_lti assignment; the quiz's id is the assignment's)
  createNewQuiz(courseId: number, input: newQuizzes.NewQuizInput): { id: number };
  editNewQuiz(courseId: number, id: number, patch: newQuizzes.NewQuizPatch): void;
  deleteNewQuiz(courseId: number, id: number): void;
  createNewQuizItem(courseId: number, quizId: number, input: newQuizzes.NewQuizItemInput): { id: number };
  editNewQuizItem(courseId: number, quizId: number, itemId: number, patch: newQuizzes.NewQuizItemPatch): void;
  deleteNewQuizItem(courseId: number, quizId: number, itemId: number): void;
  /** Closes (404/401/403) or opens a course's New Quizzes API, and hides or shows answers (scoring_data). */
  setNewQuizzesAccess(courseId: number, settings: Parameters<typeof newQuizzes.setNewQuizzesAccess>[2]): void;
  // Modules
  createModule(courseId: number, input: modules.ModuleInput): { id: number };
  editModule(courseId: number, id: number, patch: modules.ModulePatch): void;
  deleteModule(courseId: number, id: number): void;
  createModuleItem(courseId: number, moduleId: number, input: modules.ModuleItemInput): { id: number };
  editModuleItem(courseId: number, itemId: number, patch: modules.ModuleItemPatch): void;
  deleteModuleItem(courseId: number, itemId: number): void;
  // Files and folders
  createFolder(courseId: number, input: { name: string; parent_folder_id?: number }): { id: number };
  editFolder(
    courseId: number,
    folderId: number,
    patch: { name?: string; hidden?: boolean; locked?: boolean },
  ): void;
  createFile(courseId: number, spec: files.FileSpec): { id: number; uuid: string; replaced: number | null };
  editFile(courseId: number, fileId: number, patch: files.FilePatch): void;
  renameFile(courseId: number, fileId: number, displayName: string): void;
  moveFile(courseId: number, fileId: number, folderId: number): void;
  replaceFile(
    courseId: number,
    fileId: number,
    body: files.FileBody,
  ): { id: number; uuid: string; replaced: number };
  deleteFile(courseId: number, fileId: number): void;
  /** Generic, zod-validated mutation (what POST /__sim/mutate runs). */
  mutate(op: MutationOp): unknown;
  /**
   * Canvas's 2026 removal of file `verifier`s: false makes file URLs carry none and the download hop demand the
   * bearer token (the storage hop keeps refusing any Authorization header).
   */
  setFileVerifiers(enabled: boolean): void;
  // Tokens
  addToken(token: string, state?: TokenState): void;
  setTokenState(token: string, state: TokenState): void;
  /** Makes `token` lack permission on matching paths (401 without WWW-Authenticate, JSON 403, or scope 401). */
  denyAccess(token: string, denial: AccessDenial): void;
  clearDenials(token?: string): void;
  /** Makes `token` see only published pages and assignments (a permission change), or everything again. */
  restrictToPublished(token: string, restricted: boolean): void;
  // Throttle
  setThrottle(options: Partial<ThrottleOptions>): void;
  throttleOptions(): ThrottleOptions;
  resetThrottle(): void;
  /** The bucket level (units) of the token's throttle bucket now: hwm minus the remaining quota. */
  throttleLevel(token: string): number;
  // Faults
  addFault(rule: FaultRule): string;
  removeFault(id: string): boolean;
  clearFaults(): void;
  listFaults(): ReturnType<Runtime["faults"]["list"]>;
  // Counters
  counters(): CounterSnapshot;
  /** Units charged to the buckets and API requests in flight (the maximum since the last reset). */
  load(): LoadSnapshot;
  resetCounters(): void;
  // Truth
  truth(courseId: number, options?: { hashes?: boolean }): Promise<CourseTruth>;
  fileSha256(fileId: number): Promise<string>;
  courseIds(): number[];
  // Live events
  onEvent(listener: LiveEventListener): () => void;
  events(after?: number): Array<{ seq: number; event: LiveEvent }>;
}

export function createControl(rt: Runtime): SimulatorControl {
  const ctx = rt.ctx;
  return {
    createCourse: (input) => coursePages.createCourse(ctx, input),
    editCourse: (id, patch) => coursePages.editCourse(ctx, id, patch),
    editSyllabus: (id, syllabusBody) => coursePages.editCourse(ctx, id, { syllabus_body: syllabusBody }),
    deleteCourse: (id) => coursePages.deleteCourse(ctx, id),
    createPage: (c, input) => coursePages.createPage(ctx, c, input),
    editPage: (c, id, patch) => coursePages.editPage(ctx, c, id, patch),
    deletePage: (c, id) => coursePages.deletePage(ctx, c, id),
    createAssignment: (c, input) => content.createAssignment(ctx, c, input),
    editAssignment: (c, id, patch) => content.editAssignment(ctx, c, id, patch),
    deleteAssignment: (c, id) => content.deleteAssignment(ctx, c, id),
    createDiscussion: (c, input) => content.createTopic(ctx, c, { ...input, is_announcement: false }),
    createAnnouncement: (c, input) => content.createTopic(ctx, c, { ...input, is_announcement: true }),
    editDiscussion: (c, id, patch) => content.editTopic(ctx, c, id, patch),
    deleteDiscussion: (c, id) => content.deleteTopic(ctx, c, id),
    editAnnouncement: (c, id, patch) => content.editTopic(ctx, c, id, patch),
    deleteAnnouncement: (c, id) => content.deleteTopic(ctx, c, id),
    createQuiz: (c, input) => content.createQuiz(ctx, c, input),
    editQuiz: (c, id, patch) => content.editQuiz(ctx, c, id, patch),
    deleteQuiz: (c, id) => content.deleteQuiz(ctx, c, id),
    createNewQuiz: (c, input) => newQuizzes.createNewQuiz(ctx, c, input),
    editNewQuiz: (c, id, patch) => newQuizzes.editNewQuiz(ctx, c, id, patch),
    deleteNewQuiz: (c, id) => newQuizzes.deleteNewQuiz(ctx, c, id),
    createNewQuizItem: (c, q, input) => newQuizzes.createNewQuizItem(ctx, c, q, input),
    editNewQuizItem: (c, q, id, patch) => newQuizzes.editNewQuizItem(ctx, c, q, id, patch),
    deleteNewQuizItem: (c, q, id) => newQuizzes.deleteNewQuizItem(ctx, c, q, id),
    setNewQuizzesAccess: (c, settings) => newQuizzes.setNewQuizzesAccess(ctx, c, settings),
    createModule: (c, input) => modules.createModule(ctx, c, input),
    editModule: (c, id, patch) => modules.editModule(ctx, c, id, patch),
    deleteModule: (c, id) => modules.deleteModule(ctx, c, id),
    createModuleItem: (c, m, input) => modules.createModuleItem(ctx, c, m, input),
    editModuleItem: (c, id, patch) => modules.editModuleItem(ctx, c, id, patch),
    deleteModuleItem: (c, id) => modules.deleteModuleItem(ctx, c, id),
    createFolder: (c, input) => files.createFolder(ctx, c, input),
    editFolder: (c, id, patch) => files.editFolder(ctx, c, id, patch),
    createFile: (c, spec) => files.createFile(ctx, c, spec),
    editFile: (c, id, patch) => files.editFile(ctx, c, id, patch),
    renameFile: (c, id, displayName) => files.editFile(ctx, c, id, { display_name: displayName }),
    moveFile: (c, id, folderId) => files.editFile(ctx, c, id, { folder_id: folderId }),
    replaceFile: (c, id, body) => files.replaceFile(ctx, c, id, body),
    deleteFile: (c, id) => files.deleteFile(ctx, c, id),
    mutate: (op) => applyMutation(ctx, MutationOpSchema.parse(op)),
    setFileVerifiers: (enabled) => {
      ctx.store.fileVerifiers = enabled;
    },
    addToken: (token, state) => rt.tokens.add(token, state),
    setTokenState: (token, state) => rt.tokens.setState(token, state),
    denyAccess: (token, denial) => rt.tokens.deny(token, denial),
    restrictToPublished: (token, restricted) => {
      if (restricted) ctx.store.publishedOnly.add(token);
      else ctx.store.publishedOnly.delete(token);
    },
    clearDenials: (token) => rt.tokens.clearDenials(token),
    setThrottle: (options) => {
      rt.throttle.options = { ...rt.throttle.options, ...options };
    },
    throttleOptions: () => ({ ...rt.throttle.options }),
    resetThrottle: () => {
      rt.throttle.reset();
    },
    throttleLevel: (token) =>
      rt.throttle.options.hwm - rt.throttle.remaining(ThrottleState.keyFor(token), rt.ctx.now()),
    addFault: (rule) => rt.faults.add(rule),
    removeFault: (id) => rt.faults.remove(id),
    clearFaults: () => rt.faults.clear(),
    listFaults: () => rt.faults.list(),
    counters: () => rt.counters.snapshot(),
    load: () => rt.counters.loadSnapshot(),
    resetCounters: () => rt.counters.reset(),
    truth: (courseId, options) => buildTruth(ctx.store, courseId, options?.hashes ?? true),
    fileSha256: (fileId) => {
      const file = ctx.store.findFile(fileId);
      if (file === null) return Promise.reject(new SimError(404, `no file ${fileId}`));
      return contentSha256(file.content, ctx.store.seed, ctx.store.hasher);
    },
    courseIds: () => [...ctx.store.courses.keys()].sort((a, b) => a - b),
    onEvent: (listener) => ctx.events.on(listener),
    events: (after = 0) => ctx.events.since(after),
  };
}
