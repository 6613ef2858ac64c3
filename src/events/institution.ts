/**
 * Which institution a Live Event belongs to (pure). Instructure signs every customer's events with the same keys,
 * so a valid signature proves only that Canvas sent the event, not that it is ours: another school's subscription
 * pointed at our URL would otherwise make us sync our courses that happen to share its ids. The signed claims must
 * therefore name our root account (`metadata.root_account_id`, LIVE_EVENTS_ROOT_ACCOUNT_IDS, or
 * `metadata.root_account_uuid`, LIVE_EVENTS_ROOT_ACCOUNT_UUIDS: the New Quizzes service's events carry only the uuid)
 * and/or our issuer (`iss`, LIVE_EVENTS_ISSUER). With none configured nothing can be told apart, so every event is
 * ignored.
 *
 * Root account ids arrive global (`shard * 10^13 + local`, canvas-api.md §6.3) and Instructure is moving events to
 * local ids. Two global ids match only when equal; when either side is local, the local parts are compared, which
 * identifies an account only within its shard: configure the global id (as events carry it) to be exact.
 */
import { canonicalId } from "../shared/canvas-ids";

const SHARD_FACTOR = 10_000_000_000_000n;

export interface InstitutionPolicy {
  /** Canonical decimal root account ids (global or local) whose events are ours; empty: not checked. */
  rootAccountIds: readonly string[];
  /** Root account uuids whose events are ours; empty or absent: not checked. */
  rootAccountUuids?: readonly string[];
  /** The exact `iss` our events carry; null: not checked. */
  issuer: string | null;
}

export type InstitutionIgnoreReason = "institution_not_configured" | "wrong_institution" | "wrong_issuer";

export type InstitutionVerdict = { ours: true } | { ours: false; reason: InstitutionIgnoreReason };

export interface DeliveryIdentity {
  /** `metadata.root_account_id` of the verified event, as it came (string or number), if any. */
  rootAccountId: unknown;
  /** `metadata.root_account_uuid` of the verified event, if any. */
  rootAccountUuid?: unknown;
  /** `iss` of the verified token; null for unsigned deliveries or tokens without one. */
  issuer: string | null;
}

/** True when at least one institution check is configured. */
export function hasInstitutionFilter(policy: InstitutionPolicy): boolean {
  return (
    policy.rootAccountIds.length > 0 || (policy.rootAccountUuids ?? []).length > 0 || policy.issuer !== null
  );
}

/** Whether the delivery is from our institution; every configured check must pass. */
export function checkInstitution(policy: InstitutionPolicy, delivery: DeliveryIdentity): InstitutionVerdict {
  if (!hasInstitutionFilter(policy)) return { ours: false, reason: "institution_not_configured" };
  if (policy.issuer !== null && delivery.issuer !== policy.issuer)
    return { ours: false, reason: "wrong_issuer" };
  const uuids = policy.rootAccountUuids ?? [];
  if (policy.rootAccountIds.length > 0 || uuids.length > 0) {
    // Either identifier of our root account will do: Canvas's events carry both, the quiz service's the uuid.
    const received = readId(delivery.rootAccountId);
    const byId = received !== null && policy.rootAccountIds.some((id) => sameRootAccount(id, received));
    const uuid = delivery.rootAccountUuid;
    const byUuid = typeof uuid === "string" && uuids.includes(uuid);
    if (!byId && !byUuid) return { ours: false, reason: "wrong_institution" };
  }
  return { ours: true };
}

/** Global ids compare exactly; when either is local, the local parts are compared. */
export function sameRootAccount(configured: string, received: string): boolean {
  const a = BigInt(configured);
  const b = BigInt(received);
  if (a >= SHARD_FACTOR && b >= SHARD_FACTOR) return a === b;
  return a % SHARD_FACTOR === b % SHARD_FACTOR;
}

function readId(raw: unknown): string | null {
  return typeof raw === "string" || typeof raw === "number" ? canonicalId(raw) : null;
}
