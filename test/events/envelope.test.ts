import { describe, expect, it } from "vitest";
import { canonicalId, toLocalId } from "../../src/shared/canvas-ids";
import { parseCanvasEvent } from "../../src/events/envelope";
import { normalizeEventTime } from "../../src/events/event-time";
import { parseJsonPrecise } from "../../src/events/precise-json";
import { envelope, globalId, jobMetadata, requestMetadata } from "../support/sample-events";

const RECEIVED = new Date("2026-03-01T12:00:00.000Z");

describe("normalizeEventTime", () => {
  it.each([
    ["2019-11-01T19:11:25.788Z", "2019-11-01T19:11:25.788Z"],
    ["2019-11-01T19:11:25Z", "2019-11-01T19:11:25.000Z"],
    ["2019-11-01 19:11:25 UTC", "2019-11-01T19:11:25.000Z"],
    ["2019-11-01T19:11:25.788123Z", "2019-11-01T19:11:25.788Z"],
    ["2019-11-01T14:11:25-05:00", "2019-11-01T19:11:25.000Z"],
    ["2019-11-01T21:11:25+0200", "2019-11-01T19:11:25.000Z"],
    ["2019-11-01T19:11", "2019-11-01T19:11:00.000Z"],
    [1572635485, "2019-11-01T19:11:25.000Z"],
    [1572635485788, "2019-11-01T19:11:25.788Z"],
    ["1572635485", "2019-11-01T19:11:25.000Z"],
  ])("reads %j", (raw, expected) => {
    expect(normalizeEventTime(raw)).toBe(expected);
  });

  it.each([
    ["Friday, Nov 1 2019"],
    ["2019-02-30T00:00:00Z"],
    ["2019-11-01T25:00:00Z"],
    [""],
    [null],
    [{}],
    [-5],
  ])("refuses %j", (raw) => {
    expect(normalizeEventTime(raw)).toBeNull();
  });
});

describe("canvas ids", () => {
  it("converts global ids to local ids, including ids above 2^53", () => {
    expect(toLocalId(globalId(7, 901))).toBe(901);
    expect(toLocalId("123450000000000678")).toBe(678);
    expect(toLocalId(globalId(99_999, 9_999_999_999_999))).toBe(9_999_999_999_999);
    expect(toLocalId("42")).toBe(42); // already local
  });

  it("canonicalises wire ids and refuses anything that is not an exact integer", () => {
    expect(canonicalId("0042")).toBe("42");
    expect(canonicalId(17)).toBe("17");
    expect(canonicalId(2 ** 60)).toBeNull();
    expect(canonicalId("12a")).toBeNull();
    expect(canonicalId(-3)).toBeNull();
    expect(canonicalId("1.5")).toBeNull();
  });

  it("parses bare integers above 2^53 as exact digit strings", () => {
    const parsed = parseJsonPrecise('{"id":123450000000000678,"small":12,"points":2.5}');
    expect(parsed).toEqual({ ok: true, value: { id: "123450000000000678", small: 12, points: 2.5 } });
  });
});

describe("parseCanvasEvent", () => {
  it("types a known family's body and keeps unknown fields", () => {
    const raw = envelope(requestMetadata("attachment_created", "2026-03-01T11:00:00.000Z", null), {
      attachment_id: globalId(7, 3001),
      context_type: "Course",
      context_id: globalId(7, 42),
      display_name: "syllabus.pdf",
      brand_new_field: { nested: true },
    });
    const result = parseCanvasEvent(raw, RECEIVED);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.payload).toMatchObject({
      family: "attachment",
      body: {
        attachment_id: "70000000003001",
        context_id: "70000000000042",
        brand_new_field: { nested: true },
      },
    });
    expect(result.event.eventTimeFromReceipt).toBe(false);
  });

  it("accepts numeric ids and null optional fields (compacted or not)", () => {
    const raw = envelope(jobMetadata("module_item_updated", "2026-03-01T11:00:00.000Z"), {
      module_item_id: 88,
      module_id: null,
      context_id: 42,
      context_type: "Course",
    });
    const result = parseCanvasEvent(raw, RECEIVED);
    expect(result.ok && result.event.payload).toMatchObject({
      family: "module_item",
      body: { module_item_id: "88" },
    });
  });

  it("falls back to the receipt time when event_time is unreadable", () => {
    const raw = envelope(requestMetadata("course_updated", "last tuesday", null), {
      course_id: globalId(7, 42),
    });
    const result = parseCanvasEvent(raw, RECEIVED);
    expect(result.ok && result.event.eventTime).toBe("2026-03-01T12:00:00.000Z");
    expect(result.ok && result.event.eventTimeFromReceipt).toBe(true);
  });

  it("parses unknown event names as unhandled without inspecting the body", () => {
    const raw = envelope(requestMetadata("submission_created", "2026-03-01T11:00:00.000Z", null), {
      anything: [1],
    });
    const result = parseCanvasEvent(raw, RECEIVED);
    expect(result.ok && result.event.payload).toEqual({ family: "unhandled" });
    // Names that collide with Object.prototype members are just unknown names.
    const proto = parseCanvasEvent(
      envelope(jobMetadata("constructor", "2026-03-01T11:00:00Z"), {}),
      RECEIVED,
    );
    expect(proto.ok && proto.event.payload).toEqual({ family: "unhandled" });
  });

  it.each([
    [
      "a body missing the id we use",
      envelope(jobMetadata("wiki_page_updated", "2026-03-01T11:00:00Z"), { title: "x" }),
    ],
    ["a non-integer id", envelope(jobMetadata("quiz_updated", "2026-03-01T11:00:00Z"), { quiz_id: "abc" })],
    [
      "an unsafe numeric id",
      envelope(jobMetadata("quiz_updated", "2026-03-01T11:00:00Z"), { quiz_id: 2 ** 60 }),
    ],
    ["a missing event_name", { metadata: { event_time: "2026-03-01T11:00:00Z" }, body: {} }],
    ["a body that is an array", { metadata: { event_name: "course_updated" }, body: [] }],
    ["no envelope at all", "wiki_page_updated"],
  ])("rejects %s", (_label, raw) => {
    const result = parseCanvasEvent(raw, RECEIVED);
    expect(result.ok).toBe(false);
  });
});
