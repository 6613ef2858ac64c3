/**
 * Canvas JSON for courses, pages, assignments, discussion topics/announcements and classic quizzes, with the
 * field names, types and omissions of the reference (no updated_at on courses, topics or quizzes; page
 * updated_at is revised_at; list pages carry no body unless include[]=body).
 */
import { iso, isoOrNull } from "./time";
import type { AssignmentRec, CourseRec, PageRec, QuizRec, TopicRec } from "./model";

export type Json = Record<string, unknown>;

/** The single teacher every simulated course is edited by. */
export const TEACHER_ID = 1;

export function userDisplay(apiOrigin: string, courseId: number): Json {
  return {
    id: TEACHER_ID,
    anonymous_id: "1",
    display_name: "Dana Teacher",
    avatar_image_url: `${apiOrigin}/images/messages/avatar-50.png`,
    html_url: `${apiOrigin}/courses/${courseId}/users/${TEACHER_ID}`,
    pronouns: null,
  };
}

export function courseJson(apiOrigin: string, course: CourseRec, includeSyllabus: boolean): Json {
  const json: Json = {
    id: course.id,
    name: course.name,
    account_id: 1,
    uuid: course.uuid,
    start_at: isoOrNull(course.startAt),
    grading_standard_id: null,
    is_public: false,
    created_at: iso(course.createdAt),
    course_code: course.courseCode,
    default_view: course.defaultView,
    root_account_id: 1,
    enrollment_term_id: 1,
    license: course.license,
    grade_passback_setting: null,
    end_at: isoOrNull(course.endAt),
    public_syllabus: false,
    public_syllabus_to_auth: false,
    storage_quota_mb: 500,
    is_public_to_auth_users: false,
    homeroom_course: false,
    course_color: null,
    friendly_name: null,
    apply_assignment_group_weights: false,
    calendar: { ics: `${apiOrigin}/feeds/calendars/course_${course.uuid}.ics` },
    time_zone: course.timeZone,
    blueprint: false,
    template: false,
    enrollments: [
      {
        type: "teacher",
        role: "TeacherEnrollment",
        role_id: 4,
        user_id: TEACHER_ID,
        enrollment_state: "active",
        limit_privileges_to_course_section: false,
      },
    ],
    hide_final_grades: false,
    workflow_state: course.workflowState,
    restrict_enrollments_to_course_dates: false,
  };
  if (includeSyllabus) json["syllabus_body"] = course.syllabusBody;
  return json;
}

export function pageJson(apiOrigin: string, page: PageRec, body: string | null): Json {
  const json: Json = {
    title: page.title,
    created_at: iso(page.createdAt),
    url: page.url,
    editing_roles: page.editingRoles,
    page_id: page.id,
    last_edited_by: userDisplay(apiOrigin, page.courseId),
    published: page.published,
    hide_from_students: !page.published,
    front_page: page.frontPage,
    html_url: `${apiOrigin}/courses/${page.courseId}/pages/${page.url}`,
    todo_date: null,
    publish_at: null,
    updated_at: iso(page.revisedAt),
    locked_for_user: false,
  };
  if (body !== null) json["body"] = body;
  return json;
}

export function assignmentJson(apiOrigin: string, a: AssignmentRec, groupId: number): Json {
  const json: Json = {
    id: a.id,
    description: a.description,
    due_at: isoOrNull(a.dueAt),
    unlock_at: isoOrNull(a.unlockAt),
    lock_at: isoOrNull(a.lockAt),
    points_possible: a.pointsPossible,
    grading_type: a.gradingType,
    assignment_group_id: groupId,
    grading_standard_id: null,
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
    peer_reviews: false,
    automatic_peer_reviews: false,
    position: a.position,
    grade_group_students_individually: false,
    anonymous_peer_reviews: false,
    group_category_id: null,
    post_to_sis: false,
    moderated_grading: false,
    omit_from_final_grade: false,
    intra_group_peer_reviews: false,
    anonymous_instructor_annotations: false,
    anonymous_grading: false,
    graders_anonymous_to_graders: false,
    grader_count: 0,
    grader_comments_visible_to_graders: true,
    final_grader_id: null,
    grader_names_visible_to_final_grader: true,
    allowed_attempts: -1,
    annotatable_attachment_id: null,
    hide_in_gradebook: false,
    course_id: a.courseId,
    name: a.name,
    submission_types: a.submissionTypes,
    has_submitted_submissions: false,
    due_date_required: false,
    max_name_length: 255,
    in_closed_grading_period: false,
    graded_submissions_exist: false,
    is_quiz_assignment: a.quizId !== null,
    can_duplicate: a.quizId === null,
    original_course_id: null,
    original_assignment_id: null,
    original_assignment_name: null,
    original_quiz_id: null,
    workflow_state: a.published ? "published" : "unpublished",
    important_dates: false,
    muted: true,
    html_url: `${apiOrigin}/courses/${a.courseId}/assignments/${a.id}`,
    has_overrides: false,
    needs_grading_count: 0,
    sis_assignment_id: null,
    integration_id: null,
    integration_data: {},
    published: a.published,
    unpublishable: true,
    only_visible_to_overrides: false,
    locked_for_user: false,
    submissions_download_url: `${apiOrigin}/courses/${a.courseId}/assignments/${a.id}/submissions?zip=1`,
    post_manually: false,
    anonymize_students: false,
    require_lockdown_browser: false,
    restrict_quantitative_data: false,
  };
  if (a.quizId !== null) json["quiz_id"] = a.quizId;
  if (a.discussionTopicId !== null) json["discussion_topic"] = { id: a.discussionTopicId };
  if (a.quizLti) {
    // Canvas's assignment_json: quiz_lti? adds the flag and freezes submission_types; external tools get the tag.
    json["is_quiz_lti_assignment"] = true;
    json["frozen_attributes"] = ["submission_types"];
    json["external_tool_tag_attributes"] = { url: `${apiOrigin}/api/quiz/lti/launch`, new_tab: false };
  }
  return json;
}

