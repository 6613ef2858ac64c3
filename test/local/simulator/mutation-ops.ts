/**
 * The generic mutation entry point: a zod-validated discriminated union of every content mutation (what
 * `POST /__sim/mutate` accepts) and its dispatch to the typed functions. Creates take `input`, edits `patch`,
 * targets `id`; file bytes travel as base64 over HTTP.
 */
import { z } from "zod";
import * as content from "./mutations-content";
import * as coursePages from "./mutations-course";
import * as files from "./mutations-files";
import * as modules from "./mutations-modules";
import { applyNewQuizMutation, NEW_QUIZ_OPS } from "./mutation-ops-new-quizzes";
import { type SimContext } from "./context";
import { unreachable } from "../../../src/shared/unreachable";

const id = z.number().int().positive();
const date = z.string().nullable().optional();

const Page = z.object({
  title: z.string().min(1),
  body: z.string().optional(),
  published: z.boolean().optional(),
  front_page: z.boolean().optional(),
  editing_roles: z.string().optional(),
});
const Assignment = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  points_possible: z.number().optional(),
  grading_type: z.string().optional(),
  submission_types: z.array(z.string()).optional(),
  due_at: date,
  unlock_at: date,
  lock_at: date,
  published: z.boolean().optional(),
  position: z.number().int().optional(),
});
const Topic = z.object({
  title: z.string().min(1),
  message: z.string().optional(),
  published: z.boolean().optional(),
  pinned: z.boolean().optional(),
  locked: z.boolean().optional(),
});
const Quiz = z.object({
  title: z.string().min(1),
  description: z.string().optional(),
  quiz_type: z.enum(["assignment", "practice_quiz", "graded_survey", "survey"]).optional(),
  time_limit: z.number().int().nullable().optional(),
  question_count: z.number().int().optional(),
  points_possible: z.number().optional(),
  allowed_attempts: z.number().int().optional(),
  due_at: date,
  published: z.boolean().optional(),
});
const Module = z.object({
  name: z.string().min(1),
  position: z.number().int().positive().optional(),
  published: z.boolean().optional(),
  unlock_at: date,
  require_sequential_progress: z.boolean().optional(),
  prerequisite_module_ids: z.array(id).optional(),
});
const ItemType = z.enum([
  "File",
  "Page",
  "Discussion",
  "Assignment",
  "Quiz",
  "SubHeader",
  "ExternalUrl",
  "ExternalTool",
]);
const ModuleItem = z.object({
  type: ItemType,
  content_id: id.optional(),
  page_url: z.string().optional(),
  title: z.string().optional(),
  external_url: z.string().optional(),
  new_tab: z.boolean().optional(),
  position: z.number().int().positive().optional(),
  indent: z.number().int().min(0).optional(),
  published: z.boolean().optional(),
  completion_requirement: z.object({ type: z.string(), min_score: z.number().optional() }).optional(),
});
const ModuleItemPatch = z.object({
  title: z.string().optional(),
  position: z.number().int().positive().optional(),
  indent: z.number().int().min(0).optional(),
  published: z.boolean().optional(),
  new_tab: z.boolean().optional(),
  external_url: z.string().optional(),
  module_id: id.optional(),
});
const Document = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("pdf"), pages: z.array(z.string()) }),
  z.object({ kind: z.literal("docx"), paragraphs: z.array(z.string()) }),
  z.object({ kind: z.literal("pptx"), slides: z.array(z.array(z.string())) }),
  z.object({ kind: z.literal("xlsx"), rows: z.array(z.array(z.string())) }),
]);
const Flags = z.object({
  omitContentLength: z.boolean().optional(),
  contentLengthDelta: z.number().int().optional(),
  declaredSizeDelta: z.number().int().optional(),
  corrupt: z.boolean().optional(),
});
const FileBody = z.object({
  content_type: z.string().optional(),
  bytes_base64: z.string().optional(),
  text: z.string().optional(),
  document: Document.optional(),
  size: z
    .number()
    .int()
    .min(0)
    .max(64 * 1024 ** 3)
    .optional(),
  flags: Flags.optional(),
  corrupt: z.boolean().optional(),
});
const FileInput = FileBody.extend({
  name: z.string().min(1),
  folder_id: id.optional(),
  on_duplicate: z.enum(["overwrite", "rename"]).optional(),
});
const FilePatch = z.object({
  display_name: z.string().min(1).optional(),
  folder_id: id.optional(),
  locked: z.boolean().optional(),
  hidden: z.boolean().optional(),
});

