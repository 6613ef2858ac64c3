/**
 * The New Quizzes API (`/api/quiz/v1`, Instructure's "New Quizzes" and "New Quiz Items" docs): list and show
 * quizzes by assignment id, list and show a quiz's items. Lists page with a Link header whose URLs stay under
 * /api/quiz/v1 (canvasapi issue #663); pages hold at most 50 even when per_page=100 is asked for (INFERRED from
 * the same issue: a course "with over 50 New Quizzes" broke a client that always sends per_page=100; the docs
 * state no page size). A course without New Quizzes access answers every route with its access error.
 */
import { json, notFound, unauthorizedAction } from "./http";
import { paginateOrdinal } from "./pagination";
import { liveQuizItems, newQuizItemJson, newQuizJson } from "./serialize-new-quizzes";
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
import { unreachable } from "../../../src/shared/unreachable";
import type { CourseData } from "./store";
import type { NewQuizRec } from "./model";

/** The largest page the quiz service returns (see the header). */
export const NEW_QUIZZES_MAX_PER_PAGE = 50;

function refused(response: Response): Reply {
  return { kind: "response", response, objects: 0 };
}

/** The course, when it exists and the New Quizzes API is open to the caller; otherwise the answer to send. */
function quizCourse(input: RouteInput): CourseData | Reply {
  const data = courseOf(input);
  if (data === null) return missing();
  switch (data.newQuizzesAccess) {
    case "enabled":
      return data;
    case "not_found":
      return refused(notFound());
    case "unauthorized":
      return refused(unauthorizedAction());
    case "forbidden":
      return refused(
        json(403, {
          status: "unauthorized",
          errors: [{ message: "user not authorized to perform that action" }],
        }),
      );
    default:
      return unreachable(data.newQuizzesAccess);
  }
}

function isReply(value: CourseData | Reply): value is Reply {
  return "kind" in value;
}

function liveQuiz(data: CourseData, input: RouteInput): NewQuizRec | null {
  const id = numericParam(input.params, "assignment_id");
  const quiz = id === null ? undefined : data.newQuizzes.get(id);
  return quiz === undefined || quiz.deleted ? null : quiz;
}

function listQuizzes(input: RouteInput): Reply {
  const data = quizCourse(input);
  if (isReply(data)) return data;
  const list = [...data.newQuizzes.values()].filter((quiz) => !quiz.deleted).sort((a, b) => a.id - b.id);
  const page = paginateOrdinal(list, input.url, input.ctx.apiOrigin, NEW_QUIZZES_MAX_PER_PAGE);
  return listReply(page, (quiz) => newQuizJson(data, quiz));
}

function showQuiz(input: RouteInput): Reply {
  const data = quizCourse(input);
  if (isReply(data)) return data;
  const quiz = liveQuiz(data, input);
  return quiz === null ? missing() : ok(newQuizJson(data, quiz));
}

function listItems(input: RouteInput): Reply {
  const data = quizCourse(input);
  if (isReply(data)) return data;
  const quiz = liveQuiz(data, input);
  if (quiz === null) return missing();
  const page = paginateOrdinal(
    liveQuizItems(data, quiz.id),
    input.url,
    input.ctx.apiOrigin,
    NEW_QUIZZES_MAX_PER_PAGE,
  );
  return listReply(page, (item) => newQuizItemJson(item, data.newQuizAnswersVisible));
}

function showItem(input: RouteInput): Reply {
  const data = quizCourse(input);
  if (isReply(data)) return data;
  const quiz = liveQuiz(data, input);
  const id = numericParam(input.params, "item_id");
  const item = id === null ? undefined : data.newQuizItems.get(id);
  if (quiz === null || item === undefined || item.deleted || item.quizId !== quiz.id) return missing();
  return ok(newQuizItemJson(item, data.newQuizAnswersVisible));
}

const BASE = "/api/quiz/v1/courses/:course_id/quizzes";

export const newQuizRoutes: Route[] = [
  { method: "GET", pattern: BASE, handle: listQuizzes },
  { method: "GET", pattern: `${BASE}/:assignment_id`, handle: showQuiz },
  { method: "GET", pattern: `${BASE}/:assignment_id/items`, handle: listItems },
  { method: "GET", pattern: `${BASE}/:assignment_id/items/:item_id`, handle: showItem },
];
