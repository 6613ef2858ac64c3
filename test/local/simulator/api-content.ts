/**
 * Assignments, discussion topics (announcements only with only_announcements=true, both through the same
 * routes) and classic quizzes: ordinal pagination, Canvas's list orders, 404 for deleted objects.
 */
import { unauthorizedAction } from "./http";
import { compareKeys, paginateOrdinal, type SortKey } from "./pagination";
import { assignmentJson, quizJson, topicJson } from "./serialize-content";
import {
  courseOf,
  listReply,
  missing,
  numericParam,
  ok,
  type Reply,
  type Route,
  type RouteInput,
} from "./routing";
import type { AssignmentRec, TopicRec } from "./model";

function byKey<T>(keyOf: (item: T) => SortKey, desc = false): (a: T, b: T) => number {
  return (a, b) => (desc ? -compareKeys(keyOf(a), keyOf(b)) : compareKeys(keyOf(a), keyOf(b)));
}

function byPosition(a: AssignmentRec): SortKey {
  return [a.position, a.id];
}

function listAssignments(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const orderBy = input.url.searchParams.get("order_by") ?? "position";
  const search = input.url.searchParams.get("search_term")?.toLowerCase() ?? null;
  const keys: Record<string, (a: AssignmentRec) => SortKey> = {
    position: (a) => [a.position, a.id],
    name: (a) => [a.name, a.id],
    due_at: (a) => [a.dueAt, a.id],
  };
  const keyOf = keys[orderBy] ?? byPosition;
  const list = [...data.assignments.values()]
    .filter(
      (a) =>
        !a.deleted &&
        input.ctx.store.sees(input.token, a.published) &&
        (search === null || a.name.toLowerCase().includes(search)),
    )
    .sort(byKey(keyOf));
  const { apiOrigin } = input.ctx;
  const group = data.course.assignmentGroupId;
  return listReply(paginateOrdinal(list, input.url, apiOrigin), (a) => assignmentJson(apiOrigin, a, group));
}

function showAssignment(input: RouteInput): Reply {
  const data = courseOf(input);
  const id = numericParam(input.params, "id");
  const a = data === null || id === null ? undefined : data.assignments.get(id);
  if (data === null || a === undefined || a.deleted) return missing();
  if (!input.ctx.store.sees(input.token, a.published))
    return { kind: "response", response: unauthorizedAction(), objects: 0 };
  return ok(assignmentJson(input.ctx.apiOrigin, a, data.course.assignmentGroupId));
}

const TOPIC_ORDERS = {
  /** Pinned first, then by position (announcements have none). */
  position: (t: TopicRec): SortKey => [t.pinned ? 0 : 1, t.position, t.id],
  recent: (t: TopicRec): SortKey => [t.lastReplyAt ?? t.postedAt, t.id],
  title: (t: TopicRec): SortKey => [t.title, t.id],
};

function listTopics(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const announcements = input.url.searchParams.get("only_announcements") === "true";
  const orderBy = input.url.searchParams.get("order_by") ?? "position";
  const search = input.url.searchParams.get("search_term")?.toLowerCase() ?? null;
  let keyOf = TOPIC_ORDERS.position;
  let desc = false;
  if (announcements || orderBy === "recent_activity") {
    keyOf = TOPIC_ORDERS.recent;
    desc = true;
  } else if (orderBy === "title") keyOf = TOPIC_ORDERS.title;
  const list = [...data.topics.values()]
    .filter((t) => !t.deleted && t.isAnnouncement === announcements)
    .filter((t) => search === null || t.title.toLowerCase().includes(search))
    .sort(byKey(keyOf, desc));
  const { apiOrigin } = input.ctx;
  return listReply(paginateOrdinal(list, input.url, apiOrigin), (t) => topicJson(apiOrigin, t));
}

function showTopic(input: RouteInput): Reply {
  const data = courseOf(input);
  const id = numericParam(input.params, "id");
  const t = data === null || id === null ? undefined : data.topics.get(id);
  if (t === undefined || t.deleted) return missing();
  return ok(topicJson(input.ctx.apiOrigin, t));
}

function listQuizzes(input: RouteInput): Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  const search = input.url.searchParams.get("search_term")?.toLowerCase() ?? null;
  const list = [...data.quizzes.values()]
    .filter((q) => !q.deleted && (search === null || q.title.toLowerCase().includes(search)))
    .sort((a, b) => a.id - b.id);
  const { apiOrigin } = input.ctx;
  const group = data.course.assignmentGroupId;
  return listReply(paginateOrdinal(list, input.url, apiOrigin), (q) => quizJson(apiOrigin, q, group));
}

function showQuiz(input: RouteInput): Reply {
  const data = courseOf(input);
  const id = numericParam(input.params, "id");
  const q = data === null || id === null ? undefined : data.quizzes.get(id);
  if (data === null || q === undefined || q.deleted) return missing();
  return ok(quizJson(input.ctx.apiOrigin, q, data.course.assignmentGroupId));
}

export const contentRoutes: Route[] = [
  { method: "GET", pattern: "/api/v1/courses/:course_id/assignments", handle: listAssignments },
  { method: "GET", pattern: "/api/v1/courses/:course_id/assignments/:id", handle: showAssignment },
  { method: "GET", pattern: "/api/v1/courses/:course_id/discussion_topics", handle: listTopics },
  { method: "GET", pattern: "/api/v1/courses/:course_id/discussion_topics/:id", handle: showTopic },
  { method: "GET", pattern: "/api/v1/courses/:course_id/quizzes", handle: listQuizzes },
  { method: "GET", pattern: "/api/v1/courses/:course_id/quizzes/:id", handle: showQuiz },
];
