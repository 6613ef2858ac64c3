/**
 * Pure: what to do about objects a complete listing no longer shows. Missing from a listing is not proof of
 * deletion: a numbered-page listing that shifts while it is read drops objects out of view, and a token that lost a
 * permission gets 200 listings without what it may no longer see. So every missing object is looked up once
 * (a probe): Canvas answering 404, or a `deleted` state, is the proof; 401/403 keeps it; a transient failure
 * leaves it for the next sync.
 *
 * When a listing loses more than `minCount` and more than `minShare` of a collection's live objects at once, a few
 * are probed first. Only if every one of them is confirmed gone are the rest probed too; otherwise (a permission
 * change, or a Canvas that lists less than it should) nothing is deleted, the rest are held, and the operator is
 * alerted. This costs `probes` requests per sync while the condition lasts, instead of one per missing object.
 */

export interface DisappearanceRule {
  minCount: number;
  minShare: number;
  probes: number;
}

export interface DisappearancePlan {
  /** probe these now */
  probe: string[];
  /** hold these until the probes say whether to probe them too */
  hold: string[];
  /** the loss is large enough to need the sample's confirmation */
  mass: boolean;
}

export function planDisappearances(
  missing: readonly string[],
  liveCount: number,
  rule: DisappearanceRule,
): DisappearancePlan {
  const sorted = [...missing].sort();
  const mass = sorted.length > rule.minCount && sorted.length > rule.minShare * liveCount;
  if (!mass) return { probe: sorted, hold: [], mass: false };
  // A deterministic sample (sorted ids) makes a held course behave the same way on every sync.
  return { probe: sorted.slice(0, rule.probes), hold: sorted.slice(rule.probes), mass: true };
}

/** After the sample of a mass disappearance: probe the rest only when every sampled object is confirmed gone. */
export function sampleConfirmsDeletion(outcomes: readonly ("gone" | "kept")[]): boolean {
  return outcomes.length > 0 && outcomes.every((outcome) => outcome === "gone");
}
