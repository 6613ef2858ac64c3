/**
 * Loads the PostgreSQL 15 pg_trgm ground truth (test/fixtures/pg_trgm, copied verbatim from
 * shared/data/pg_trgm): 1,595 text pairs and, per locale, PostgreSQL's printed similarity, both
 * trigram counts and the `similarity(a,b) > 0.8` decision. Bundled by Vite, since tests run in
 * workerd and cannot read files.
 */
import { z } from "zod";
import casesJson from "../fixtures/pg_trgm/cases.json";
import cLocaleCsv from "../fixtures/pg_trgm/pg15-c-locale-out.csv?raw";
import utf8Csv from "../fixtures/pg_trgm/pg15-c.utf8-out.csv?raw";
import type { TrigramLocale } from "../../src/dedup/trigram";

const cases = z.array(z.tuple([z.string(), z.string()])).parse(casesJson);

export interface PgRow {
  index: number;
  a: string;
  b: string;
  /** `similarity(a,b)::text` exactly as PostgreSQL printed it. */
  similarity: string;
  countA: number;
  countB: number;
  above08: boolean;
}

function parse(csv: string): PgRow[] {
  return csv
    .trim()
    .split("\n")
    .map((line) => {
      const [index, similarity, countA, countB, decision] = line.split(",");
      const pair = cases[Number(index)];
      if (pair === undefined || similarity === undefined || decision === undefined) {
        throw new Error(`bad fixture row: ${line}`);
      }
      return {
        index: Number(index),
        a: pair[0],
        b: pair[1],
        similarity,
        countA: Number(countA),
        countB: Number(countB),
        above08: decision === "true",
      };
    });
}

export const PG_ROWS: Record<TrigramLocale, PgRow[]> = { "C.UTF-8": parse(utf8Csv), C: parse(cLocaleCsv) };
export const PG_CASE_COUNT = cases.length;
