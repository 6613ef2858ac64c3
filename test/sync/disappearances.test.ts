/** Which missing objects are probed, and when a large loss holds them until a sample confirms it. */
import { describe, expect, it } from "vitest";
import { planDisappearances, sampleConfirmsDeletion } from "../../src/sync/disappearances";

const RULE = { minCount: 10, minShare: 0.2, probes: 3 };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `1:page:${String(i).padStart(4, "0")}`);

describe("planDisappearances", () => {
  it("probes every missing object when the loss is small in count or in share", () => {
    expect(planDisappearances(ids(10), 20, RULE)).toEqual({ probe: ids(10), hold: [], mass: false });
    expect(planDisappearances(ids(11), 100, RULE)).toEqual({ probe: ids(11), hold: [], mass: false });
  });

  it("probes a deterministic sample and holds the rest when more than 10 and more than 20% vanish", () => {
    const missing = ids(30).toReversed();
    const plan = planDisappearances(missing, 100, RULE);
    expect(plan.mass).toBe(true);
    expect(plan.probe).toEqual(ids(3));
    expect(plan.hold).toEqual(ids(30).slice(3));
  });

  it("deletes the rest only when every sampled object is confirmed gone", () => {
    expect(sampleConfirmsDeletion(["gone", "gone", "gone"])).toBe(true);
    expect(sampleConfirmsDeletion(["gone", "kept", "gone"])).toBe(false);
    expect(sampleConfirmsDeletion([])).toBe(false);
  });
});
