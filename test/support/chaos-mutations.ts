/**
 * What teachers do between two syncs of a chaos run, chosen from the course's truth with the run's seeded random:
 * page edits, deletions and new pages, an assignment edited and one deleted, a discussion deleted, new files, a file
 * overwritten in place (Canvas gives it a new id) and one deleted, a module renamed and a module item removed, and
 * the syllabus rewritten. Content-only; it goes through the simulator's control, not over HTTP, so no fault hits it.
 */
import type { Random } from "../../src/resilience/backoff";
import type { CanvasSimulator } from "../local/simulator";

function pick<T>(items: readonly T[], random: Random): T | undefined {
  return items[Math.floor(random() * items.length)];
}

export async function mutateCourse(
  simulator: CanvasSimulator,
  courseId: number,
  random: Random,
): Promise<void> {
  const control = simulator.control;
  const truth = await control.truth(courseId, { hashes: false });
  // Module items first: deleting a page or an assignment below also removes the items that point at it.
  const module = pick(truth.modules, random);
  if (module) {
    control.editModule(courseId, module.id, { name: `${module.name} (revised)` });
    const item = pick(module.items, random);
    if (item) control.deleteModuleItem(courseId, item.id);
  }
  // Canvas refuses to delete the front page, so it is only ever edited.
  const pages = truth.pages.filter((page) => !page.front_page);
  for (let i = 0; i < 3 && pages.length > 0; i++) {
    const page = pages.splice(Math.floor(random() * pages.length), 1)[0];
    if (page)
      control.editPage(courseId, page.page_id, {
        body: `<p>Edited during the chaos run (${i}).</p>${page.body}`,
      });
  }
  for (let i = 0; i < 2 && pages.length > 0; i++) {
    const page = pages.splice(Math.floor(random() * pages.length), 1)[0];
    if (page) control.deletePage(courseId, page.page_id);
  }
  control.createPage(courseId, { title: `Chaos notes ${courseId} A`, body: "<p>Written between syncs.</p>" });
  control.createPage(courseId, {
    title: `Chaos notes ${courseId} B`,
    body: "<p>Also written between syncs.</p>",
  });

  // Plain assignments only: a quiz's assignment goes with its quiz.
  const [edited, removed] = truth.assignments.filter((assignment) => assignment.quiz_id === null);
  if (edited)
    control.editAssignment(courseId, edited.id, {
      description: `<p>New instructions for ${edited.name}</p>`,
    });
  if (removed) control.deleteAssignment(courseId, removed.id);
  const topic = pick(truth.discussions, random);
  if (topic) control.deleteDiscussion(courseId, topic.id);

  control.createFile(courseId, { name: `chaos-${courseId}-1.txt`, text: "A new handout.\nLine two.\n" });
  control.createFile(courseId, { name: `chaos-${courseId}-2.md`, text: "# Reading list\n\n- one\n- two\n" });
  const files = [...truth.files];
  const overwritten = files.splice(Math.floor(random() * files.length), 1)[0];
  if (overwritten)
    control.replaceFile(courseId, overwritten.id, {
      text: `Overwritten copy of ${overwritten.display_name}\n`,
    });
  const deleted = pick(files, random);
  if (deleted) control.deleteFile(courseId, deleted.id);

  control.editSyllabus(courseId, `<p>Syllabus rewritten during the chaos run for course ${courseId}.</p>`);
}
