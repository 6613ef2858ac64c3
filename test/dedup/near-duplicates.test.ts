import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "../local/corpus/corpus";
import { CANDIDATE_CUTOFF, cosine, sizeRange, trigramVector } from "../../src/dedup/embedding";
import { MemoryVectorIndex } from "../local/stand-ins/memory-vector-index";
import {
  type FindNearDuplicatesInput,
  findNearDuplicates,
  planRecheck,
} from "../../src/dedup/near-duplicates";
import { lexicalVectorRecord, vectorIdFor } from "../../src/dedup/vectors/vector-record";
import { similarity, trigramCount } from "../../src/dedup/trigram";
import {
  type VectorIndexPort,
  type VectorQueryOptions,
  isVectorIndexPort,
} from "../../src/ports/vector-index";

const BASE = [
  "Assignment 3: the sampling distribution. Due October 12 at 11:59 pm.",
  "Homework 3 practises computing the standard error from a small data set by hand.",
  "Use the statistical software to check your calculation of a confidence interval.",
  "Submit a single PDF through the assignment page in Canvas. Name the file with your last name.",
].join("\n\n");
const LIGHT_EDIT = BASE.replace("Homework 3", "Homework 4").replace("small data set", "short data set");
const UNRELATED =
  "Welcome to HIST 210! Please read the syllabus and introduce yourself on the discussion board before Friday.";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A store of texts plus an index, with helpers to write items the way the pipeline does. */
function fixture(index: VectorIndexPort = new MemoryVectorIndex()) {
  const texts = new Map<string, string>();
  const hashes = new Map<string, string>();
  return {
    index,
    texts,
    async put(id: string, text: string, extra: { namespace?: string; course?: string } = {}) {
      texts.set(id, text);
      const textHash = await sha256Hex(text);
      hashes.set(id, textHash);
      const { record } = lexicalVectorRecord({ id, text, textHash, ...extra });
      return index.upsert([record]);
    },
    input(id: string, over: Partial<FindNearDuplicatesInput> = {}): FindNearDuplicatesInput {
      const text = texts.get(id) ?? "";
      return {
        itemId: id,
        text,
        textHash: hashes.get(id) ?? "",
        vectorIndex: index,
        loadTexts: async (ids) =>
          new Map(ids.flatMap((x) => (texts.has(x) ? [[x, texts.get(x) ?? ""]] : []))),
        ...over,
      };
    },
  };
}

