import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { type VectorIndexPort, isVectorIndexPort } from "../../src/ports/vector-index";
import { LocalVectorize } from "../local/stand-ins/local-vectorize";
import { runVectorIndexConformance, unitAt } from "../support/vector-index-conformance";

// The local wrangler environment (and test/vitest.config.ts) binds VECTORS to the LocalVectorize
// entrypoint. Its generated type is a union; the guard checks the RPC stub has the port's methods.
function boundIndex(): VectorIndexPort {
  const binding = env.VECTORS;
  if (!isVectorIndexPort(binding)) throw new Error("env.VECTORS does not look like a vector index");
  return binding;
}
const vectors = boundIndex();

/** A stand-in configured like a differently bound index: env vars and/or binding props. */
function standin(vars: Record<string, string>, props?: Record<string, unknown>): LocalVectorize {
  const ctx = Object.assign(createExecutionContext(), props === undefined ? {} : { props });
  return new LocalVectorize(ctx, { ...vars, VECTOR_STANDIN_DB: env.VECTOR_STANDIN_DB });
}

describe("LocalVectorize through env.VECTORS", () => {
  runVectorIndexConformance(() => vectors);

  it("keeps vectors as float32 blobs in VECTOR_STANDIN_DB, not in the worker's memory", async () => {
    await vectors.upsert([{ id: "persisted", values: unitAt(0) }]);
    const row = await env.VECTOR_STANDIN_DB?.prepare(
      "SELECT index_name, length(vals) AS bytes FROM standin_vectors WHERE id = ?",
    )
      .bind("persisted")
      .first();
    expect(row).toEqual({ index_name: "default", bytes: 384 * 4 });
  });
});

describe("LocalVectorize configuration", () => {
  it("hides writes until VECTOR_STANDIN_LAG_MS has passed, like Vectorize's asynchronous writes", async () => {
    const lagged = standin({ VECTOR_STANDIN_LAG_MS: "1500", VECTOR_STANDIN_INDEX: "lagged" });
    const { mutationId } = await lagged.upsert([{ id: "late", values: unitAt(0) }]);
    expect(await lagged.getByIds(["late"])).toEqual([]);
    expect((await lagged.query(unitAt(0))).count).toBe(0);
    expect((await lagged.describe()).processedUpToMutation).not.toBe(mutationId);
    await vi.waitFor(
      async () => {
        expect((await lagged.describe()).processedUpToMutation).toBe(mutationId);
      },
      { timeout: 15_000, interval: 250 },
    );
    expect((await lagged.query(unitAt(0))).matches.map((m) => m.id)).toEqual(["late"]);
  });

  it("keeps separately named indexes apart in one database", async () => {
    const alpha = standin({ VECTOR_STANDIN_INDEX: "alpha" });
    const beta = standin({ VECTOR_STANDIN_INDEX: "beta" });
    await alpha.upsert([{ id: "same-id", values: unitAt(0), metadata: { owner: "alpha" } }]);
    await beta.upsert([{ id: "same-id", values: unitAt(90), metadata: { owner: "beta" } }]);
    expect((await alpha.getByIds(["same-id"]))[0]?.metadata).toEqual({ owner: "alpha" });
    expect((await beta.getByIds(["same-id"]))[0]?.metadata).toEqual({ owner: "beta" });
    expect((await alpha.describe()).vectorCount).toBe(1);
  });

  it("takes dimensions and metric from the binding's props before env vars", async () => {
    const small = standin(
      { VECTOR_DIMENSIONS: "384" },
      { index: "small", dimensions: 2, metric: "euclidean" },
    );
    expect((await small.describe()).dimensions).toBe(2);
    await small.upsert([
      { id: "near", values: [1, 0.5] },
      { id: "far", values: [4, 0] },
    ]);
    const res = await small.query([1, 0]);
    expect(res.matches.map((m) => [m.id, m.score])).toEqual([
      ["near", 0.5],
      ["far", 3],
    ]);
  });

  it("with VECTOR_METADATA_INDEXES, filters and returns only indexed properties", async () => {
    const idx = standin({ VECTOR_STANDIN_INDEX: "meta", VECTOR_METADATA_INDEXES: "kind:string,n:number" });
    await idx.upsert([
      { id: "a", values: unitAt(0), metadata: { kind: "page", n: 1, note: "free text" } },
      { id: "b", values: unitAt(5), metadata: { kind: "file", n: "2", note: "free text" } },
    ]);
    const ids = async (filter: Record<string, string | number>): Promise<string[]> =>
      (await idx.query(unitAt(0), { filter })).matches.map((m) => m.id);
    expect(await ids({ kind: "file" })).toEqual(["b"]);
    expect(await ids({ note: "free text" })).toEqual([]); // no metadata index on `note`
    expect(await ids({ n: 2 })).toEqual([]); // "2" is a string; the `n` index is numeric
    const [a] = (await idx.query(unitAt(0), { returnMetadata: "indexed" })).matches;
    expect(a?.metadata).toEqual({ kind: "page", n: 1 });
    const [full] = (await idx.query(unitAt(0), { returnMetadata: "all" })).matches;
    expect(full?.metadata).toEqual({ kind: "page", n: 1, note: "free text" });
  });

  it("explains a missing database binding instead of failing obscurely", async () => {
    const broken = new LocalVectorize(createExecutionContext(), {});
    await expect(broken.describe()).rejects.toThrow(/VECTOR_STANDIN_DB/);
  });
});
