import { describe, expect, it } from "vitest";
import {
  formatFloat4,
  isAboveThreshold,
  setSimilarity,
  similarity,
  trigramCount,
  trigramSet,
} from "../../src/dedup/trigram";
import { PG_CASE_COUNT, PG_ROWS } from "../support/pg-trgm-fixtures";

describe("trigramSet", () => {
  it("pads each word with two spaces before and one after, as pg_trgm's show_trgm does", () => {
    // show_trgm('cat') = {"  c"," ca","at ","cat"}; a one-letter word gives two trigrams.
    expect([...trigramSet("cat")].sort()).toEqual(["  c", " ca", "at ", "cat"]);
    expect([...trigramSet("a")].sort()).toEqual(["  a", " a "]);
  });

  it("treats every non-alphanumeric character, including _ and ', as a word break", () => {
    expect(trigramSet("don't")).toEqual(new Set([...trigramSet("don"), ...trigramSet("t")]));
    expect(trigramSet("x_y")).toEqual(trigramSet("x y"));
  });

  it("is a set: order, repetition and case do not matter", () => {
    expect(trigramSet("Beta alpha ALPHA")).toEqual(trigramSet("alpha beta"));
  });

  it("lower-cases per code point: İ becomes i, a final Σ becomes σ", () => {
    expect(trigramSet("İstanbul")).toEqual(trigramSet("istanbul"));
    expect(trigramSet("ΟΔΟΣ")).toEqual(trigramSet("οδοσ"));
  });

  it("keeps non-ASCII letters in C.UTF-8 and splits on them in the C locale", () => {
    expect(trigramCount("café")).toBe(5);
    expect(trigramSet("café", { locale: "C" })).toEqual(trigramSet("caf"));
    expect(similarity("café", "cafe", { locale: "C" })).toBe(Math.fround(0.5));
  });

  it("gives no trigrams (and similarity 0) for text without word characters", () => {
    expect(trigramCount("-- !! ²½ --")).toBe(0);
    expect(similarity("", "")).toBe(0);
    expect(similarity("...", "abc")).toBe(0);
  });
});

describe("similarity against PostgreSQL 15 (test/fixtures/pg_trgm)", () => {
  it("has every pair of the fixture in both locales", () => {
    expect(PG_CASE_COUNT).toBe(1595);
    expect(PG_ROWS["C.UTF-8"]).toHaveLength(1595);
    expect(PG_ROWS.C).toHaveLength(1595);
  });

  for (const locale of ["C.UTF-8", "C"] as const) {
    it(`reproduces every value, trigram count and > 0.8 decision in ${locale}`, () => {
      const mismatches: string[] = [];
      for (const row of PG_ROWS[locale]) {
        const a = trigramSet(row.a, { locale });
        const b = trigramSet(row.b, { locale });
        const sim = setSimilarity(a, b);
        const got = `${formatFloat4(sim)},${a.size},${b.size},${isAboveThreshold(sim)}`;
        const want = `${row.similarity},${row.countA},${row.countB},${row.above08}`;
        if (got !== want) mismatches.push(`#${row.index}: got ${got}, PostgreSQL ${want}`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("the two locales really differ on this data (the locale parameter matters)", () => {
    const differing = PG_ROWS["C.UTF-8"].filter((row, i) => row.similarity !== PG_ROWS.C[i]?.similarity);
    expect(differing.length).toBeGreaterThan(100);
    for (const row of differing.slice(0, 20)) {
      expect(formatFloat4(similarity(row.a, row.b))).not.toBe(
        formatFloat4(similarity(row.a, row.b, { locale: "C" })),
      );
    }
  });

  it("counts an exact ratio of 4/5 as above 0.8, as PostgreSQL compares float4 with float8", () => {
    const exactFifths = PG_ROWS["C.UTF-8"].filter((r) => r.similarity === "0.8");
    expect(exactFifths.length).toBeGreaterThan(0);
    for (const r of exactFifths) expect(r.above08).toBe(true);
    expect(isAboveThreshold(Math.fround(4 / 5))).toBe(true);
    expect(isAboveThreshold(Math.fround(0.79999))).toBe(false);
  });
});

describe("formatFloat4", () => {
  it("prints the shortest text that reads back as the same float4, like PostgreSQL", () => {
    expect(formatFloat4(Math.fround(1 / 3))).toBe("0.33333334");
    expect(formatFloat4(Math.fround(4 / 5))).toBe("0.8");
    expect(formatFloat4(1)).toBe("1");
    expect(formatFloat4(0)).toBe("0");
    expect(formatFloat4(Math.fround(1 / 12))).toBe("0.083333336");
  });

  it("switches to exponent notation below 1e-4, as float4out does", () => {
    expect(formatFloat4(Math.fround(0.0001))).toBe("0.0001");
    expect(formatFloat4(Math.fround(1 / 40000))).toBe("2.5e-05");
  });
});
