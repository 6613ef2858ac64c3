/**
 * The budget of one queue delivery. Cloudflare counts subrequests (every fetch and every call to D1, R2, a Durable
 * Object or a queue), D1 queries and wall time per invocation, and local workerd enforces none of them, so the
 * delivery counts them itself (src/queue/invocation-meter.ts) and stops cleanly before any runs out: the pipeline
 * asks `admit` before each unit of work with a worst-case estimate of what it may cost, and a refused unit is left
 * for the next delivery of the same job. A fixed reserve is always kept for the final commit and for recording the
 * delivery. The first object of a delivery is always admitted (listings are prerequisites, not progress), so every
 * delivery makes progress however small its budget.
 */

export interface Usage {
  canvasRequests: number;
  d1Statements: number;
  subrequests: number;
}

export interface BudgetLimits extends Usage {
  wallMs: number;
}

/** What a unit of work may cost at worst (retries included). */
export interface Cost extends Usage {
  seconds: number;
}

export type BudgetDimension = "wall_time" | "canvas_requests" | "d1_statements" | "subrequests";

export const ZERO_COST: Cost = { canvasRequests: 0, d1Statements: 0, subrequests: 0, seconds: 0 };

/** In-process retries: a request is tried up to four times (src/resilience/retry-policy.ts). */
const ATTEMPTS = 4;

/** One Canvas API request: each attempt is a fetch plus the rate gate's reserve and release. */
export const REQUEST_COST: Cost = {
  canvasRequests: ATTEMPTS,
  subrequests: ATTEMPTS * 3,
  d1Statements: 0,
  seconds: 0,
};

/**
 * Downloading one file: per attempt the Canvas hop (gated), up to three storage redirects and the bytes, then the
 * R2 writes (one put, or a multipart upload of 8 MiB parts) and, for a large file, the two D1 calls that arbitrate
 * its blob row. Time: the bytes at a conservative 10 MB/s.
 */
export function downloadCost(size: number | null): Cost {
  const bytes = size ?? 0;
  const parts = bytes > 100 * 1024 * 1024 ? Math.ceil(bytes / (8 * 1024 * 1024)) + 2 : 1;
  return {
    canvasRequests: ATTEMPTS,
    subrequests: ATTEMPTS * 7 + parts,
    d1Statements: parts > 1 ? 2 : 0,
    seconds: Math.ceil(bytes / 10_000_000),
  };
}

export function addCost(a: Cost, b: Cost): Cost {
  return {
    canvasRequests: a.canvasRequests + b.canvasRequests,
    d1Statements: a.d1Statements + b.d1Statements,
    subrequests: a.subrequests + b.subrequests,
    seconds: a.seconds + b.seconds,
  };
}

/** Kept back from every limit for the last commit, the outcome and the delivery record. */
export const FINAL_RESERVE: Cost = { canvasRequests: 0, d1Statements: 40, subrequests: 60, seconds: 30 };

function fits(limit: number, spent: number, held: number, wanted: number, kept: number): boolean {
  return spent + held + wanted + kept <= limit;
}

/**
 * Pure: which limit a unit of work would overrun, or null. `used` is what the delivery has spent, `reserved` what
 * admitted units still in flight may spend.
 */
export function overrun(
  limits: BudgetLimits,
  used: Usage & { wallMs: number },
  reserved: Cost,
  cost: Cost,
  reserve: Cost = FINAL_RESERVE,
): BudgetDimension | null {
  if (!fits(limits.wallMs, used.wallMs, reserved.seconds * 1000, cost.seconds * 1000, reserve.seconds * 1000))
    return "wall_time";
  if (
    !fits(
      limits.canvasRequests,
      used.canvasRequests,
      reserved.canvasRequests,
      cost.canvasRequests,
      reserve.canvasRequests,
    )
  )
    return "canvas_requests";
  if (
    !fits(
      limits.d1Statements,
      used.d1Statements,
      reserved.d1Statements,
      cost.d1Statements,
      reserve.d1Statements,
    )
  )
    return "d1_statements";
  if (
    !fits(limits.subrequests, used.subrequests, reserved.subrequests, cost.subrequests, reserve.subrequests)
  )
    return "subrequests";
  return null;
}

/** Reads what the invocation has spent so far (cumulative; the budget keeps its own starting point). */
export type UsageReader = () => Usage;

export class DeliveryBudget {
  private readonly start: Usage;
  private readonly startedAt: number;
  private reserved: Cost = ZERO_COST;
  private admitted = 0;
  /** the limit that ended the delivery early, once one did */
  stoppedBy: BudgetDimension | null = null;

  constructor(
    private readonly limits: BudgetLimits,
    private readonly read: UsageReader,
    private readonly clock: () => number,
  ) {
    this.start = read();
    this.startedAt = clock();
  }

  /** What this delivery has spent so far. */
  used(): Usage & { wallMs: number } {
    const now = this.read();
    return {
      canvasRequests: now.canvasRequests - this.start.canvasRequests,
      d1Statements: now.d1Statements - this.start.d1Statements,
      subrequests: now.subrequests - this.start.subrequests,
      wallMs: this.clock() - this.startedAt,
    };
  }

  /**
   * Whether an object's work that may cost `cost` may start; if so its cost is held until `settle`. Once a unit was
   * refused, nothing more is admitted in this delivery (the delivery is winding down).
   */
  admit(cost: Cost): boolean {
    return this.take(cost, this.admitted === 0);
  }

  /**
   * Whether a listing may start. A listing is what objects need before they can be processed, not progress of its
   * own, so it never counts as the delivery's first unit: a delivery that listed still processes one object.
   */
  admitListing(cost: Cost): boolean {
    const admittedBefore = this.admitted;
    const taken = this.take(cost, this.admitted === 0);
    if (taken) this.admitted = admittedBefore;
    return taken;
  }

  private take(cost: Cost, regardless: boolean): boolean {
    if (this.stoppedBy !== null) return false;
    const over = regardless ? null : overrun(this.limits, this.used(), this.reserved, cost);
    if (over !== null) {
      this.stoppedBy = over;
      return false;
    }
    this.admitted++;
    this.reserved = addCost(this.reserved, cost);
    return true;
  }

  /** The unit admitted with `cost` is done; what it really spent is in the usage counters. */
  settle(cost: Cost): void {
    this.reserved = addCost(this.reserved, {
      canvasRequests: -cost.canvasRequests,
      d1Statements: -cost.d1Statements,
      subrequests: -cost.subrequests,
      seconds: -cost.seconds,
    });
  }

  /** Runs `work` if admitted; returns false (without running it) when the budget says stop. */
  async run(cost: Cost, work: () => Promise<void>): Promise<boolean> {
    if (!this.admit(cost)) return false;
    try {
      await work();
    } finally {
      this.settle(cost);
    }
    return true;
  }

  get exhausted(): boolean {
    return this.stoppedBy !== null;
  }
}

/** A budget that never stops anything (tests of pure pipeline pieces, benchmarks of one whole run). */
export function unlimitedBudget(): DeliveryBudget {
  const zero: Usage = { canvasRequests: 0, d1Statements: 0, subrequests: 0 };
  return new DeliveryBudget(
    {
      wallMs: Number.POSITIVE_INFINITY,
      canvasRequests: Number.POSITIVE_INFINITY,
      d1Statements: Number.POSITIVE_INFINITY,
      subrequests: Number.POSITIVE_INFINITY,
    },
    () => zero,
    Date.now,
  );
}
