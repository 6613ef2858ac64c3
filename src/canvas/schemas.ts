/**
 * zod schemas for every Canvas response we read, one per resource. Canvas adds fields over time and differs between
 * deployments, so objects are loose (unknown fields pass through and are ignored) but every field we rely on is
 * checked: a response that breaks these schemas is a content error for that object, never silently stored.
 */
import { z } from "zod";

const id = z.number().int().nonnegative();
const timestamp = z.string().nullable().optional();
const html = z.string().nullable().optional();

export const CourseSchema = z.looseObject({
  id,
  name: z.string().nullable().optional(),
  course_code: z.string().nullable().optional(),
  workflow_state: z.string().nullable().optional(),
  default_view: z.string().nullable().optional(),
  start_at: timestamp,
  end_at: timestamp,
  time_zone: z.string().nullable().optional(),
  license: z.string().nullable().optional(),
  is_public: z.boolean().nullable().optional(),
  public_syllabus: z.boolean().nullable().optional(),
  syllabus_body: html,
});
export type CanvasCourse = z.infer<typeof CourseSchema>;

export const ModuleItemSchema = z.looseObject({
  id,
  module_id: id.optional(),
  position: z.number().nullable().optional(),
  title: z.string().nullable().optional(),
  indent: z.number().nullable().optional(),
  type: z.string(),
  content_id: id.nullable().optional(),
  page_url: z.string().nullable().optional(),
  external_url: z.string().nullable().optional(),
  new_tab: z.boolean().nullable().optional(),
  published: z.boolean().nullable().optional(),
  completion_requirement: z.looseObject({ type: z.string() }).nullable().optional(),
});
export type CanvasModuleItem = z.infer<typeof ModuleItemSchema>;

export const ModuleSchema = z.looseObject({
  id,
  name: z.string().nullable().optional(),
  position: z.number().nullable().optional(),
  unlock_at: timestamp,
  require_sequential_progress: z.boolean().nullable().optional(),
  prerequisite_module_ids: z.array(id).nullable().optional(),
  published: z.boolean().nullable().optional(),
  items_count: z.number().int().nonnegative().optional(),
  items: z.array(ModuleItemSchema).optional(),
});
export type CanvasModule = z.infer<typeof ModuleSchema>;

export const PageSummarySchema = z.looseObject({
  page_id: id,
  url: z.string(),
  title: z.string().nullable().optional(),
  created_at: timestamp,
  updated_at: timestamp,
  published: z.boolean().nullable().optional(),
  front_page: z.boolean().nullable().optional(),
  publish_at: timestamp,
  editing_roles: z.string().nullable().optional(),
  todo_date: timestamp,
  body: html,
});
export type CanvasPageSummary = z.infer<typeof PageSummarySchema>;
export const PageSchema = PageSummarySchema;
export type CanvasPage = z.infer<typeof PageSchema>;

export const FileSchema = z.looseObject({
  id,
  uuid: z.string().nullable().optional(),
  folder_id: id.nullable().optional(),
  display_name: z.string(),
  filename: z.string().nullable().optional(),
  "content-type": z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  size: z.number().int().nonnegative().nullable().optional(),
  created_at: timestamp,
  updated_at: timestamp,
  modified_at: timestamp,
  unlock_at: timestamp,
  lock_at: timestamp,
  locked: z.boolean().nullable().optional(),
  hidden: z.boolean().nullable().optional(),
});
export type CanvasFile = z.infer<typeof FileSchema>;

export const FolderSchema = z.looseObject({
  id,
  name: z.string().nullable().optional(),
  full_name: z.string().nullable().optional(),
  parent_folder_id: id.nullable().optional(),
  position: z.number().nullable().optional(),
  created_at: timestamp,
  updated_at: timestamp,
  locked: z.boolean().nullable().optional(),
  hidden: z.boolean().nullable().optional(),
});
export type CanvasFolder = z.infer<typeof FolderSchema>;

export const AssignmentSchema = z.looseObject({
  id,
  name: z.string().nullable().optional(),
  description: html,
  created_at: timestamp,
  updated_at: timestamp,
  due_at: timestamp,
  lock_at: timestamp,
  unlock_at: timestamp,
  points_possible: z.number().nullable().optional(),
  grading_type: z.string().nullable().optional(),
  submission_types: z.array(z.string()).nullable().optional(),
  published: z.boolean().nullable().optional(),
  position: z.number().nullable().optional(),
  assignment_group_id: id.nullable().optional(),
  quiz_id: id.nullable().optional(),
  /** present (true) only on the assignment that carries a New Quiz; the New Quiz has this assignment's id */
  is_quiz_lti_assignment: z.boolean().nullable().optional(),
});
export type CanvasAssignment = z.infer<typeof AssignmentSchema>;

export const DiscussionTopicSchema = z.looseObject({
  id,
  title: z.string().nullable().optional(),
  message: html,
  posted_at: timestamp,
  delayed_post_at: timestamp,
  lock_at: timestamp,
  published: z.boolean().nullable().optional(),
  locked: z.boolean().nullable().optional(),
  pinned: z.boolean().nullable().optional(),
  is_announcement: z.boolean().nullable().optional(),
  discussion_type: z.string().nullable().optional(),
  assignment_id: id.nullable().optional(),
  position: z.number().nullable().optional(),
});
export type CanvasDiscussionTopic = z.infer<typeof DiscussionTopicSchema>;

export const QuizSchema = z.looseObject({
  id,
  title: z.string().nullable().optional(),
  description: html,
  quiz_type: z.string().nullable().optional(),
  time_limit: z.number().nullable().optional(),
  shuffle_answers: z.boolean().nullable().optional(),
  allowed_attempts: z.number().nullable().optional(),
  question_count: z.number().nullable().optional(),
  points_possible: z.number().nullable().optional(),
  due_at: timestamp,
  lock_at: timestamp,
  unlock_at: timestamp,
  published: z.boolean().nullable().optional(),
  assignment_id: id.nullable().optional(),
});
export type CanvasQuiz = z.infer<typeof QuizSchema>;
