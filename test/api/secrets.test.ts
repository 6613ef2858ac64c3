/**
 * Secrets stay secret: after a full sync, an incremental sync, every read the API and dashboard offer, requests with
 * wrong tokens and a sync under a revoked Canvas token, neither the Canvas token nor the API token (nor their base64
 * or URL-encoded forms) appears in any response (headers or body), any log line, any D1 row or any R2 object.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, apiJson, API_TOKEN, CANVAS_TOKEN, startSimulator, syncNow } from "../support/harness";
import { dumpState } from "../support/state-dump";

const COURSE = 5101;

function forms(secret: string): string[] {
  return [secret, btoa(secret), encodeURIComponent(secret), btoa(`x:${secret}`).slice(4)];
}
const SECRETS = [...forms(CANVAS_TOKEN), ...forms(API_TOKEN)];

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

describe("secrets never leave the worker", () => {
  it("appear in no response, log line, D1 row or R2 object, on success and error paths", async () => {
    const logLines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logLines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
      });
    }
    const responses: { label: string; text: string }[] = [];
    async function record(label: string, response: Response): Promise<Response> {
      const bytes = new Uint8Array(await response.clone().arrayBuffer());
      const headers = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n");
      responses.push({
        label,
        text: `${response.status}\n${headers}\n${new TextDecoder("latin1").decode(bytes)}`,
      });
      return response;
    }
    const get = async (path: string, init: RequestInit = {}) => record(path, await api(path, init));

    const simulator = startSimulator({ seed: 11, institution: { courses: [{ id: COURSE, items: 60 }] } });
    await record("register", await api("/api/courses", { method: "POST", json: { canvasCourseId: COURSE } }));
    const full = await syncNow(COURSE, "full");
    expect(full.status).toBe("succeeded");
    const truth = await simulator.control.truth(COURSE);
    const page = truth.pages[0];
    if (!page) throw new Error("no page in the simulated course");
    simulator.control.editPage(COURSE, page.page_id, { body: "<p>edited</p>" });
    expect((await syncNow(COURSE)).status).toBe("succeeded");

    // Every read the API offers.
    await get("/api/courses");
    await get(`/api/courses/${COURSE}`);
    const jobs = await apiJson<{ items: { jobId: string }[] }>(`/api/courses/${COURSE}/jobs`);
    await get(`/api/courses/${COURSE}/jobs`);
    for (const job of jobs.items) await get(`/api/jobs/${job.jobId}`);
    let cursor: string | null = null;
    const itemIds: string[] = [];
    do {
      const path: string = `/api/courses/${COURSE}/items?limit=500&includeDeleted=true${cursor ? `&cursor=${cursor}` : ""}`;
      const response = await get(path);
      const body = await response.json<{ items: { id: string }[]; nextCursor: string | null }>();
      itemIds.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    for (const id of itemIds.slice(0, 40)) await get(`/api/courses/${COURSE}/items/${id}/changes`);
    for (const file of truth.files) await get(`/api/courses/${COURSE}/files/${file.id}/content`);
    await get("/metrics");
    await get("/health");
    await get("/openapi.json");
    await get("/docs");

    // The dashboard, signed in through the form.
    const login = await record(
      "login",
      await api("/login", {
        method: "POST",
        headers: { authorization: "", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: API_TOKEN }).toString(),
        redirect: "manual",
      }),
    );
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    for (const path of ["/", `/courses/${COURSE}`])
      await get(path, { headers: { authorization: "", cookie } });

    // Wrong credentials, including the Canvas token offered as the API token.
    for (const token of [CANVAS_TOKEN, `${API_TOKEN}x`, "nope"]) {
      await get("/api/courses", { headers: { authorization: `Bearer ${token}` } });
      await get("/metrics", { headers: { authorization: `Bearer ${token}` } });
    }
    await get("/login", {
      method: "POST",
      headers: { authorization: "", "content-type": "application/x-www-form-urlencoded" },
      body: `token=${CANVAS_TOKEN}`,
    });

    // The error path: Canvas revokes the token mid-life.
    simulator.control.setTokenState(CANVAS_TOKEN, "revoked");
    const failed = await syncNow(COURSE);
    expect(failed.status).toBe("failed");
    expect(failed.errorCategory).toBe("auth");
    await get(`/api/courses/${COURSE}`);
    await get(`/api/jobs/${failed.jobId}`);
    await get("/metrics");
    await get("/");

    // The scan is only meaningful if it saw the worker's own logs and real content.
    expect(logLines.some((line) => line.includes("canvas_token_dead"))).toBe(true);
    expect(responses.length).toBeGreaterThan(50);

    const found: string[] = [];
    for (const { label, text } of responses)
      for (const secret of leaks(text)) found.push(`response ${label}: ${secret.slice(0, 6)}…`);
    for (const line of logLines) if (leaks(line).length > 0) found.push(`log: ${line.slice(0, 120)}`);
    const state = await dumpState(env);
    expect(Object.values(state.tables).reduce((rows, table) => rows + table.length, 0)).toBeGreaterThan(100);
    for (const [table, rows] of Object.entries(state.tables)) {
      for (const row of rows)
        for (const secret of leaks(JSON.stringify(row))) found.push(`D1 ${table}: ${secret.slice(0, 6)}…`);
    }
    expect(state.objects.length).toBeGreaterThan(0);
    for (const { key } of state.objects) {
      const object = await env.BLOBS.get(key);
      const text = new TextDecoder("latin1").decode(await object?.arrayBuffer());
      for (const secret of leaks(`${key}\n${JSON.stringify(object?.customMetadata ?? {})}\n${text}`))
        found.push(`R2 ${key}: ${secret.slice(0, 6)}…`);
    }
    expect(found).toEqual([]);
  });
});
