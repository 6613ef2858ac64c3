import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "../local/corpus/corpus";
import { CANDIDATE_CUTOFF, sizeRange, vectorFromTrigrams } from "../../src/dedup/embedding";
import { trigramSet } from "../../src/dedup/trigram";
import type { VectorQueryOptions, VectorRecord } from "../../src/ports/vector-index";
import { searchVectors } from "../local/stand-ins/vector-search";
import { LocalVectorize } from "../local/stand-ins/local-vectorize";
import { StandinStore } from "../local/stand-ins/local-vectorize-store";
import { runVectorIndexConformance, unitAt } from "../support/vector-index-conformance";

function standinDb(): D1Database {
  const db = env.VECTOR_STANDIN_DB;
  if (db === undefined) throw new Error("VECTOR_STANDIN_DB is not bound");
  return db;
}

function standin(index: string, props: Record<string, unknown> = {}): LocalVectorize {
  const ctx = Object.assign(createExecutionContext(), { props: { index, ...props } });
  return new LocalVectorize(ctx, { VECTOR_STANDIN_DB: standinDb() });
}

describe("LocalVectorize through its index (trained from the first vector)", () => {
  // Every query of the conformance suite then goes through cells: same answers as the exact scan.
  const indexed = standin("ivf-conformance", { ivfMinVectors: 1 });
  runVectorIndexConformance(() => indexed);
});

describe("LocalVectorize index at 3,000 texts", () => {
  const NAMESPACE = "course-3000";
  const corpus = generateCorpus({ seed: 3, bases: 560 }).slice(0, 3000);
  const records: VectorRecord[] = corpus.map((item, i) => {
    const trigrams = trigramSet(item.text);
    return {
      id: `t${i}`,
      values: vectorFromTrigrams(trigrams),
      namespace: NAMESPACE,
      metadata: { ntrgm: trigrams.size },
    };
  });
  const dedupQuery = (record: VectorRecord): VectorQueryOptions => {
    const count = record.metadata?.["ntrgm"];
    return {
      topK: 100,
      namespace: NAMESPACE,
      returnMetadata: "indexed",
      filter: { ntrgm: sizeRange(typeof count === "number" ? count : 0) },
    };
  };

  it("reads a fraction of the vectors per query and still finds every candidate the exact scan finds", async () => {
    const index = standin("ivf-3000");
    for (let start = 0; start < records.length; start += 500)
      await index.upsert(records.slice(start, start + 500));
    const all = await new StandinStore(standinDb(), "ivf-3000").readAll(NAMESPACE);
    expect(all).toHaveLength(3000);
    let wanted = 0;
    let found = 0;
    let rowsRead = 0;
    for (let q = 0; q < 30; q++) {
      const record = records[q * 97];
      if (record === undefined) throw new Error("no record");
      const options = dedupQuery(record);
      const plan = await index.explain(record.values, options);
      expect(plan.strategy).toBe("ivf");
      expect(plan.scope).toBe(3000);
      rowsRead += plan.rowsRead;
      const fast = new Set((await index.query(record.values, options)).matches.map((m) => m.id));
      expect(fast.has(record.id)).toBe(true);
      const exact = searchVectors(all, record.values, options, { metric: "cosine" }).matches.filter(
        (m) => m.score >= CANDIDATE_CUTOFF,
      );
      wanted += exact.length;
      found += exact.filter((m) => fast.has(m.id)).length;
    }
    expect(wanted).toBeGreaterThan(30); // the corpus has near-duplicates beyond each text itself
    expect(found).toBe(wanted);
    expect(rowsRead / 30).toBeLessThan(3000 * 0.4);
  });

  it("files vectors written after training under their cell, also when a write becomes visible late", async () => {
    const index = standin("ivf-3000");
    const [base] = records;
    if (base === undefined) throw new Error("no record");
    await index.upsert([{ ...base, id: "late-twin", values: Array.from(base.values) }]);
    expect((await index.query(base.values, dedupQuery(base))).matches.map((m) => m.id)).toContain(
      "late-twin",
    );
    const store = new StandinStore(standinDb(), "ivf-3000");
    await store.setLagOverride(300);
    await index.upsert([{ ...base, id: "lagged-twin", values: Array.from(base.values) }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const plan = await index.explain(base.values, dedupQuery(base));
    expect(plan.strategy).toBe("ivf");
    expect((await index.query(base.values, dedupQuery(base))).matches.map((m) => m.id)).toContain(
      "lagged-twin",
    );
    await store.setLagOverride(null);
    const row = await standinDb()
      .prepare(
        "SELECT cell, ivf_version FROM standin_vectors WHERE index_name = 'ivf-3000' AND id = 'lagged-twin'",
      )
      .first<{ cell: number | null; ivf_version: number | null }>();
    expect(row?.cell).not.toBeNull();
    expect(row?.ivf_version).not.toBeNull();
  });

  it("scans a small namespace exactly, even inside a trained index", async () => {
    const index = standin("ivf-3000");
    await index.upsert([
      { id: "small-a", values: unitAt(0), namespace: "small" },
      { id: "small-b", values: unitAt(179), namespace: "small" },
    ]);
    const plan = await index.explain(unitAt(0), { namespace: "small", topK: 5 });
    expect(plan).toEqual({ strategy: "exact", scope: 2, rowsRead: 2, metadataRead: 0, cellsProbed: 0 });
    expect((await index.query(unitAt(0), { namespace: "small", topK: 5 })).matches.map((m) => m.id)).toEqual([
      "small-a",
      "small-b",
    ]);
  });
});
