/**
 * The simulator's internal records: one interface per Canvas object type, as Canvas stores them (soft-delete
 * flags, internal timestamps that the API does not expose), plus the file-content variants. Times are epoch ms
 * from the injectable clock; serializers turn records into the exact Canvas JSON shapes.
 */

export interface CourseRec {
  id: number;
  uuid: string;
  name: string;
  courseCode: string;
  workflowState: "unpublished" | "available" | "completed" | "deleted";
  defaultView: "wiki" | "modules" | "syllabus" | "feed" | "assignments";
  createdAt: number;
  /** Internal only: Course JSON has no updated_at (live events carry it). */
  updatedAt: number;
  startAt: number | null;
  endAt: number | null;
  syllabusBody: string;
  timeZone: string;
  license: string;
  rootFolderId: number;
  assignmentGroupId: number;
}

export interface PageRec {
  id: number;
  courseId: number;
  url: string;
  title: string;
  /** null = not materialised yet; generated from bodySeed on first read (keeps 10k-item courses light). */
  body: string | null;
  bodySeed: number;
  published: boolean;
  frontPage: boolean;
  editingRoles: string;
  createdAt: number;
  /** revised_at: what the API reports as updated_at; moves only on title/body changes. */
  revisedAt: number;
  /** The row's real updated_at: moves on every save; only visible through sort=updated_at. */
  updatedAt: number;
  deleted: boolean;
}

export interface FolderRec {
  id: number;
  courseId: number;
  name: string;
  parentFolderId: number | null;
  position: number;
  createdAt: number;
  updatedAt: number;
  locked: boolean;
  hidden: boolean;
  deleted: boolean;
}

/** Knobs that make a file misbehave on download, for resilience tests. */
export interface FileFlags {
  /** Serve without Content-Length (chunked). */
  omitContentLength?: boolean | undefined;
  /** Content-Length header = real length + delta (a lie). */
  contentLengthDelta?: number | undefined;
  /** The JSON `size` = real length + delta. */
  declaredSizeDelta?: number | undefined;
  /** The bytes are deliberately broken (documents that no reader can open). Informational for truth(). */
  corrupt?: boolean | undefined;
}

export type FileContent =
  | { kind: "bytes"; bytes: Uint8Array }
  /** Built on first use and cached (documents in big courses; shared templates share one cache). */
  | { kind: "lazy"; size: number | null; make: () => Uint8Array; cache: { bytes: Uint8Array | null } }
  /** Generated chunk by chunk from (seed, key); never held whole in memory. */
  | { kind: "synthetic"; size: number; key: number; text: boolean };

export interface FileRec {
  id: number;
  courseId: number;
  folderId: number;
  uuid: string;
  displayName: string;
  filename: string;
  contentType: string;
  content: FileContent;
  flags: FileFlags;
  createdAt: number;
  updatedAt: number;
  modifiedAt: number;
  locked: boolean;
  hidden: boolean;
  deleted: boolean;
  /** Set on the old row when the file was overwritten (Canvas replacement_attachment_id). */
  replacedBy: number | null;
  /** The text a document/text file was generated from, when known (truth() exposes it for extraction tests). */
  knownText: string | null;
}

export interface AssignmentRec {
  id: number;
  courseId: number;
  name: string;
  description: string;
  position: number;
  pointsPossible: number;
  gradingType: string;
  submissionTypes: string[];
  dueAt: number | null;
  unlockAt: number | null;
  lockAt: number | null;
  createdAt: number;
  updatedAt: number;
  published: boolean;
  quizId: number | null;
  discussionTopicId: number | null;
  /** The assignment carries a New Quiz (is_quiz_lti_assignment, submission type external_tool). */
  quizLti: boolean;
  deleted: boolean;
}

