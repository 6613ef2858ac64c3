/**
 * truth(courseId): the exact content a correct mirror must hold for a course right now (live objects with their
 * full content, file SHA-256 of the bytes actually served) plus the ids of soft-deleted objects, so tests can
 * compare a mirror against ground truth instead of against what the simulator's own API happened to return.
 */
import { contentSha256, contentSize } from "./file-content";
import { declaredSize } from "./serialize-structure";
import { iso, isoOrNull } from "./time";
import { newQuizzesTruth, type NewQuizTruth } from "./truth-new-quizzes";
import type { FileFlags, TopicRec } from "./model";
import type { SimStore } from "./store";

export interface TruthItem {
  id: number;
  type: string;
  title: string;
  position: number;
  indent: number;
  /** The linked object's id (for Page items: the page id, which the API hides behind page_url). */
  content_id: number | null;
  page_url: string | null;
  external_url: string | null;
  published: boolean;
}

export interface CourseTruth {
  course: {
    id: number;
    name: string;
    course_code: string;
    workflow_state: string;
    default_view: string;
    syllabus_body: string;
  };
  pages: Array<{
    page_id: number;
    url: string;
    title: string;
    body: string;
    published: boolean;
    front_page: boolean;
    created_at: string;
    updated_at: string;
  }>;
  files: Array<{
    id: number;
    uuid: string;
    folder_id: number;
    display_name: string;
    filename: string;
    content_type: string;
    /** Bytes actually served. */
    size: number;
    /** What the JSON claims (differs from size only for flagged files). */
    declared_size: number;
    /** null when truth was asked without hashes. */
    sha256: string | null;
    created_at: string;
    updated_at: string;
    modified_at: string;
    flags: FileFlags;
    /** The text the file was generated from (documents, text files), null when unknown or corrupt. */
    text: string | null;
  }>;
  folders: Array<{ id: number; name: string; full_name: string; parent_folder_id: number | null }>;
  modules: Array<{ id: number; name: string; position: number; published: boolean; items: TruthItem[] }>;
  assignments: Array<{
    id: number;
    name: string;
    description: string;
    points_possible: number;
    due_at: string | null;
    published: boolean;
    updated_at: string;
    quiz_id: number | null;
    /** Carries a New Quiz (is_quiz_lti_assignment): the New Quiz has this assignment's id. */
    quiz_lti: boolean;
  }>;
  discussions: Array<{
    id: number;
    title: string;
    message: string;
    published: boolean;
    locked: boolean;
    pinned: boolean;
    posted_at: string;
  }>;
  announcements: Array<{
    id: number;
    title: string;
    message: string;
    published: boolean;
    locked: boolean;
    pinned: boolean;
    posted_at: string;
  }>;
  quizzes: Array<{
    id: number;
    title: string;
    description: string;
    quiz_type: string;
    question_count: number;
    points_possible: number;
    time_limit: number | null;
    published: boolean;
    due_at: string | null;
    assignment_id: number | null;
  }>;
  /** New Quizzes with their items (each quiz's id is its quiz_lti assignment's id). */
  new_quizzes: NewQuizTruth[];
  /** Whether the course's New Quizzes API is open to the token, and whether it shows answers. */
  new_quizzes_access: { access: string; answers_visible: boolean };
  deleted: Record<
    | "pages"
    | "files"
    | "folders"
    | "assignments"
    | "discussions"
    | "announcements"
    | "quizzes"
    | "new_quizzes"
    | "modules"
    | "module_items",
    number[]
  >;
  /** Overwritten files: the old id and the id that replaced it. */
  replaced_files: Array<{ old_id: number; new_id: number }>;
}

function ids<T extends { id: number; deleted: boolean }>(
  rows: Iterable<T>,
  filter: (row: T) => boolean = () => true,
): number[] {
  const out: number[] = [];
  for (const row of rows) if (row.deleted && filter(row)) out.push(row.id);
  return out.sort((a, b) => a - b);
}

function live<T extends { id: number; deleted: boolean }>(rows: Iterable<T>): T[] {
  return [...rows].filter((r) => !r.deleted).sort((a, b) => a.id - b.id);
}