const course = { course_id: id };
export const MutationOpSchema = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("createCourse"),
    input: z.object({
      id: id.optional(),
      name: z.string().min(1),
      course_code: z.string().optional(),
      syllabus_body: z.string().optional(),
    }),
  }),
  z.object({
    op: z.literal("editCourse"),
    ...course,
    patch: z.object({
      name: z.string().optional(),
      course_code: z.string().optional(),
      syllabus_body: z.string().optional(),
      default_view: z.enum(["wiki", "modules", "syllabus", "feed", "assignments"]).optional(),
      workflow_state: z.enum(["unpublished", "available", "completed"]).optional(),
    }),
  }),
  z.object({ op: z.literal("deleteCourse"), ...course }),
  z.object({ op: z.literal("createPage"), ...course, input: Page }),
  z.object({ op: z.literal("editPage"), ...course, id, patch: Page.partial() }),
  z.object({ op: z.literal("deletePage"), ...course, id }),
  z.object({ op: z.literal("createAssignment"), ...course, input: Assignment }),
  z.object({ op: z.literal("editAssignment"), ...course, id, patch: Assignment.partial() }),
  z.object({ op: z.literal("deleteAssignment"), ...course, id }),
  z.object({ op: z.literal("createDiscussion"), ...course, input: Topic }),
  z.object({ op: z.literal("createAnnouncement"), ...course, input: Topic }),
  z.object({ op: z.literal("editDiscussion"), ...course, id, patch: Topic.partial() }),
  z.object({ op: z.literal("deleteDiscussion"), ...course, id }),
  z.object({ op: z.literal("createQuiz"), ...course, input: Quiz }),
  z.object({ op: z.literal("editQuiz"), ...course, id, patch: Quiz.partial() }),
  z.object({ op: z.literal("deleteQuiz"), ...course, id }),
  z.object({ op: z.literal("createModule"), ...course, input: Module }),
  z.object({ op: z.literal("editModule"), ...course, id, patch: Module.partial() }),
  z.object({ op: z.literal("deleteModule"), ...course, id }),
  z.object({ op: z.literal("createModuleItem"), ...course, module_id: id, input: ModuleItem }),
  z.object({ op: z.literal("editModuleItem"), ...course, id, patch: ModuleItemPatch }),
  z.object({ op: z.literal("deleteModuleItem"), ...course, id }),
  z.object({
    op: z.literal("createFolder"),
    ...course,
    input: z.object({ name: z.string().min(1), parent_folder_id: id.optional() }),
  }),
  z.object({
    op: z.literal("editFolder"),
    ...course,
    id,
    patch: z.object({
      name: z.string().optional(),
      hidden: z.boolean().optional(),
      locked: z.boolean().optional(),
    }),
  }),
  z.object({ op: z.literal("createFile"), ...course, input: FileInput }),
  z.object({ op: z.literal("editFile"), ...course, id, patch: FilePatch }),
  z.object({ op: z.literal("replaceFile"), ...course, id, input: FileBody }),
  z.object({ op: z.literal("deleteFile"), ...course, id }),
  ...NEW_QUIZ_OPS,
]);
export type MutationOp = z.infer<typeof MutationOpSchema>;

function decodeBase64(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

type FileBodyInput = z.infer<typeof FileBody>;
function fileBody(input: FileBodyInput): files.FileBody {
  return { ...input, bytes: decodeBase64(input.bytes_base64) };
}

/** Applies one validated mutation; returns what the typed method returns (ids of created objects). */
export function applyMutation(ctx: SimContext, op: MutationOp): unknown {
  switch (op.op) {
    case "createCourse":
      return coursePages.createCourse(ctx, op.input);
    case "editCourse":
      return coursePages.editCourse(ctx, op.course_id, op.patch);
    case "deleteCourse":
      return coursePages.deleteCourse(ctx, op.course_id);
    case "createPage":
      return coursePages.createPage(ctx, op.course_id, op.input);
    case "editPage":
      return coursePages.editPage(ctx, op.course_id, op.id, op.patch);
    case "deletePage":
      return coursePages.deletePage(ctx, op.course_id, op.id);
    case "createAssignment":
      return content.createAssignment(ctx, op.course_id, op.input);
    case "editAssignment":
      return content.editAssignment(ctx, op.course_id, op.id, op.patch);
    case "deleteAssignment":
      return content.deleteAssignment(ctx, op.course_id, op.id);
    case "createDiscussion":
      return content.createTopic(ctx, op.course_id, { ...op.input, is_announcement: false });
    case "createAnnouncement":
      return content.createTopic(ctx, op.course_id, { ...op.input, is_announcement: true });
    case "editDiscussion":
      return content.editTopic(ctx, op.course_id, op.id, op.patch);
    case "deleteDiscussion":
      return content.deleteTopic(ctx, op.course_id, op.id);
    case "createQuiz":
      return content.createQuiz(ctx, op.course_id, op.input);
    case "editQuiz":
      return content.editQuiz(ctx, op.course_id, op.id, op.patch);
    case "deleteQuiz":
      return content.deleteQuiz(ctx, op.course_id, op.id);
    case "createModule":
      return modules.createModule(ctx, op.course_id, op.input);
    case "editModule":
      return modules.editModule(ctx, op.course_id, op.id, op.patch);
    case "deleteModule":
      return modules.deleteModule(ctx, op.course_id, op.id);
    case "createModuleItem":
      return modules.createModuleItem(ctx, op.course_id, op.module_id, op.input);
    case "editModuleItem":
      return modules.editModuleItem(ctx, op.course_id, op.id, op.patch);
    case "deleteModuleItem":
      return modules.deleteModuleItem(ctx, op.course_id, op.id);
    case "createFolder":
      return files.createFolder(ctx, op.course_id, op.input);
    case "editFolder":
      return files.editFolder(ctx, op.course_id, op.id, op.patch);
    case "createFile":
      return files.createFile(ctx, op.course_id, {
        ...fileBody(op.input),
        name: op.input.name,
        folder_id: op.input.folder_id,
        on_duplicate: op.input.on_duplicate,
      });
    case "editFile":
      return files.editFile(ctx, op.course_id, op.id, op.patch);
    case "replaceFile":
      return files.replaceFile(ctx, op.course_id, op.id, fileBody(op.input));
    case "deleteFile":
      return files.deleteFile(ctx, op.course_id, op.id);
    case "createNewQuiz":
    case "editNewQuiz":
    case "deleteNewQuiz":
    case "createNewQuizItem":
    case "editNewQuizItem":
    case "deleteNewQuizItem":
    case "setNewQuizzesAccess":
      return applyNewQuizMutation(ctx, op);
    default:
      return unreachable(op);
  }
}