export interface TopicRec {
  id: number;
  courseId: number;
  title: string;
  message: string;
  isAnnouncement: boolean;
  published: boolean;
  locked: boolean;
  pinned: boolean;
  position: number | null;
  postedAt: number;
  createdAt: number;
  /** Internal only: topic JSON has no updated_at. */
  updatedAt: number;
  lastReplyAt: number | null;
  assignmentId: number | null;
  deleted: boolean;
}

export interface QuizRec {
  id: number;
  courseId: number;
  title: string;
  description: string;
  quizType: "assignment" | "practice_quiz" | "graded_survey" | "survey";
  timeLimit: number | null;
  shuffleAnswers: boolean;
  allowedAttempts: number;
  questionCount: number;
  pointsPossible: number;
  published: boolean;
  dueAt: number | null;
  assignmentId: number | null;
  /** Internal only: the quiz serializer has no timestamps. */
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

/**
 * Who may use the New Quizzes API of a course: a course (or role) without it answers 404, 401 without
 * WWW-Authenticate, or a JSON 403 on every /api/quiz/v1 route.
 */
export type NewQuizzesAccess = "enabled" | "not_found" | "unauthorized" | "forbidden";

/** A New Quiz: the quiz service's record behind a quiz_lti assignment, addressed by that assignment's id. */
export interface NewQuizRec {
  /** The carrying assignment's id, which is also the quiz's id in the New Quizzes API. */
  id: number;
  courseId: number;
  /** The quiz service's own id: what quizzes.* Live Events carry (never the assignment id). */
  serviceId: number;
  title: string;
  instructions: string;
  /** Used only while the quiz has no scored items; otherwise the points are the sum of the items'. */
  pointsPossible: number;
  dueAt: number | null;
  lockAt: number | null;
  unlockAt: number | null;
  published: boolean;
  gradingType: string;
  /** QuizSettings exactly as the API shows it (snake_case, nested multiple_attempts/result_view_settings). */
  settings: Record<string, unknown>;
  /** Internal only: the NewQuiz JSON has no timestamps. */
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

export type NewQuizEntryType = "Item" | "Stimulus" | "BankEntry" | "Bank";

/** One entry of a New Quiz (a question, a stimulus, a bank entry or a bank) with its entry JSON as the API has it. */
export interface NewQuizItemRec {
  id: number;
  quizId: number;
  position: number;
  pointsPossible: number;
  entryType: NewQuizEntryType;
  /** The stimulus item this question belongs to, or null. */
  stimulusId: number | null;
  /** QuestionItem, StimulusItem, BankEntryItem or BankItem, by entry_type. */
  entry: Record<string, unknown>;
  properties: Record<string, unknown> | null;
  updatedAt: number;
  deleted: boolean;
}

export interface ModuleRec {
  id: number;
  courseId: number;
  name: string;
  position: number;
  unlockAt: number | null;
  requireSequentialProgress: boolean;
  prerequisiteModuleIds: number[];
  published: boolean;
  /** Internal only (Canvas touches the module when items change). */
  updatedAt: number;
  deleted: boolean;
}

export type ModuleItemType =
  | "File"
  | "Page"
  | "Discussion"
  | "Assignment"
  | "Quiz"
  | "SubHeader"
  | "ExternalUrl"
  | "ExternalTool";

export interface ModuleItemRec {
  id: number;
  courseId: number;
  moduleId: number;
  position: number;
  title: string;
  indent: number;
  type: ModuleItemType;
  /** Page id for Page items (the API shows only page_url), the object id for others, null for SubHeader/URL. */
  contentId: number | null;
  externalUrl: string | null;
  newTab: boolean;
  published: boolean;
  completionRequirement: { type: string; min_score?: number | undefined } | null;
  deleted: boolean;
}

/** Every object type the mirror cares about, as used by truth() and counters. */
export type ObjectKind =
  | "course"
  | "page"
  | "file"
  | "folder"
  | "assignment"
  | "discussion"
  | "announcement"
  | "quiz"
  | "new_quiz"
  | "module"
  | "module_item";
