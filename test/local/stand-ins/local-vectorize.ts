/**
 * @module dev/local-vectorize
 * Local stand-in for the Vectorize binding (Vectorize has no local mode). Bound as `VECTORS` by
 * the `local` wrangler environment and the tests, so the production code path runs unchanged:
 * same methods, limits, filter operators, metadata levels and mutation ids, over vectors kept in the local D1
 * database `VECTOR_STANDIN_DB`. Like Vectorize it is an IVF index (local-vectorize-index.ts): past
 * `ivfMinVectors` vectors a query reads the cells closest to it, not every vector, and scores those exactly
 * (local-vectorize-query.ts, vector-search.ts); smaller scopes are scanned exactly.
 *
 * Writes go through an ordered mutation log (local-vectorize-store.ts) and are applied before the
 * next read once due, so a configurable lag rehearses Vectorize's eventual consistency.
 *
 * Configuration, from the service binding's `props` first, then env vars, then defaults:
 *   index            VECTOR_STANDIN_INDEX  stand-in index name (default "default")
 *   dimensions       VECTOR_DIMENSIONS  384
 *   metric           VECTOR_METRIC      cosine | euclidean | dot-product
 *   lagMs            VECTOR_STANDIN_LAG_MS  0 (writes visible at once)
 *   metadataIndexes  VECTOR_METADATA_INDEXES  e.g. "ntrgm:number,th:string"; unset = all filterable
 *   ivfMinVectors    VECTOR_STANDIN_IVF_MIN_VECTORS  1024 (scopes up to this size are scanned exactly)
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import type {
  VectorIndexInfo,
  VectorMatches,
  VectorMutation,
  VectorQueryOptions,
  VectorRecord,
  VectorValues,
} from "../../../src/ports/vector-index";
import { parseIdList, parseQueryOptions, parseValues, parseVectorBatch } from "./vector-schemas";
import { type SearchConfig, parseMetadataIndexes } from "./vector-search";
import { StandinIndex } from "./local-vectorize-index";
import { type QueryPlan, queryStandin } from "./local-vectorize-query";
import { DEFAULT_IVF_MIN_VECTORS } from "./local-vectorize-ivf";
import { type LoggedVector, StandinStore } from "./local-vectorize-store";

const MetricSchema = z.enum(["cosine", "euclidean", "dot-product"]);

const StandinEnvSchema = z.object({
  VECTOR_STANDIN_DB: z.custom<D1Database>(
    (v) => typeof v === "object" && v !== null && "prepare" in v && "batch" in v,
    "VECTOR_STANDIN_DB (a D1 binding) is required by the Vectorize stand-in",
  ),
  // Blank means unset, as in src/env.ts (wrangler.toml declares the setting with an empty value).
  VECTOR_DIMENSIONS: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.coerce.number().int().min(1).max(1536).optional(),
  ),
  VECTOR_METRIC: MetricSchema.optional(),
  VECTOR_STANDIN_LAG_MS: z.coerce.number().int().min(0).optional(),
  VECTOR_METADATA_INDEXES: z.string().optional(),
  VECTOR_STANDIN_INDEX: z.string().min(1).max(64).optional(),
  VECTOR_STANDIN_IVF_MIN_VECTORS: z.coerce.number().int().min(1).optional(),
});

const StandinPropsSchema = z
  .object({
    index: z.string().min(1).max(64).optional(),
    dimensions: z.number().int().min(1).max(1536).optional(),
    metric: MetricSchema.optional(),
    lagMs: z.number().int().min(0).optional(),
    metadataIndexes: z.string().optional(),
    ivfMinVectors: z.number().int().min(1).optional(),
  })
  .nullish();

/** Config errors as readable messages (a ZodError reaches an RPC caller as just "ZodError"). */
function parseConfig<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new Error(`Vectorize stand-in ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

interface StandinConfig {
  db: D1Database;
  index: string;
  dimensions: number;
  lagMs: number;
  ivfMinVectors: number;
  search: SearchConfig;
}

/**
 * The only env entries the stand-in reads; narrower than `Env` so it can also be constructed
 * directly (tests) with just a D1 database and settings.
 */
export interface StandinEnv {
  VECTOR_STANDIN_DB?: D1Database | undefined;
  VECTOR_DIMENSIONS?: string | undefined;
  VECTOR_METRIC?: string | undefined;
  VECTOR_STANDIN_LAG_MS?: string | undefined;
  VECTOR_METADATA_INDEXES?: string | undefined;
  VECTOR_STANDIN_INDEX?: string | undefined;
  VECTOR_STANDIN_IVF_MIN_VECTORS?: string | undefined;
}

export class LocalVectorize extends WorkerEntrypoint<StandinEnv> {
  private cfg: StandinConfig | undefined;
  private storeInstance: StandinStore | undefined;
  private indexInstance: StandinIndex | undefined;

  private config(): StandinConfig {
    if (this.cfg === undefined) {
      const env = parseConfig(StandinEnvSchema, this.env, "environment");
      const props = parseConfig(StandinPropsSchema, this.ctx.props, "binding props") ?? {};
      this.cfg = {
        db: env.VECTOR_STANDIN_DB,
        index: props.index ?? env.VECTOR_STANDIN_INDEX ?? "default",
        dimensions: props.dimensions ?? env.VECTOR_DIMENSIONS ?? 384,
        lagMs: props.lagMs ?? env.VECTOR_STANDIN_LAG_MS ?? 0,
        ivfMinVectors: props.ivfMinVectors ?? env.VECTOR_STANDIN_IVF_MIN_VECTORS ?? DEFAULT_IVF_MIN_VECTORS,
        search: {
          metric: props.metric ?? env.VECTOR_METRIC ?? "cosine",
          metadataIndexes: parseMetadataIndexes(props.metadataIndexes ?? env.VECTOR_METADATA_INDEXES),
        },
      };
    }
    return this.cfg;
  }

  private store(): StandinStore {
    const c = this.config();
    this.storeInstance ??= new StandinStore(c.db, c.index);
    return this.storeInstance;
  }

  private vectorIndex(): StandinIndex {
    const c = this.config();
    this.indexInstance ??= new StandinIndex(c.db, c.index, c.search, c.dimensions, c.ivfMinVectors);
    return this.indexInstance;
  }

  /** Applies the writes that are due, filing each vector under its cell. */
  private async catchUp(): Promise<void> {
    await this.store().catchUp(Date.now(), () => this.vectorIndex().assigner());
  }

  /** The configured lag, unless a test has overridden it for this index (StandinStore.setLagOverride). */
  private async lagMs(): Promise<number> {
    return (await this.store().lagOverride()) ?? this.config().lagMs;
  }

  private async write(op: "insert" | "upsert", vectors: unknown): Promise<VectorMutation> {
    const logged: LoggedVector[] = parseVectorBatch(vectors, this.config().dimensions).map((v) => ({
      id: v.id,
      values: Array.from(v.values),
      namespace: v.namespace ?? null,
      metadata: v.metadata === undefined ? null : JSON.stringify(v.metadata),
    }));
    const mutationId = await this.store().append(op, logged, Date.now() + (await this.lagMs()));
    await this.catchUp();
    await this.vectorIndex().maintain();
    return { mutationId };
  }

  /** Adds vectors; an id that already exists keeps its current vector (as Vectorize does). */
  async insert(vectors: VectorRecord[]): Promise<VectorMutation> {
    return this.write("insert", vectors);
  }

  /** Adds or replaces vectors (values, namespace and metadata as a whole). */
  async upsert(vectors: VectorRecord[]): Promise<VectorMutation> {
    return this.write("upsert", vectors);
  }

  async deleteByIds(ids: string[]): Promise<VectorMutation> {
    const mutationId = await this.store().append(
      "delete",
      parseIdList(ids),
      Date.now() + (await this.lagMs()),
    );
    await this.catchUp();
    return { mutationId };
  }

  async getByIds(ids: string[]): Promise<VectorRecord[]> {
    const wanted = parseIdList(ids);
    await this.catchUp();
    const found = await this.store().readByIds(wanted);
    return found.map((v) => ({ ...v, values: Array.from(v.values) }));
  }

  async query(vector: VectorValues, options?: VectorQueryOptions): Promise<VectorMatches> {
    return (await this.plannedQuery(vector, options)).result;
  }

  /** Not part of Vectorize: how the stand-in answered a query (exact scan or cells probed, vectors read). */
  async explain(vector: VectorValues, options?: VectorQueryOptions): Promise<QueryPlan> {
    return (await this.plannedQuery(vector, options)).plan;
  }

  private async plannedQuery(
    vector: VectorValues,
    options: VectorQueryOptions | undefined,
  ): Promise<{ result: VectorMatches; plan: QueryPlan }> {
    const opts = parseQueryOptions(options);
    const values = parseValues(vector);
    const { dimensions } = this.config();
    if (values.length !== dimensions) {
      throw new RangeError(`query has ${values.length} dimensions; the index has ${dimensions}`);
    }
    await this.catchUp();
    const c = this.config();
    return queryStandin(
      { db: c.db, name: c.index, index: this.vectorIndex(), search: c.search, minVectors: c.ivfMinVectors },
      values,
      opts,
    );
  }

  /** Queries with a stored vector; an unknown id gives no matches. */
  async queryById(id: string, options?: VectorQueryOptions): Promise<VectorMatches> {
    const [stored] = await this.getByIds([id]);
    return stored === undefined ? { matches: [], count: 0 } : this.query(stored.values, options);
  }

  async describe(): Promise<VectorIndexInfo> {
    await this.catchUp();
    const processed = await this.store().processed();
    return {
      vectorCount: await this.store().count(),
      dimensions: this.config().dimensions,
      processedUpToMutation: processed?.mutationId ?? "",
      processedUpToDatetime: processed === undefined ? "" : new Date(processed.at).toISOString(),
    };
  }
}
