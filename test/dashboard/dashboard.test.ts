/**
 * The dashboard in workerd against real syncs: sign-in and the session cookie, the overview (courses, running jobs
 * with live progress, plots), the course page (job history, change log), escaping of Canvas text, and refusals.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, apiJson, API_TOKEN, startSimulator, syncNow } from "../support/harness";

const COURSE = 601;

async function signIn(): Promise<string> {
  const response = await api("/login", {
    method: "POST",
    headers: { authorization: "", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: API_TOKEN }).toString(),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/");
  const cookie = response.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/^canvas_sync_token=[^;]+;/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  expect(cookie).not.toContain(API_TOKEN);
  return cookie.split(";")[0] ?? "";
}

/** A dashboard request carrying only the cookie (the harness adds a bearer header unless one is given). */
function withCookie(path: string, cookie: string, method = "GET"): Promise<Response> {
  return api(path, { method, headers: { authorization: "", cookie }, redirect: "manual" });
}

function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</table>", start));
}

function plot(html: string, id: string): string {
  const start = html.indexOf(`data-plot="${id}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</figure>", start));
}

describe("sign-in", () => {
  it("sends visitors without a session to the form, and a wrong token gets no cookie", async () => {
    for (const path of ["/", `/courses/${COURSE}`]) {
      const response = await withCookie(path, "");
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/login");
    }
    const form = await withCookie("/login", "");
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="token"');

    const wrong = await api("/login", {
      method: "POST",
      headers: { authorization: "", "content-type": "application/x-www-form-urlencoded" },
      body: "token=not-the-token-0123456789",
      redirect: "manual",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await wrong.text()).toContain("not valid");
  });

  it("sets a signed session that opens the dashboard and the API, rejects tampering, and signs out", async () => {
    const cookie = await signIn();
    const page = await withCookie("/", cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await withCookie("/api/courses", cookie)).status).toBe(200);

    const [name, value] = cookie.split("=");
    const tampered = `${name}=${value?.slice(0, -2)}${value?.endsWith("AA") ? "BB" : "AA"}`;
    expect((await withCookie("/", tampered)).status).toBe(303);
    expect((await withCookie("/api/courses", tampered)).status).toBe(401);
    // The raw API token is not a session.
    expect((await withCookie("/api/courses", `canvas_sync_token=${API_TOKEN}`)).status).toBe(401);

    const out = await withCookie("/logout", cookie, "POST");
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/canvas_sync_token=;.*Max-Age=0/i);
  });

  it("serves the stylesheet and the live-progress script to anyone", async () => {
    const css = await withCookie("/ui/style.css", "");
    expect(css.headers.get("content-type")).toContain("text/css");
    const js = await withCookie("/ui/app.js", "");
    expect(js.status).toBe(200);
    expect(await js.text()).toContain("/api/courses/");
  });

  it("answers /favicon.ico with the icon (a browser asks for it on the plain-text /metrics page)", async () => {
    for (const path of ["/favicon.ico", "/ui/favicon.svg"]) {
      const icon = await withCookie(path, "");
      expect(icon.status).toBe(200);
      expect(icon.headers.get("content-type")).toBe("image/svg+xml");
      expect(await icon.text()).toContain("<svg");
    }
  });
});

describe("pages after real syncs", () => {
  it("show the course, its jobs, plots and change log, with Canvas text escaped", async () => {
    const simulator = startSimulator({ seed: 5, institution: { courses: [{ id: COURSE, items: 30 }] } });
    expect((await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } })).status).toBe(
      201,
    );
    const first = await syncNow(COURSE);
    expect(first.status).toBe("succeeded");
    const truth = await simulator.control.truth(COURSE);
    const page = truth.pages[0];
    if (!page) throw new Error("the simulated course has no page");
    const hostileTitle = '<script>alert("owned")</script> Week 1';
    simulator.control.editPage(COURSE, page.page_id, { title: hostileTitle, body: "<p>new body</p>" });
    const second = await syncNow(COURSE);
    expect(second.status).toBe("succeeded");

    const cookie = await signIn();
    const overview = await (await withCookie("/", cookie)).text();
    const courses = section(overview, "courses");
    expect(courses).toContain(`data-course-id="${COURSE}"`);
    expect(courses).toContain('class="badge idle"');
    // The name comes from the mirrored course object.
    expect(courses).toContain(truth.course.name);
    for (const id of ["sync-duration", "canvas-requests", "changes", "throttled"]) {
      expect(plot(overview, id).match(/<circle /g)).toHaveLength(2);
    }
    // The plotted values are the jobs' own numbers, oldest first.
    // One series per course, named after it, with a legend entry.
    const requestsPlot = plot(overview, "canvas-requests");
    expect(requestsPlot).toContain(`data-series="${COURSE} ${truth.course.name}"`);
    expect(requestsPlot).toMatch(/<ul class="legend"><li><span class="swatch s0"><\/span>601 /);
    const requests = [...requestsPlot.matchAll(/<title>601 [^:<]*: (\d+)<\/title>/g)].map((m) =>
      Number(m[1]),
    );
    expect(requests).toEqual([first.report?.canvasRequests, second.report?.canvasRequests]);
    expect(plot(overview, "rate-limit-headroom")).toMatch(/\d+ of \d+ remaining/);

    const coursePage = await withCookie(`/courses/${COURSE}`, cookie);
    expect(coursePage.status).toBe(200);
    const html = await coursePage.text();
    const jobs = await apiJson<{ items: { jobId: string }[] }>(`/api/courses/${COURSE}/jobs`);
    const history = section(html, "job-history");
    expect(history.match(/<tr data-job-id=/g)).toHaveLength(jobs.items.length);
    for (const job of jobs.items) expect(history).toContain(`data-job-id="${job.jobId}"`);

    const changes = section(html, "change-log");
    const pageRows = changes
      .split("<tr ")
      .filter((row) => row.includes(`title="${COURSE}:page:${page.page_id}"`));
    // Newest first: the edit (title and body changed), then the original addition.
    expect(
      pageRows.map(
        (row) => /<td data-label="Change">(added|content modified|content updated)<\/td>/.exec(row)?.[1],
      ),
    ).toEqual(["content modified", "added"]);
    // The edit shows the fields with their old and new values (escaped), not only their names.
    expect(pageRows[0]).toContain('<span class="field">title</span>');
    expect(pageRows[0]).toContain(`<del>${page.title}</del>`);
    expect(pageRows[0]).toContain("<ins>&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Week 1</ins>");
    expect(changes).toContain("&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Week 1");
    expect(html).not.toContain("<script>alert");
    expect(section(html, "course-facts")).toContain(`page ${truth.pages.length}`);
  });

  it("shows a running job's live progress from the course's Durable Object", async () => {
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO courses (canvas_course_id, state, registered_at, next_sync_at) VALUES (777, 'syncing', ?1, ?1)",
    )
      .bind(now)
      .run();
    const jobId = "0b7c4a52-1f49-4d6e-9a53-000000000777";
    await env.DB.prepare(
      "INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at, started_at, attempts) VALUES (?1, 777, 'full', 'api', 'running', ?2, ?2, 1)",
    )
      .bind(jobId, now)
      .run();
    const course = env.COURSE_SYNC.getByName("777");
    expect(await course.acquireLease(jobId, 60_000)).toEqual({ ok: true });
    await course.reportProgress({ jobId, done: 3, total: 10, collection: "pages", updatedAt: now });
    try {
      const cookie = await signIn();
      const running = section(await (await withCookie("/", cookie)).text(), "running-jobs");
      expect(running).toContain(`data-live-job="${jobId}"`);
      expect(running).toContain('<progress value="3" max="10">');
      expect(running).toContain("3 / 10");
      const coursePage = await (await withCookie("/courses/777", cookie)).text();
      expect(section(coursePage, "running-jobs")).toContain("3 / 10");
      // What the live script polls.
      const detail = await apiJson<{ runningJob: unknown }>("/api/courses/777");
      expect(detail.runningJob).toEqual({ jobId, collection: "pages", done: 3, total: 10 });
    } finally {
      await course.releaseLease(jobId);
    }
  });

  it("answers unknown or malformed course ids and cursors with an error page", async () => {
    const cookie = await signIn();
    for (const [path, status] of [
      ["/courses/999999", 404],
      ["/courses/abc", 404],
      ["/courses/0", 404],
      ["/courses/1%2F..%2F..", 404],
      [`/courses/${COURSE}?jobs=not-a-cursor`, 400],
      ["/?cursor=%7B%7D", 400],
    ] as const) {
      const response = await withCookie(path, cookie);
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(response.headers.get("content-type")).toContain("text/html");
    }
  });
});
