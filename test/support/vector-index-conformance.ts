/**
 * One behavioural suite for anything that claims to be a Vectorize index: the in-memory index
 * (test/stand-ins) and the local D1 stand-in reached through `env.VECTORS` (test/stand-ins) both run it, so
 * they cannot drift apart. Expected values come from geometry (unit vectors at known angles), not
 * from the implementation. Every test uses its own ids and namespace because the stand-in's
 * storage lives for the whole test file.
 */
import { expect, it } from "vitest";
import type { VectorFilter, VectorIndexPort, VectorRecord } from "../../src/ports/vector-index";

export const CONFORMANCE_DIMENSIONS = 384;

/** Unit vector at `degrees` in the plane of the first two axes. */
export function unitAt(degrees: number, dims = CONFORMANCE_DIMENSIONS): number[] {
  const v = Array.from({ length: dims }, () => 0);
  v[0] = Math.cos((degrees * Math.PI) / 180);
  v[1] = Math.sin((degrees * Math.PI) / 180);
  return v;
}

/**
 * The message a call rejects with. Awaiting inside try/catch, rather than `expect(p).rejects`,
 * because an RPC promise handed to `rejects` is reported as an unhandled rejection in workerd.
 */
export async function rejection(call: () => PromiseLike<unknown>): Promise<string> {
  try {
    await call();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error("expected the call to reject");
}

let counter = 0;
/** A fresh namespace and id prefix for one test. */
function scope(): { ns: string; id: (s: string) => string } {
  counter += 1;
  const ns = `t${counter}-${Math.random().toString(36).slice(2, 8)}`;
  return { ns, id: (s) => `${ns}-${s}` };
}

/** A filter with an operator Vectorize does not have, built from JSON as a caller's bad input would be. */
const unsupportedFilter: VectorFilter = JSON.parse('{ "n": { "$regex": "x" } }');

export function runVectorIndexConformance(getIndex: () => VectorIndexPort): void {
  it("returns stored vectors by id with namespace and metadata, skipping unknown ids", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    await index.upsert([
      { id: id("a"), values: unitAt(30), namespace: ns, metadata: { course: "42", n: 7 } },
    ]);
    const got = await index.getByIds([id("a"), id("missing")]);
    expect(got).toHaveLength(1);
    expect(got[0]?.namespace).toBe(ns);
    expect(got[0]?.metadata).toEqual({ course: "42", n: 7 });
    const values = Array.from(got[0]?.values ?? []);
    expect(values[0]).toBeCloseTo(Math.cos(Math.PI / 6), 6);
    expect(values[1]).toBeCloseTo(0.5, 6);
  });

  it("ranks by cosine, highest first, with scores equal to the cosine of the angle", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    const angles = [180, 20, 0, 90, 10];
    await index.upsert(angles.map((a) => ({ id: id(`d${a}`), values: unitAt(a), namespace: ns })));
    const res = await index.query(unitAt(0), { namespace: ns, topK: 5 });
    expect(res.matches.map((m) => m.id)).toEqual([0, 10, 20, 90, 180].map((a) => id(`d${a}`)));
    expect(res.count).toBe(5);
    for (const m of res.matches) {
      const angle = Number(m.id.slice(m.id.lastIndexOf("-d") + 2));
      expect(m.score).toBeCloseTo(Math.cos((angle * Math.PI) / 180), 5);
    }
  });

  it("applies topK: default 5, the requested number, and the service's limits", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    await index.upsert(
      Array.from({ length: 25 }, (_, i) => ({ id: id(`v${i}`), values: unitAt(i * 3), namespace: ns })),
    );
    expect((await index.query(unitAt(0), { namespace: ns })).matches).toHaveLength(5);
    expect((await index.query(unitAt(0), { namespace: ns, topK: 2 })).matches.map((m) => m.id)).toEqual([
      id("v0"),
      id("v1"),
    ]);
    expect(
      (await index.query(unitAt(0), { namespace: ns, topK: 100, returnMetadata: "indexed" })).count,
    ).toBe(25);
    expect((await index.query(unitAt(0), { namespace: ns, topK: 20, returnValues: true })).count).toBe(20);
    expect(await rejection(() => index.query(unitAt(0), { namespace: ns, topK: 101 }))).toMatch(/topK/);
    expect(
      await rejection(() => index.query(unitAt(0), { namespace: ns, topK: 21, returnValues: true })),
    ).toMatch(/topK/);
    expect(
      await rejection(() => index.query(unitAt(0), { namespace: ns, topK: 21, returnMetadata: "all" })),
    ).toMatch(/topK/);
    expect(await rejection(() => index.query(unitAt(0), { namespace: ns, topK: 0 }))).toMatch(/topK/);
  });

  it("scopes queries to a namespace, and searches every namespace when none is given", async () => {
    const index = getIndex();
    const a = scope();
    const b = scope();
    await index.upsert([
      { id: a.id("x"), values: unitAt(5), namespace: a.ns, metadata: { tag: a.ns } },
      { id: b.id("y"), values: unitAt(1), namespace: b.ns, metadata: { tag: a.ns } },
    ]);
    expect((await index.query(unitAt(0), { namespace: a.ns })).matches.map((m) => m.id)).toEqual([a.id("x")]);
    expect((await index.query(unitAt(0), { namespace: b.ns })).matches.map((m) => m.id)).toEqual([b.id("y")]);
    const everywhere = await index.query(unitAt(0), { topK: 100, filter: { tag: a.ns } });
    expect(everywhere.matches.map((m) => m.id)).toEqual([b.id("y"), a.id("x")]);
  });

  it("filters on metadata with $eq (implicit too), $ne, $in, $nin and ranges on numbers and strings", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    const rows: [string, Record<string, string | number | boolean>][] = [
      ["a", { kind: "page", n: 10, title: "alpha", live: true }],
      ["b", { kind: "file", n: 20, title: "bravo", live: false }],
      ["c", { kind: "page", n: 30, title: "charlie", live: true }],
      ["d", { kind: "quiz", n: 40, title: "delta" }],
    ];
    await index.upsert(
      rows.map(([k, metadata], i) => ({ id: id(k), values: unitAt(i), namespace: ns, metadata })),
    );
    const ids = async (filter: Parameters<VectorIndexPort["query"]>[1]): Promise<string[]> =>
      (await index.query(unitAt(0), { namespace: ns, topK: 10, ...filter })).matches
        .map((m) => m.id.slice(-1))
        .sort();
    expect(await ids({ filter: { kind: "page" } })).toEqual(["a", "c"]);
    expect(await ids({ filter: { kind: { $eq: "file" } } })).toEqual(["b"]);
    expect(await ids({ filter: { kind: { $ne: "page" } } })).toEqual(["b", "d"]);
    expect(await ids({ filter: { kind: { $in: ["file", "quiz"] } } })).toEqual(["b", "d"]);
    expect(await ids({ filter: { kind: { $nin: ["file", "quiz"] } } })).toEqual(["a", "c"]);
    expect(await ids({ filter: { n: { $gte: 20, $lte: 30 } } })).toEqual(["b", "c"]);
    expect(await ids({ filter: { n: { $gt: 20 } } })).toEqual(["c", "d"]);
    expect(await ids({ filter: { n: { $lt: 20 } } })).toEqual(["a"]);
    expect(await ids({ filter: { title: { $gte: "b", $lt: "d" } } })).toEqual(["b", "c"]);
    expect(await ids({ filter: { kind: "page", n: { $gt: 15 } } })).toEqual(["c"]);
    expect(await ids({ filter: { live: true } })).toEqual(["a", "c"]);
    // A missing field fails $eq and ranges, passes $ne; a number never equals a string.
    expect(await ids({ filter: { live: { $ne: true } } })).toEqual(["b", "d"]);
    expect(await ids({ filter: { n: "10" } })).toEqual([]);
    expect(await ids({ filter: { absent: { $gte: 0 } } })).toEqual([]);
  });

  it("filters on nested metadata with a dotted path", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    await index.upsert([
      { id: id("p"), values: unitAt(0), namespace: ns, metadata: { src: { host: "a.edu" } } },
      { id: id("q"), values: unitAt(1), namespace: ns, metadata: { src: { host: "b.edu" } } },
    ]);
    const res = await index.query(unitAt(0), { namespace: ns, filter: { "src.host": "b.edu" } });
    expect(res.matches.map((m) => m.id)).toEqual([id("q")]);
  });

  it("returns metadata and values only when asked, at the requested level", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    const long = "x".repeat(100);
    await index.upsert([
      { id: id("m"), values: unitAt(0), namespace: ns, metadata: { short: "s", long, n: 1 } },
    ]);
    const [none] = (await index.query(unitAt(0), { namespace: ns })).matches;
    expect(none?.metadata).toBeUndefined();
    expect(none?.values).toBeUndefined();
    const [all] = (await index.query(unitAt(0), { namespace: ns, returnMetadata: "all", returnValues: true }))
      .matches;
    expect(all?.metadata).toEqual({ short: "s", long, n: 1 });
    expect(Array.from(all?.values ?? [])).toHaveLength(CONFORMANCE_DIMENSIONS);
    const [legacyAll] = (await index.query(unitAt(0), { namespace: ns, returnMetadata: true })).matches;
    expect(legacyAll?.metadata).toEqual({ short: "s", long, n: 1 });
    // "indexed" returns indexed fields; indexed strings are cut to their first 64 bytes.
    const [indexed] = (await index.query(unitAt(0), { namespace: ns, returnMetadata: "indexed" })).matches;
    expect(indexed?.metadata).toEqual({ short: "s", long: "x".repeat(64), n: 1 });
  });

  it("insert keeps an existing vector, upsert replaces it whole, deleteByIds removes it", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    await index.insert([{ id: id("k"), values: unitAt(0), namespace: ns, metadata: { v: 1 } }]);
    await index.insert([{ id: id("k"), values: unitAt(90), namespace: ns, metadata: { v: 2 } }]);
    expect((await index.getByIds([id("k")]))[0]?.metadata).toEqual({ v: 1 });
    await index.upsert([{ id: id("k"), values: unitAt(90), namespace: ns }]);
    const [replaced] = await index.getByIds([id("k")]);
    expect(replaced?.metadata).toBeUndefined();
    expect(Array.from(replaced?.values ?? [])[1]).toBeCloseTo(1, 6);
    await index.deleteByIds([id("k")]);
    expect(await index.getByIds([id("k")])).toEqual([]);
    expect((await index.query(unitAt(90), { namespace: ns })).count).toBe(0);
  });

  it("describes the index: dimensions, vector count, last processed mutation", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    const before = await index.describe();
    expect(before.dimensions).toBe(CONFORMANCE_DIMENSIONS);
    await index.upsert([0, 1, 2].map((i) => ({ id: id(`c${i}`), values: unitAt(i), namespace: ns })));
    const { mutationId } = await index.deleteByIds([id("c0")]);
    expect(typeof mutationId).toBe("string");
    const after = await index.describe();
    expect(after.vectorCount - before.vectorCount).toBe(2);
    expect(after.processedUpToMutation).toBe(mutationId);
  });

  it("queries by the id of a stored vector", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    await index.upsert([
      { id: id("s"), values: unitAt(45), namespace: ns },
      { id: id("t"), values: unitAt(50), namespace: ns },
    ]);
    const res = await index.queryById(id("s"), { namespace: ns });
    expect(res.matches.map((m) => m.id)).toEqual([id("s"), id("t")]);
    expect((await index.queryById(id("nope"))).count).toBe(0);
  });

  it("rejects what Vectorize rejects: wrong dimensions, long ids, oversized batches, bad filters", async () => {
    const index = getIndex();
    const { ns, id } = scope();
    const ok: VectorRecord = { id: id("ok"), values: unitAt(0), namespace: ns };
    expect(await rejection(() => index.upsert([{ ...ok, values: [1, 0, 0] }]))).toMatch(/dimension/);
    expect(await rejection(() => index.upsert([{ ...ok, id: "é".repeat(33) }]))).toMatch(/64 bytes/);
    expect(
      await rejection(() =>
        index.upsert(Array.from({ length: 1001 }, (_, i) => ({ ...ok, id: id(String(i)) }))),
      ),
    ).toMatch(/1000/);
    expect(await rejection(() => index.query([1, 0], { namespace: ns }))).toMatch(/dimension/);
    expect(await rejection(() => index.query(unitAt(0), { filter: unsupportedFilter }))).toMatch(/filter/);
    expect(await index.getByIds([id("ok")])).toEqual([]);
  });
}
