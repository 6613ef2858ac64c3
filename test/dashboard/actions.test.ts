/**
 * The dashboard's actions and new views in workerd, against real syncs: register, sync now and remove as form
 * POSTs that need the session's CSRF token (refused without it, or from another origin, and nothing changes); the
 * conflicts list and the side-by-side view with both texts and the score, resolved by a button; the change log
 * paged back to the first change; a course Canvas does not know shown with why.
 */
import { env } from "cloudflare:workers";
import { vi, beforeAll, describe, expect, it } from "vitest";
import { CSRF_FIELD } from "../../src/http/csrf";
import {
  api,
  apiJson,
  API_TOKEN,
  resetStorage,
  startSimulator,
  syncNow,
  waitForJob,
} from "../support/harness";

const COURSE = 701;
const TYPO = 7099;

let cookie = "";

async function signIn(): Promise<string> {
  const response = await api("/login", {
    method: "POST",
    headers: { authorization: "", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: API_TOKEN }).toString(),
    redirect: "manual",
  });
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

function page(path: string): Promise<Response> {
  return api(path, { headers: { authorization: "", cookie }, redirect: "manual" });
}

async function csrfFrom(path: string): Promise<string> {
  const html = await (await page(path)).text();
  const token = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(html)?.[1];
  if (!token) throw new Error(`${path} has no form with a CSRF token`);
  return token;
}

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return api(path, {
    method: "POST",
    headers: { authorization: "", cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

async function registered(courseId: number): Promise<boolean> {
  const row = await env.DB.prepare("SELECT 1 AS x FROM courses WHERE canvas_course_id = ?1")
    .bind(courseId)
    .first();
  return row !== null;
}

const NEAR_BODY = (ending: string) =>
  `<h2>Field trip to the estuary</h2><p>We meet at the north car park at eight. Bring boots, a waterproof jacket, ` +
  `lunch, two litres of water and your field notebook. The bus leaves at a quarter past eight and returns by five. ` +
  `We will sample salinity at four stations and count invertebrates in the mud flats at low tide.</p><p>${ending}</p>`;

describe("dashboard actions and views", () => {
  beforeAll(async () => {
    await resetStorage();
    const simulator = startSimulator({ seed: 9, institution: { courses: [{ id: COURSE, items: 60 }] } });
    simulator.control.createPage(COURSE, {
      title: "Field trip",
      body: NEAR_BODY("Questions to Dr. Okafor."),
    });
    simulator.control.createPage(COURSE, {
      title: "Field trip (updated)",
      body: NEAR_BODY("Questions to Dr. Lindqvist, please."),
    });
    const registration = await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } });
    if (registration.status !== 201) throw new Error(`registering answered ${registration.status}`);
    const job = await syncNow(COURSE, "full");
    if (job.status !== "succeeded") throw new Error(`the first sync failed: ${job.error ?? ""}`);
    cookie = await signIn();
  });

  it("refuses a form without the session's CSRF token, or from another origin, and changes nothing", async () => {
    const token = await csrfFrom("/");
    for (const [fields, headers] of [
      [{ canvasCourseId: "4242" }, {}],
      [{ canvasCourseId: "4242", [CSRF_FIELD]: "x".repeat(43) }, {}],
      [{ canvasCourseId: "4242", [CSRF_FIELD]: token }, { origin: "https://evil.example" }],
    ] as const) {
      const response = await post("/courses", fields, headers);
      expect(response.status).toBe(403);
    }
    // Without a session at all the form sends you to sign in.
    const anonymous = await api("/courses", {
      method: "POST",
      headers: { authorization: "", "content-type": "application/x-www-form-urlencoded" },
      body: "canvasCourseId=4242",
      redirect: "manual",
    });
    expect(anonymous.headers.get("location")).toBe("/login");
    expect(await registered(4242)).toBe(false);
  });

  it("registers, syncs and removes a course through the forms", async () => {
    const token = await csrfFrom("/");
    const created = await post("/courses", { canvasCourseId: String(TYPO), [CSRF_FIELD]: token });
    expect(created.status).toBe(303);
    expect(created.headers.get("location")).toBe(`/courses/${TYPO}?notice=registered`);
    expect(await registered(TYPO)).toBe(true);
    // Its first sync was requested at once; Canvas has no such course, and the page says why.
    const jobs = await env.DB.prepare("SELECT id FROM sync_jobs WHERE course_id = ?1")
      .bind(TYPO)
      .all<{ id: string }>();
    const [first] = jobs.results;
    if (!first) throw new Error("no job for the registered course");
    expect((await waitForJob(first.id)).errorCategory).toBe("not_found");
    const typoPage = await (await page(`/courses/${TYPO}?notice=registered`)).text();
    expect(typoPage).toContain('class="badge not_found"');
    expect(typoPage).toContain('id="not-found-reason"');
    expect(typoPage).toContain("Course registered");

    const again = await post("/courses", { canvasCourseId: String(TYPO), [CSRF_FIELD]: token });
    expect(again.headers.get("location")).toBe("/?notice=already_registered");

    const courseToken = await csrfFrom(`/courses/${COURSE}`);
    const before = await env.DB.prepare("SELECT count(*) AS n FROM sync_jobs WHERE course_id = ?1")
      .bind(COURSE)
      .first<{ n: number }>();
    const sync = await post(`/courses/${COURSE}/sync`, { mode: "full", [CSRF_FIELD]: courseToken });
    expect(sync.headers.get("location")).toBe(`/courses/${COURSE}?notice=sync_requested`);
    const newest = await env.DB.prepare(
      "SELECT id, mode FROM sync_jobs WHERE course_id = ?1 ORDER BY created_at DESC LIMIT 1",
    )
      .bind(COURSE)
      .first<{ id: string; mode: string }>();
    expect(newest?.mode).toBe("full");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM sync_jobs WHERE course_id = ?1")
      .bind(COURSE)
      .first<{ n: number }>();
    expect(after?.n).toBe((before?.n ?? 0) + 1);
    expect((await waitForJob(newest?.id ?? "")).status).toBe("succeeded");

    const removed = await post(`/courses/${TYPO}/remove`, {
      purge: "true",
      [CSRF_FIELD]: await csrfFrom(`/courses/${TYPO}`),
    });
    expect(removed.headers.get("location")).toBe("/?notice=purged");
    expect(await registered(TYPO)).toBe(false);
    expect(await (await page("/?notice=purged")).text()).toContain("mirrored content deleted");
  });

  it("lists the near-duplicate, shows both texts side by side with the score, and resolves it", async () => {
    // The bulk course has generated near-duplicates of its own; find the field-trip pair.
    const id = await vi.waitUntil(
      async () => {
        let cursor: string | null = null;
        do {
          const route: string = `/api/conflicts?status=open&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
          const list = await apiJson<{
            items: { id: number; a: { title: string | null }; b: { title: string | null } }[];
            nextCursor: string | null;
          }>(route);
          const found = list.items.find(
            (c) => c.a.title?.startsWith("Field trip") && c.b.title?.startsWith("Field trip"),
          );
          if (found) return String(found.id);
          cursor = list.nextCursor;
        } while (cursor);
        return false;
      },
      { timeout: 60_000, interval: 200 },
    );
    const conflict = { id };
    const listing = await (await page("/conflicts")).text();
    expect(listing).toContain('id="conflicts"');
    expect(listing).toMatch(/<td data-label="Similarity" class="num">\d+%<\/td>/);
    const view = await (await page(`/conflicts/${conflict.id}`)).text();
    const compare = view.slice(view.indexOf('id="compare"'));
    expect(compare).toContain("Questions to Dr. Okafor.");
    expect(compare).toContain("Questions to Dr. Lindqvist, please.");
    expect(view).toMatch(/Conflict \d+: \d+(\.\d)?% similar/);
    const token = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(view)?.[1] ?? "";
    const resolved = await post(`/conflicts/${conflict.id}/resolve`, {
      resolution: "keep_both",
      [CSRF_FIELD]: token,
    });
    expect(resolved.headers.get("location")).toBe(`/conflicts/${conflict.id}?notice=resolved`);
    const stored = await (
      await api(`/api/conflicts/${conflict.id}`)
    ).json<{ status: string; resolution: string }>();
    expect(stored).toMatchObject({ status: "resolved", resolution: "keep_both" });
    expect(await (await page("/conflicts?status=resolved")).text()).toContain(
      `data-conflict-id="${conflict.id}"`,
    );
    // A mark_duplicate without a side, or with a side not in the pair, changes nothing.
    const bad = await post(`/conflicts/${conflict.id}/resolve`, {
      resolution: "mark_duplicate",
      canonicalItemId: "1:page:1",
      [CSRF_FIELD]: token,
    });
    expect(bad.headers.get("location")).toBe(`/conflicts/${conflict.id}?notice=invalid`);
  });

  it("pages the change log back to the first change, with no row twice", async () => {
    const total = await env.DB.prepare("SELECT count(*) AS n FROM item_changes WHERE course_id = ?1")
      .bind(COURSE)
      .first<{ n: number }>();
    expect(total?.n).toBeGreaterThan(50);
    const seen: string[] = [];
    let path: string | null = `/courses/${COURSE}`;
    while (path) {
      const html: string = await (await page(path)).text();
      const log: string = html.slice(html.indexOf('id="change-log"'));
      seen.push(...[...log.matchAll(/data-change-id="(\d+)"/g)].map((m) => m[1] ?? ""));
      const older: string | undefined = /href="([^"]+)">Older changes/.exec(log)?.[1];
      path = older ? older.replace(/&amp;/g, "&") : null;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total?.n);
  });
});
