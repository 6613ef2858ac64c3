import { describe, expect, it } from "vitest";
import { canonicalJson, fingerprint } from "../../src/detect/canonical";
import {
  classifyObservation,
  fileNeedsBytes,
  pageNeedsBody,
  revisionAmbiguous,
  type StoredState,
} from "../../src/detect/classify";
import { diffProjections, summarizeTextChange } from "../../src/detect/deep-diff";
import { projectAssignment, projectModule, projectPage } from "../../src/detect/projections";

const at = (iso: string): number => Date.parse(iso);

function stored(data: Record<string, unknown>, extra: Partial<StoredState> = {}): StoredState {
  return {
    contentHash: "h",
    canvasUpdatedAt: "2026-01-01T00:00:00Z",
    canvasModifiedAt: null,
    size: null,
    data,
    deleted: false,
    ...extra,
  };
}

describe("canonical fingerprint", () => {
  it("ignores key order and unifies null and undefined", async () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: "x" } })).toBe(
      canonicalJson({ a: { c: "x", d: null }, b: 1 }),
    );
    expect(await fingerprint({ x: 1, y: [2, 3] })).toBe(await fingerprint({ y: [2, 3], x: 1 }));
    expect(await fingerprint({ y: [2, 3] })).not.toBe(await fingerprint({ y: [3, 2] }));
  });

  it("sorts unordered arrays in projections so Canvas's order does not matter", async () => {
    const a = projectModule({ id: 1, prerequisite_module_ids: [3, 1, 2] });
    const b = projectModule({ id: 1, prerequisite_module_ids: [2, 3, 1] });
    expect(await fingerprint(a)).toBe(await fingerprint(b));
    const x = projectAssignment({ id: 1, submission_types: ["online_upload", "online_text_entry"] });
    const y = projectAssignment({ id: 1, submission_types: ["online_text_entry", "online_upload"] });
    expect(await fingerprint(x)).toBe(await fingerprint(y));
  });

  it("leaves per-caller and volatile fields out of the page projection", async () => {
    const page = { page_id: 1, url: "intro", title: "Intro", updated_at: "2026-01-01T00:00:00Z" };
    const a = projectPage({ ...page, locked_for_user: false }, "<p>x</p>");
    const b = projectPage({ ...page, locked_for_user: true, updated_at: "2026-02-01T00:00:00Z" }, "<p>x</p>");
    expect(await fingerprint(a)).toBe(await fingerprint(b));
  });
});

describe("timestamp tier", () => {
  it("fetches a page body only when the page is new, deleted, or its revision time moved", () => {
    expect(pageNeedsBody(undefined, "2026-01-01T00:00:00Z")).toBe(true);
    const known = stored({ body: "<p>x</p>" });
    expect(pageNeedsBody(known, "2026-01-01T00:00:00Z")).toBe(false);
    expect(pageNeedsBody(known, "2026-01-02T00:00:00Z")).toBe(true);
    expect(pageNeedsBody({ ...known, deleted: true }, "2026-01-01T00:00:00Z")).toBe(true);
  });

  it("calls a revision ambiguous when its body was read in the same second it was made (or the next)", () => {
    const revised = "2026-01-01T10:00:05Z";
    expect(revisionAmbiguous(revised, at("2026-01-01T10:00:05.100Z"))).toBe(true);
    expect(revisionAmbiguous(revised, at("2026-01-01T10:00:05.999Z"))).toBe(true);
    // a second of clock difference between Canvas's servers must not hide an edit
    expect(revisionAmbiguous(revised, at("2026-01-01T10:00:06.500Z"))).toBe(true);
    expect(revisionAmbiguous(revised, at("2026-01-01T10:00:07.000Z"))).toBe(false);
    expect(revisionAmbiguous(revised, at("2026-01-01T11:00:00Z"))).toBe(false);
    expect(revisionAmbiguous(revised, null)).toBe(false);
    expect(revisionAmbiguous(null, at(revised))).toBe(false);
  });

  it("downloads file bytes only when modified_at or size moved, not on a rename", () => {
    const file = stored(
      { sha256: "abc", display_name: "a.pdf" },
      { canvasModifiedAt: "2026-01-01T00:00:00Z", size: 10 },
    );
    expect(fileNeedsBytes(file, { modifiedAt: "2026-01-01T00:00:00Z", size: 10 })).toBe(false);
    expect(fileNeedsBytes(file, { modifiedAt: "2026-01-03T00:00:00Z", size: 10 })).toBe(true);
    expect(fileNeedsBytes(file, { modifiedAt: "2026-01-01T00:00:00Z", size: 11 })).toBe(true);
    expect(fileNeedsBytes(stored({ sha256: null }), { modifiedAt: null, size: null })).toBe(true);
    expect(fileNeedsBytes(undefined, { modifiedAt: null, size: null })).toBe(true);
  });
});

describe("hash and deep tiers", () => {
  const timestamps = { updatedAt: "2026-01-01T00:00:00Z", modifiedAt: null, size: null };

  it("classifies added, unchanged and timestamp-only updates", () => {
    const projection = { title: "A" };
    expect(classifyObservation(undefined, { hash: "h", projection, timestamps }).kind).toBe("added");
    expect(classifyObservation(stored(projection), { hash: "h", projection, timestamps }).kind).toBe(
      "unchanged",
    );
    const moved = { ...timestamps, updatedAt: "2026-01-05T00:00:00Z" };
    expect(classifyObservation(stored(projection), { hash: "h", projection, timestamps: moved }).kind).toBe(
      "timestamp_updated",
    );
  });

  it("lists the changed fields when the hash differs, and restores tombstoned objects", () => {
    const result = classifyObservation(stored({ title: "A", points: 1 }), {
      hash: "other",
      projection: { title: "B", points: 1 },
      timestamps,
    });
    expect(result.kind).toBe("content_modified");
    expect(result.fields).toEqual([{ field: "title", old: "A", new: "B" }]);
    expect(
      classifyObservation(stored({ title: "A" }, { deleted: true }), {
        hash: "h",
        projection: { title: "A" },
        timestamps,
      }).kind,
    ).toBe("restored");
    expect(
      classifyObservation(stored({ title: "A" }), { hash: "x", projection: { title: "A" }, timestamps }).kind,
    ).toBe("content_updated");
  });

  it("summarises long text changes instead of copying them", () => {
    const before = `<p>${"word ".repeat(80)}</p>\n<p>tail</p>`;
    const after = `<p>${"word ".repeat(80)}</p>\n<p>new tail here</p>`;
    const [change] = diffProjections({ body: before }, { body: after });
    expect(change?.field).toBe("body");
    expect(change?.old).toBeUndefined();
    expect(change?.summary).toBe(summarizeTextChange(before, after));
    expect(change?.summary).toMatch(/^lines \+1 -1, words \+3 -1/);
  });
});
