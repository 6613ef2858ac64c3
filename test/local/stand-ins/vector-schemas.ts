/**
 * @module stand-ins/vector-schemas
 * zod schemas for what crosses into a vector index stand-in: vectors to write, query options and
 * metadata filters, with the limits the real Vectorize service enforces (id and namespace <= 64
 * bytes, metadata <= 10 KiB, 1,000 vectors per write from a Worker, filter JSON < 2,048 bytes).
 * Used by the local D1 stand-in (an RPC edge) and the in-memory index, so both reject what
 * production would reject instead of passing tests that would fail against Vectorize.
 */
import { z } from "zod";
import {
  MAX_FILTER_BYTES,
  MAX_ID_BYTES,
  MAX_METADATA_BYTES,
  MAX_NAMESPACE_BYTES,
  MAX_VECTORS_PER_WRITE,
  type VectorFilter,
  type VectorMetadata,
  type VectorQueryOptions,
  type VectorRecord,
} from "../../../src/ports/vector-index";

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).byteLength;

/**
 * Parses or throws a RangeError with a readable message. A ZodError does not survive RPC (only its
 * name arrives), and callers of the real binding get plain errors too.
 */
function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new RangeError(`invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

const IdSchema = z
  .string()
  .min(1, "vector id must not be empty")
  .refine((s) => utf8Bytes(s) <= MAX_ID_BYTES, `vector id longer than ${MAX_ID_BYTES} bytes`);

const NamespaceSchema = z
  .string()
  .min(1)
  .refine((s) => utf8Bytes(s) <= MAX_NAMESPACE_BYTES, `namespace longer than ${MAX_NAMESPACE_BYTES} bytes`);

const MetadataValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
const MetadataSchema = z
  .record(z.string(), z.union([MetadataValueSchema, z.record(z.string(), MetadataValueSchema)]))
  .refine(
    (m) => utf8Bytes(JSON.stringify(m)) <= MAX_METADATA_BYTES,
    `metadata larger than ${MAX_METADATA_BYTES} bytes`,
  );

const ValuesSchema = z
  .union([z.instanceof(Float32Array), z.instanceof(Float64Array), z.array(z.number())])
  .refine(
    (v) => Array.prototype.every.call(v, (x: number) => Number.isFinite(x)),
    "vector values must be finite",
  );

/** Parses query vector values. */
export function parseValues(input: unknown): z.infer<typeof ValuesSchema> {
  return parseWith(ValuesSchema, input, "vector values");
}

export const VectorRecordSchema = z.object({
  id: IdSchema,
  values: ValuesSchema,
  namespace: NamespaceSchema.optional(),
  metadata: MetadataSchema.optional(),
});

export const VectorBatchSchema = z
  .array(VectorRecordSchema)
  .max(MAX_VECTORS_PER_WRITE, `at most ${MAX_VECTORS_PER_WRITE} vectors per write`);

const IdListSchema = z.array(IdSchema).max(MAX_VECTORS_PER_WRITE);

/** Parses a list of vector ids (getByIds, deleteByIds). */
export function parseIdList(input: unknown): string[] {
  return parseWith(IdListSchema, input, "vector ids");
}

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);
const OperatorsSchema = z
  .object({
    $eq: ScalarSchema.nullable(),
    $ne: ScalarSchema.nullable(),
    $lt: ScalarSchema.nullable(),
    $lte: ScalarSchema.nullable(),
    $gt: ScalarSchema.nullable(),
    $gte: ScalarSchema.nullable(),
    $in: z.array(ScalarSchema),
    $nin: z.array(ScalarSchema),
  })
  .partial()
  .strict()
  .refine((o) => Object.keys(o).length > 0, "empty operator object");

export const FilterSchema = z
  .record(z.string().min(1), z.union([ScalarSchema, z.null(), OperatorsSchema]))
  .refine(
    (f) => utf8Bytes(JSON.stringify(f)) < MAX_FILTER_BYTES,
    `filter JSON must be under ${MAX_FILTER_BYTES} bytes`,
  );

export const QueryOptionsSchema = z
  .object({
    topK: z.number().int().min(1).optional(),
    namespace: NamespaceSchema.optional(),
    returnValues: z.boolean().optional(),
    returnMetadata: z.union([z.boolean(), z.enum(["all", "indexed", "none"])]).optional(),
    filter: FilterSchema.optional(),
  })
  .strict();

/** Parses stored metadata (e.g. read back from JSON). */
export function parseMetadata(input: unknown): VectorMetadata {
  return parseWith(MetadataSchema, input, "metadata");
}

/** Parses a filter; the result is the port's `VectorFilter` shape. */
export function parseFilter(input: unknown): VectorFilter {
  return parseWith(FilterSchema, input, "filter");
}

/** Parses query options (unknown keys are rejected, as they would be silently ignored otherwise). */
export function parseQueryOptions(input: unknown): VectorQueryOptions {
  const parsed = parseWith(QueryOptionsSchema, input ?? {}, "query options");
  const out: VectorQueryOptions = {};
  if (parsed.topK !== undefined) out.topK = parsed.topK;
  if (parsed.namespace !== undefined) out.namespace = parsed.namespace;
  if (parsed.returnValues !== undefined) out.returnValues = parsed.returnValues;
  if (parsed.returnMetadata !== undefined) out.returnMetadata = parsed.returnMetadata;
  if (parsed.filter !== undefined) out.filter = parsed.filter;
  return out;
}

/** Parses a batch of vectors to write, checking their dimension against the index's. */
export function parseVectorBatch(input: unknown, dimensions: number): VectorRecord[] {
  const batch = parseWith(VectorBatchSchema, input, "vectors");
  const out: VectorRecord[] = [];
  for (const v of batch) {
    if (v.values.length !== dimensions) {
      throw new RangeError(`vector "${v.id}" has ${v.values.length} dimensions; the index has ${dimensions}`);
    }
    const rec: VectorRecord = { id: v.id, values: v.values };
    if (v.namespace !== undefined) rec.namespace = v.namespace;
    if (v.metadata !== undefined) rec.metadata = v.metadata;
    out.push(rec);
  }
  return out;
}