function topic(t: TopicRec): CourseTruth["discussions"][number] {
  return {
    id: t.id,
    title: t.title,
    message: t.message,
    published: t.published,
    locked: t.locked,
    pinned: t.pinned,
    posted_at: iso(t.postedAt),
  };
}

export async function buildTruth(
  store: SimStore,
  courseId: number,
  withHashes: boolean,
): Promise<CourseTruth> {
  const data = store.data(courseId);
  const c = data.course;
  const groups = store.itemsByModule(data);
  const files: CourseTruth["files"] = [];
  for (const f of live(data.files.values())) {
    files.push({
      id: f.id,
      uuid: f.uuid,
      folder_id: f.folderId,
      display_name: f.displayName,
      filename: f.filename,
      content_type: f.contentType,
      size: contentSize(f.content),
      declared_size: declaredSize(f),
      sha256: withHashes ? await contentSha256(f.content, store.seed, store.hasher) : null,
      created_at: iso(f.createdAt),
      updated_at: iso(f.updatedAt),
      modified_at: iso(f.modifiedAt),
      flags: { ...f.flags },
      text: f.knownText,
    });
  }
  const liveTopics = live(data.topics.values());
  const newQuizzes = newQuizzesTruth(data);
  return {
    course: {
      id: c.id,
      name: c.name,
      course_code: c.courseCode,
      workflow_state: c.workflowState,
      default_view: c.defaultView,
      syllabus_body: c.syllabusBody,
    },
    pages: live(data.pages.values()).map((p) => ({
      page_id: p.id,
      url: p.url,
      title: p.title,
      body: store.pageBody(p),
      published: p.published,
      front_page: p.frontPage,
      created_at: iso(p.createdAt),
      updated_at: iso(p.revisedAt),
    })),
    files,
    folders: live(data.folders.values()).map((f) => ({
      id: f.id,
      name: f.name,
      full_name: store.folderPath(f),
      parent_folder_id: f.parentFolderId,
    })),
    modules: live(data.modules.values())
      .sort((a, b) => a.position - b.position || a.id - b.id)
      .map((m) => ({
        id: m.id,
        name: m.name,
        position: m.position,
        published: m.published,
        items: (groups.get(m.id) ?? []).map((i) => ({
          id: i.id,
          type: i.type,
          title: i.title,
          position: i.position,
          indent: i.indent,
          content_id: i.contentId,
          page_url:
            i.type === "Page" && i.contentId !== null ? (data.pages.get(i.contentId)?.url ?? null) : null,
          external_url: i.externalUrl,
          published: i.published,
        })),
      })),
    assignments: live(data.assignments.values()).map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      points_possible: a.pointsPossible,
      due_at: isoOrNull(a.dueAt),
      published: a.published,
      updated_at: iso(a.updatedAt),
      quiz_id: a.quizId,
      quiz_lti: a.quizLti,
    })),
    discussions: liveTopics.filter((t) => !t.isAnnouncement).map(topic),
    announcements: liveTopics.filter((t) => t.isAnnouncement).map(topic),
    quizzes: live(data.quizzes.values()).map((q) => ({
      id: q.id,
      title: q.title,
      description: q.description,
      quiz_type: q.quizType,
      question_count: q.questionCount,
      points_possible: q.pointsPossible,
      time_limit: q.timeLimit,
      published: q.published,
      due_at: isoOrNull(q.dueAt),
      assignment_id: q.assignmentId,
    })),
    new_quizzes: newQuizzes.live,
    new_quizzes_access: newQuizzes.access,
    deleted: {
      pages: ids(data.pages.values()),
      files: ids(data.files.values()),
      folders: ids(data.folders.values()),
      assignments: ids(data.assignments.values()),
      discussions: ids(data.topics.values(), (t) => !t.isAnnouncement),
      announcements: ids(data.topics.values(), (t) => t.isAnnouncement),
      quizzes: ids(data.quizzes.values()),
      new_quizzes: newQuizzes.deleted,
      modules: ids(data.modules.values()),
      module_items: ids(data.items.values()),
    },
    replaced_files: [...data.files.values()]
      .filter((f) => f.replacedBy !== null)
      .map((f) => ({ old_id: f.id, new_id: f.replacedBy ?? 0 }))
      .sort((a, b) => a.old_id - b.old_id),
  };
}