describe("findNearDuplicates", () => {
  it("confirms a lightly edited copy with its exact pg_trgm similarity, in one vector query", async () => {
    const f = fixture();
    await f.put("a", BASE);
    await f.put("z", UNRELATED);
    await f.put("b", LIGHT_EDIT);
    const res = await findNearDuplicates(f.input("b"));
    expect(res.vectorQueries).toBe(1);
    expect(res.provisional).toBe(false);
    expect(res.pairs.map((p) => [p.id, p.similarity])).toEqual([["a", similarity(BASE, LIGHT_EDIT)]]);
    expect(res.pairs[0]?.similarity).toBeGreaterThan(0.8);
    expect(res.candidatesExamined).toBe(1);
  });

  it("rejects a candidate whose vector scores above the cut-off when its exact similarity is not above 0.8", async () => {
    // Find, in the generated corpus, a pair that passes both the size filter and the cut-off.
    const corpus = generateCorpus({ seed: 5, bases: 40 });
    const byGroup = new Map<number, typeof corpus>();
    for (const c of corpus) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
    let pair: [string, string] | undefined;
    for (const items of byGroup.values()) {
      for (const x of items) {
        for (const y of items) {
          if (pair !== undefined || x.id >= y.id) continue;
          const j = similarity(x.text, y.text);
          const range = sizeRange(trigramCount(x.text));
          const n = trigramCount(y.text);
          const inRange = n >= range.$gte && n <= range.$lte;
          if (
            inRange &&
            j <= 0.8 &&
            cosine(trigramVector(x.text), trigramVector(y.text)) >= CANDIDATE_CUTOFF
          ) {
            pair = [x.text, y.text];
          }
        }
      }
    }
    expect(pair).toBeDefined();
    const f = fixture();
    await f.put("x", pair?.[0] ?? "");
    await f.put("y", pair?.[1] ?? "");
    const res = await findNearDuplicates(f.input("y"));
    expect(res.candidatesExamined).toBe(1);
    expect(res.pairs).toEqual([]);
  });

  it("asks for topK 100 with the exact trigram-count range and indexed metadata", async () => {
    const f = fixture();
    await f.put("a", BASE);
    const seen: (VectorQueryOptions | undefined)[] = [];
    const spy: VectorIndexPort["query"] = (v, o) => {
      seen.push(o);
      return f.index.query(v, o);
    };
    await findNearDuplicates(f.input("a", { vectorIndex: { query: spy }, filter: { course: "7" } }));
    const count = lexicalVectorRecord({ id: "a", text: BASE }).trigrams.size;
    expect(seen).toEqual([
      { topK: 100, returnMetadata: "indexed", filter: { course: "7", ntrgm: sizeRange(count) } },
    ]);
  });

  it("stays within the course by namespace or metadata filter, and searches everything without one", async () => {
    const f = fixture();
    await f.put("c1-a", BASE, { namespace: "course-1", course: "1" });
    await f.put("c2-a", BASE, { namespace: "course-2", course: "2" });
    await f.put("c1-b", LIGHT_EDIT, { namespace: "course-1", course: "1" });
    const ids = async (over: Partial<FindNearDuplicatesInput>) =>
      (await findNearDuplicates(f.input("c1-b", over))).pairs.map((p) => p.id).sort();
    expect(await ids({ namespace: "course-1" })).toEqual(["c1-a"]);
    expect(await ids({ filter: { course: "1" } })).toEqual(["c1-a"]);
    expect(await ids({})).toEqual(["c1-a", "c2-a"]);
  });

  it("is provisional while the index has not applied the item's own write, then final", async () => {
    let now = 0;
    const f = fixture(new MemoryVectorIndex({ lagMs: 2_000, now: () => now }));
    await f.put("a", BASE);
    now = 5_000;
    await f.put("b", LIGHT_EDIT);
    const early = await findNearDuplicates(f.input("b"));
    expect(early.provisional).toBe(true);
    expect(early.provisionalReason).toBe("self-not-visible");
    // It already sees "a" (written earlier), but a missing self means it could miss others.
    expect(early.pairs.map((p) => p.id)).toEqual(["a"]);
    expect(planRecheck(early, 1)).toEqual({ action: "recheck", delaySeconds: 5 });
    now = 7_000;
    const later = await findNearDuplicates(f.input("b"));
    expect(later.provisional).toBe(false);
    expect(planRecheck(later, 2)).toEqual({ action: "done" });
  });

  it("is provisional when the index still holds an older version of the item", async () => {
    let now = 0;
    const f = fixture(new MemoryVectorIndex({ lagMs: 1_000, now: () => now }));
    await f.put("a", BASE);
    now = 2_000;
    await f.put("a", LIGHT_EDIT); // new text, new hash; not applied yet
    const res = await findNearDuplicates(f.input("a"));
    expect(res.provisional).toBe(true);
    expect(res.provisionalReason).toBe("self-stale");
  });

  it("reports candidates whose text is gone and flags a topK filled with candidates", async () => {
    const f = fixture();
    for (const id of ["a", "b", "c", "d"]) await f.put(id, BASE);
    f.texts.delete("c");
    const res = await findNearDuplicates(f.input("a", { topK: 3 }));
    expect(res.truncated).toBe(true);
    expect(res.missingTexts.length + res.pairs.length).toBe(2);
    const all = await findNearDuplicates(f.input("a"));
    expect(all.truncated).toBe(false);
    expect(all.missingTexts).toEqual(["c"]);
    expect(all.pairs.map((p) => p.id)).toEqual(["b", "d"]);
  });

  it("makes no query for a text without trigrams", async () => {
    const f = fixture();
    f.texts.set("e", "-- ... --");
    const res = await findNearDuplicates(f.input("e"));
    expect(res).toMatchObject({ vectorQueries: 0, pairs: [], provisional: false });
  });

  it("runs unchanged against the local stand-in bound as env.VECTORS", async () => {
    const binding = env.VECTORS;
    if (!isVectorIndexPort(binding)) throw new Error("env.VECTORS is not a vector index");
    const f = fixture(binding);
    await f.put("nd-a", BASE, { namespace: "nd" });
    await f.put("nd-z", UNRELATED, { namespace: "nd" });
    await f.put("nd-b", LIGHT_EDIT, { namespace: "nd" });
    const res = await findNearDuplicates(f.input("nd-b", { namespace: "nd" }));
    expect(res.provisional).toBe(false);
    expect(res.pairs.map((p) => p.id)).toEqual(["nd-a"]);
  });
});

describe("planRecheck", () => {
  it("backs off while provisional and hands over to the next sync after the last attempt", () => {
    const p = { provisional: true };
    expect([1, 2, 3, 4].map((a) => planRecheck(p, a))).toEqual([
      { action: "recheck", delaySeconds: 5 },
      { action: "recheck", delaySeconds: 10 },
      { action: "recheck", delaySeconds: 20 },
      { action: "recheck", delaySeconds: 40 },
    ]);
    expect(planRecheck(p, 5)).toEqual({ action: "defer-to-next-sync" });
  });
});

describe("vectorIdFor", () => {
  it("keeps keys of up to 64 bytes and hashes longer ones into 44 bytes, deterministically", async () => {
    expect(await vectorIdFor("canvas.example.edu:file:123")).toBe("canvas.example.edu:file:123");
    expect(await vectorIdFor("é".repeat(32))).toBe("é".repeat(32)); // 64 bytes
    const long = `canvas.example.edu:page:${"x".repeat(80)}`;
    const id = await vectorIdFor(long);
    expect(id).toMatch(/^~[A-Za-z0-9_-]{43}$/);
    expect(await vectorIdFor(long)).toBe(id);
    expect(await vectorIdFor(`${long}y`)).not.toBe(id);
    expect(new TextEncoder().encode(await vectorIdFor("é".repeat(33))).byteLength).toBe(44);
  });

  it("never returns a key starting with ~ unchanged, so hashed and plain ids cannot collide", async () => {
    expect(await vectorIdFor("~short")).toMatch(/^~[A-Za-z0-9_-]{43}$/);
    await expect(vectorIdFor("")).rejects.toThrow(RangeError);
  });
});
