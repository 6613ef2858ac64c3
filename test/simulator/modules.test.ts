/** Modules and items: include[]=items only for modules with at most 100 items, content_details, item rules. */
import { describe, expect, it } from "vitest";
import { collect, get, getJson, sim } from "../support/simulator-harness";

type Item = {
  id: number;
  type: string;
  content_id?: number;
  page_url?: string;
  url?: string;
  external_url?: string;
  content_details?: Record<string, unknown>;
};
type Mod = { id: number; items_count: number; items?: Item[]; items_url: string };

describe("modules", () => {
  it("inlines items only for modules with at most 100 items", async () => {
    const s = sim({ institution: { courses: [{ id: 900, items: 1000 }] } });
    const mods = (await collect<Mod>(s, "/api/v1/courses/900/modules?include[]=items&per_page=100")).items;
    const big = mods.filter((m) => m.items_count > 100);
    const small = mods.filter((m) => m.items_count <= 100);
    expect(big.length).toBeGreaterThan(0);
    expect(small.length).toBeGreaterThan(0);
    for (const m of big) expect(m.items).toBeUndefined();
    for (const m of small) expect(m.items?.length).toBe(m.items_count);
    const first = big[0];
    if (first === undefined) return;
    const items = await collect<Item>(s, new URL(first.items_url).pathname + "?per_page=100");
    expect(items.items.length).toBe(first.items_count);
    expect(items.requests).toBe(Math.ceil(first.items_count / 100));
    // The boundary: a module with exactly 100 items is still inlined; 101 is not.
    const mod = s.control.createModule(900, { name: "Boundary" });
    const pages = (await s.control.truth(900, { hashes: false })).pages.slice(0, 101);
    for (const page of pages.slice(0, 100))
      s.control.createModuleItem(900, mod.id, { type: "Page", content_id: page.page_id });
    expect(
      (await getJson<Mod>(s, `/api/v1/courses/900/modules/${mod.id}?include[]=items`)).items?.length,
    ).toBe(100);
    s.control.createModuleItem(900, mod.id, { type: "Page", content_id: pages[100]?.page_id ?? 0 });
    const after = await getJson<Mod>(s, `/api/v1/courses/900/modules/${mod.id}?include[]=items`);
    expect(after.items).toBeUndefined();
    expect(after.items_count).toBe(101);
  });

  it("gives Page items page_url (no content_id), others content_id, and content_details on request", async () => {
    const s = sim();
    const [week1] = await getJson<Mod[]>(
      s,
      "/api/v1/courses/101/modules?include[]=items&include[]=content_details",
    );
    const items = week1?.items ?? [];
    const page = items.find((i) => i.type === "Page");
    expect(page?.page_url).toMatch(/^[a-z0-9-]+$/);
    expect(page).not.toHaveProperty("content_id");
    const file = items.find((i) => i.type === "File");
    expect(typeof file?.content_id).toBe("number");
    expect(file?.url).toBe(`https://canvas.test/api/v1/courses/101/files/${file?.content_id ?? 0}`);
    expect(file?.content_details).toHaveProperty("display_name");
    const external = items.find((i) => i.type === "ExternalUrl");
    expect(external?.external_url).toBe("https://library.example.edu/");
    const sub = items.find((i) => i.type === "SubHeader");
    expect(sub).not.toHaveProperty("content_id");
    const [plain] = await getJson<Mod[]>(s, "/api/v1/courses/101/modules?include[]=items");
    expect(plain?.items?.[0]).not.toHaveProperty("content_details");
    const [bare] = await getJson<Mod[]>(s, "/api/v1/courses/101/modules");
    expect(bare).not.toHaveProperty("items");
  });

  it("renaming a page changes its module item's page_url and title", async () => {
    const s = sim();
    const [week1] = await getJson<Mod[]>(s, "/api/v1/courses/101/modules?include[]=items");
    const pageItem = week1?.items?.find((i) => i.type === "Page");
    const page = await getJson<{ page_id: number }>(
      s,
      `/api/v1/courses/101/pages/${pageItem?.page_url ?? ""}`,
    );
    s.control.editPage(101, page.page_id, { title: "A Whole New Title" });
    const item = await getJson<Item & { title: string }>(
      s,
      `/api/v1/courses/101/modules/${week1?.id ?? 0}/items/${pageItem?.id ?? 0}`,
    );
    expect(item.page_url).toBe("a-whole-new-title");
    expect(item.title).toBe("A Whole New Title");
  });

  it("deleting a module removes it and its items; deleting content removes the items pointing at it", async () => {
    const s = sim();
    const [week1, week2] = await getJson<Mod[]>(s, "/api/v1/courses/101/modules?include[]=items");
    const quizItem = week2?.items?.find((i) => i.type === "Quiz");
    s.control.deleteQuiz(101, quizItem?.content_id ?? 0);
    const after = await getJson<Mod>(s, `/api/v1/courses/101/modules/${week2?.id ?? 0}?include[]=items`);
    expect(after.items?.some((i) => i.type === "Quiz")).toBe(false);
    expect(after.items_count).toBe((week2?.items_count ?? 0) - 1);
    s.control.deleteModule(101, week1?.id ?? 0);
    expect((await get(s, `/api/v1/courses/101/modules/${week1?.id ?? 0}`)).status).toBe(404);
    expect((await get(s, `/api/v1/courses/101/modules/${week1?.id ?? 0}/items`)).status).toBe(404);
    const remaining = await getJson<Mod[]>(s, "/api/v1/courses/101/modules");
    expect(remaining.map((m) => m.id)).not.toContain(week1?.id);
  });
});
