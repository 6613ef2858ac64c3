/**
 * Projections: for each Canvas resource, the fields the mirror stores, in a canonical shape. What is left out is
 * left out on purpose: per-caller fields (locked_for_user, read_state, unread_count), volatile ones (download URLs
 * with verifiers, reply counters), derived ones (items_count) and the timestamps the timestamp tier compares on its
 * own, so that a moved timestamp with unchanged content is told apart from a real content change.
 */
import type {
  CanvasAssignment,
  CanvasCourse,
  CanvasDiscussionTopic,
  CanvasFile,
  CanvasFolder,
  CanvasModule,
  CanvasModuleItem,
  CanvasPage,
  CanvasQuiz,
} from "../canvas/schemas";
import type { Projection } from "./canonical";
import type { ItemType } from "./item-types";
import { NEW_QUIZ_TEXT_FIELD } from "./new-quiz-projection";

export type { Projection } from "./canonical";

const sortedNumbers = (values: readonly number[] | null | undefined): number[] =>
  [...(values ?? [])].sort((a, b) => a - b);
const sortedStrings = (values: readonly string[] | null | undefined): string[] => [...(values ?? [])].sort();

export function projectCourse(course: CanvasCourse): Projection {
  return {
    name: course.name,
    course_code: course.course_code,
    workflow_state: course.workflow_state,
    default_view: course.default_view,
    start_at: course.start_at,
    end_at: course.end_at,
    time_zone: course.time_zone,
    license: course.license,
    is_public: course.is_public,
    public_syllabus: course.public_syllabus,
  };
}

export function projectSyllabus(course: CanvasCourse): Projection {
  return { body: course.syllabus_body ?? null };
}

export function projectModule(module: CanvasModule): Projection {
  return {
    name: module.name,
    position: module.position,
    unlock_at: module.unlock_at,
    require_sequential_progress: module.require_sequential_progress,
    prerequisite_module_ids: sortedNumbers(module.prerequisite_module_ids),
    published: module.published,
  };
}

export function projectModuleItem(item: CanvasModuleItem, moduleId: number): Projection {
  return {
    module_id: moduleId,
    position: item.position,
    title: item.title,
    indent: item.indent,
    type: item.type,
    content_id: item.content_id,
    page_url: item.page_url,
    external_url: item.external_url,
    new_tab: item.new_tab,
    published: item.published,
    completion_requirement: item.completion_requirement?.type ?? null,
  };
}

/** Page fields visible in the list (no body): compared on every sync because publishing moves no timestamp. */
export function projectPageListFields(page: CanvasPage): Projection {
  return {
    title: page.title,
    url: page.url,
    published: page.published,
    front_page: page.front_page,
    publish_at: page.publish_at,
    editing_roles: page.editing_roles,
    todo_date: page.todo_date,
  };
}

export function projectPage(page: CanvasPage, body: string | null): Projection {
  return { ...projectPageListFields(page), body };
}

/** File metadata plus the SHA-256 of its bytes (null until downloaded, or when the download was skipped). */
export function projectFile(file: CanvasFile, contentSha256: string | null): Projection {
  return {
    display_name: file.display_name,
    filename: file.filename,
    folder_id: file.folder_id,
    content_type: file["content-type"],
    size: file.size,
    locked: file.locked,
    hidden: file.hidden,
    unlock_at: file.unlock_at,
    lock_at: file.lock_at,
    sha256: contentSha256,
  };
}

export function projectFolder(folder: CanvasFolder): Projection {
  return {
    name: folder.name,
    full_name: folder.full_name,
    parent_folder_id: folder.parent_folder_id,
    position: folder.position,
    locked: folder.locked,
    hidden: folder.hidden,
  };
}

export function projectAssignment(assignment: CanvasAssignment): Projection {
  return {
    name: assignment.name,
    description: assignment.description,
    due_at: assignment.due_at,
    lock_at: assignment.lock_at,
    unlock_at: assignment.unlock_at,
    points_possible: assignment.points_possible,
    grading_type: assignment.grading_type,
    submission_types: sortedStrings(assignment.submission_types),
    published: assignment.published,
    position: assignment.position,
    assignment_group_id: assignment.assignment_group_id,
    quiz_id: assignment.quiz_id,
    // The link to the New Quiz this assignment carries (same id), only where there is one: every other
    // assignment keeps the projection, and so the hash, it had before New Quizzes were mirrored.
    ...(assignment.is_quiz_lti_assignment === true ? { new_quiz_id: String(assignment.id) } : {}),
  };
}

export function projectDiscussionTopic(topic: CanvasDiscussionTopic): Projection {
  return {
    title: topic.title,
    message: topic.message,
    posted_at: topic.posted_at,
    delayed_post_at: topic.delayed_post_at,
    lock_at: topic.lock_at,
    published: topic.published,
    locked: topic.locked,
    pinned: topic.pinned,
    discussion_type: topic.discussion_type,
    assignment_id: topic.assignment_id,
  };
}

export function projectQuiz(quiz: CanvasQuiz): Projection {
  return {
    title: quiz.title,
    description: quiz.description,
    quiz_type: quiz.quiz_type,
    time_limit: quiz.time_limit,
    shuffle_answers: quiz.shuffle_answers,
    allowed_attempts: quiz.allowed_attempts,
    question_count: quiz.question_count,
    points_possible: quiz.points_possible,
    due_at: quiz.due_at,
    lock_at: quiz.lock_at,
    unlock_at: quiz.unlock_at,
    published: quiz.published,
    assignment_id: quiz.assignment_id,
  };
}

/** The projection field holding an item's rich text (HTML), whose text is extracted and deduplicated. */
export const TEXT_FIELD: Partial<Record<ItemType, string>> = {
  syllabus: "body",
  page: "body",
  assignment: "description",
  discussion_topic: "message",
  announcement: "message",
  quiz: "description",
  new_quiz: NEW_QUIZ_TEXT_FIELD,
};

/** The display title of a projection, for the items API. */
export function titleOf(type: ItemType, projection: Projection): string | null {
  const candidates = type === "file" ? ["display_name"] : ["title", "name"];
  if (type === "syllabus") return "Syllabus";
  for (const key of candidates) {
    const value = projection[key];
    if (typeof value === "string") return value;
  }
  return null;
}
