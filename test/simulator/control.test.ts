/** Counters and the HTTP control API under /__sim (mutations, faults, counters, truth, tokens, throttle, events). */
import { describe, expect, it } from "vitest";
import { API, get, getJson, sim } from "../support/simulator-harness";

function post(s: ReturnType<typeof sim>, path: string, body: unknown): Promise<Response> {
  return s.fetch(`${API}/__sim${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("counters", () => {
  it("counts requests, statuses and bytes per endpoint pattern, file bytes as streamed, and resets", async () => {
    const s = sim();
    await get(s, "/api/v1/courses/101/pages");
    await get(s, "/api/v1/courses/102/pages");
    await get(s, "/api/v1/courses/101/pages/page_id:999999");
    const file = await getJson<{ url: string; size: number }>(s, "/api/v1/files/2001");
    const redirect = await s.fetch(file.url, { redirect: "manual" });
    await (await s.fetch(redirect.headers.get("location") ?? "")).arrayBuffer();
    const snapshot = s.control.counters();
    const pages = snapshot.byEndpoint["GET /api/v1/courses/:id/pages"];
    expect(pages?.requests).toBe(2);
    expect(pages?.bytes).toBeGreaterThan(1000);
    expect(snapshot.byEndpoint["GET /api/v1/courses/:id/pages/:id"]?.statuses).toEqual({ "404": 1 });
    expect(snapshot.byEndpoint["GET /files/:id/download"]?.statuses).toEqual({ "302": 1 });
    expect(snapshot.byEndpoint["GET /blobs/:id"]?.fileBytes).toBe(file.size);
    expect(snapshot.total.requests).toBe(6);
    expect(snapshot.total.fileBytes).toBe(file.size);
    s.control.resetCounters();
    expect(s.control.counters().total.requests).toBe(0);
    // Control calls are never counted.
    await s.fetch(`${API}/__sim/counters`);
    expect(s.control.counters().total.requests).toBe(0);
  });
});

describe("HTTP control API", () => {
  it("applies validated mutations and rejects invalid ones with 400", async () => {
    const s = sim();
    const created = await post(s, "/mutate", {
      op: "createPage",
      course_id: 101,
      input: { title: "Over HTTP", body: "<p>hi</p>" },
    });
    expect(created.status).toBe(200);
    const { result } = await created.json<{ result: { id: number; url: string } }>();
    expect((await getJson<{ body: string }>(s, `/api/v1/courses/101/pages/${result.url}`)).body).toBe(
      "<p>hi</p>",
    );
    expect(
      (
        await post(s, "/mutate", {
          op: "editPage",
          course_id: 101,
          id: result.id,
          patch: { body: "<p>2</p>" },
        })
      ).status,
    ).toBe(200);
    expect((await post(s, "/mutate", { op: "deletePage", course_id: 101, id: result.id })).status).toBe(200);
    expect((await get(s, `/api/v1/courses/101/pages/${result.id}`)).status).toBe(404);
    const file = await post(s, "/mutate", {
      op: "createFile",
      course_id: 101,
      input: { name: "b64.bin", bytes_base64: btoa("raw bytes") },
    });
    const fileId = (await file.json<{ result: { id: number } }>()).result.id;
    expect((await s.control.truth(101)).files.find((f) => f.id === fileId)?.size).toBe(9);
    expect((await post(s, "/mutate", { op: "createPage", course_id: 101, input: {} })).status).toBe(400);
    expect((await post(s, "/mutate", { op: "nope" })).status).toBe(400);
    expect((await post(s, "/mutate", { op: "deletePage", course_id: 101, id: 123456 })).status).toBe(404);
  });

  it("manages faults, counters, tokens and throttle, and serves truth and events", async () => {
    const s = sim();
    const added = await post(s, "/faults", {
      match: { pathPrefix: "/api/v1/courses/101" },
      count: 1,
      action: { type: "status", status: 504 },
    });
    expect((await added.json<{ ids: string[] }>()).ids).toHaveLength(1);
    expect((await get(s, "/api/v1/courses/101")).status).toBe(504);
    await post(s, "/faults", { rules: [{ action: { type: "status", status: 500 } }] });
    expect((await s.fetch(`${API}/__sim/faults`, { method: "DELETE" })).status).toBe(200);
    expect((await get(s, "/api/v1/courses/101")).status).toBe(200);
    expect(
      (await (await s.fetch(`${API}/__sim/counters`)).json<{ total: { requests: number } }>()).total.requests,
    ).toBe(2);
    const load = await (await s.fetch(`${API}/__sim/load`)).json<{ cost: number; maxInFlight: number }>();
    expect(load.maxInFlight).toBe(1);
    expect(load.cost).toBeGreaterThan(0);
    await post(s, "/counters/reset", {});
    expect(s.control.counters().total.requests).toBe(0);
    await post(s, "/tokens", { action: "add", token: "second" });
    expect((await get(s, "/api/v1/courses", "second")).status).toBe(200);
    await post(s, "/tokens", { action: "setState", token: "second", state: "revoked" });
    expect((await get(s, "/api/v1/courses", "second")).status).toBe(401);
    await post(s, "/tokens", {
      action: "deny",
      token: "sim-token",
      denial: { pathPrefix: "/api/v1/courses/102", kind: "unauthorized" },
    });
    expect((await get(s, "/api/v1/courses/102")).status).toBe(401);
    await post(s, "/throttle", { enabled: false });
    expect(s.control.throttleOptions().enabled).toBe(false);
    const truth = await (
      await s.fetch(`${API}/__sim/truth/101?hashes=false`)
    ).json<{ files: Array<{ sha256: string | null }> }>();
    expect(truth.files[0]?.sha256).toBeNull();
    s.control.editSyllabus(101, "<p>new syllabus</p>");
    const events = await (
      await s.fetch(`${API}/__sim/events?after=0`)
    ).json<Array<{ event: { event_name: string } }>>();
    expect(events.map((e) => e.event.event_name)).toEqual(["course_updated", "syllabus_updated"]);
    expect((await s.fetch(`${API}/__sim/unknown`)).status).toBe(404);
  });
});