export function topicJson(apiOrigin: string, t: TopicRec): Json {
  const url = `${apiOrigin}/courses/${t.courseId}/discussion_topics/${t.id}`;
  return {
    id: t.id,
    title: t.title,
    last_reply_at: isoOrNull(t.lastReplyAt),
    created_at: iso(t.createdAt),
    delayed_post_at: null,
    posted_at: iso(t.postedAt),
    assignment_id: t.assignmentId,
    root_topic_id: null,
    position: t.position,
    podcast_has_student_posts: false,
    discussion_type: t.isAnnouncement ? "side_comment" : "threaded",
    lock_at: null,
    allow_rating: false,
    only_graders_can_rate: false,
    sort_by_rating: false,
    is_section_specific: false,
    anonymous_state: null,
    user_name: "Dana Teacher",
    discussion_subentry_count: 0,
    permissions: { attach: true, update: true, reply: true, delete: true, manage_assign_to: true },
    require_initial_post: null,
    user_can_see_posts: true,
    podcast_url: null,
    read_state: "read",
    unread_count: 0,
    subscribed: true,
    attachments: [],
    published: t.published,
    can_unpublish: true,
    locked: t.locked,
    can_lock: true,
    comments_disabled: false,
    author: userDisplay(apiOrigin, t.courseId),
    html_url: url,
    url,
    pinned: t.pinned,
    group_category_id: null,
    can_group: true,
    topic_children: [],
    group_topic_children: [],
    locked_for_user: false,
    message: t.message,
    todo_date: null,
    is_announcement: t.isAnnouncement,
    sort_order: "desc",
    sort_order_locked: false,
    expanded: false,
    expanded_locked: false,
  };
}

export function quizJson(apiOrigin: string, q: QuizRec, groupId: number): Json {
  const url = `${apiOrigin}/courses/${q.courseId}/quizzes/${q.id}`;
  const dates = [{ due_at: isoOrNull(q.dueAt), unlock_at: null, lock_at: null, base: true }];
  return {
    id: q.id,
    title: q.title,
    html_url: url,
    mobile_url: `${url}?force_user=1&persist_headless=1`,
    description: q.description,
    quiz_type: q.quizType,
    time_limit: q.timeLimit,
    timer_autosubmit_disabled: false,
    shuffle_answers: q.shuffleAnswers,
    show_correct_answers: true,
    scoring_policy: "keep_highest",
    allowed_attempts: q.allowedAttempts,
    one_question_at_a_time: false,
    question_count: q.questionCount,
    points_possible: q.pointsPossible,
    cant_go_back: false,
    access_code: null,
    ip_filter: null,
    due_at: isoOrNull(q.dueAt),
    lock_at: null,
    unlock_at: null,
    published: q.published,
    unpublishable: true,
    locked_for_user: false,
    hide_results: null,
    show_correct_answers_at: null,
    hide_correct_answers_at: null,
    all_dates: dates,
    can_unpublish: true,
    can_update: true,
    require_lockdown_browser: false,
    require_lockdown_browser_for_results: false,
    require_lockdown_browser_monitor: false,
    lockdown_browser_monitor_data: null,
    speed_grader_url:
      q.assignmentId === null
        ? null
        : `${apiOrigin}/courses/${q.courseId}/gradebook/speed_grader?assignment_id=${q.assignmentId}`,
    permissions: { read: true, submit: true, create: true, manage: true, update: true, delete: true },
    quiz_reports_url: `${apiOrigin}/api/v1/courses/${q.courseId}/quizzes/${q.id}/reports`,
    quiz_statistics_url: `${apiOrigin}/api/v1/courses/${q.courseId}/quizzes/${q.id}/statistics`,
    important_dates: false,
    quiz_submission_versions_html_url: `${url}/submission_versions`,
    assignment_id: q.assignmentId,
    one_time_results: false,
    only_visible_to_overrides: false,
    assignment_group_id: q.assignmentId === null ? null : groupId,
    show_correct_answers_last_attempt: false,
    has_access_code: false,
    post_to_sis: false,
    migration_id: null,
    in_paced_course: false,
    question_types: ["multiple_choice_question"],
  };
}
