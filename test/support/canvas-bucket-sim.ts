/**
 * A deterministic discrete-event simulation of sync workers sharing one Canvas token, used to prove the rate budget.
 * Canvas's side follows app/middleware/request_throttle.rb: on arrival the bucket leaks, the up-front cost is added
 * (capped at `maximum`) and the request is refused if the bucket is then at hwm or more; on completion the bucket
 * leaks again and the up-front cost is swapped for the real cost; responses carry X-Request-Cost (not when
 * throttled) and X-Rate-Limit-Remaining = hwm - bucket. The client side is either the rate budget (reserve before
 * sending, complete on response) or a naive client that just sends, the control that shows the model can throttle.
 */
import { seededRandom, type Random } from "../../src/resilience/backoff";
import { complete, createRateBudget, reserve, type RateBudgetState } from "../../src/resilience/rate-budget";

export interface SimConfig {
  mode: "budget" | "naive";
  courses: number;
  requestsPerCourse: number;
  concurrencyPerCourse: number;
  /** real cost of a normal request, uniform in [min, max] */
  costMin: number;
  costMax: number;
  /** share of requests that are expensive, and their cost range */
  heavyShare: number;
  heavyCostMin: number;
  heavyCostMax: number;
  /** Canvas processing time, uniform in [min, max] */
  processingMinMs: number;
  processingMaxMs: number;
  /** one-way network latency */
  networkMs: number;
  seed: number;
  hwm: number;
  outflow: number;
  upFront: number;
  maximum: number;
}

export const DEFAULT_SIM: SimConfig = {
  mode: "budget",
  courses: 1,
  requestsPerCourse: 10_000,
  concurrencyPerCourse: 3,
  costMin: 1,
  costMax: 2,
  heavyShare: 0,
  heavyCostMin: 0,
  heavyCostMax: 0,
  processingMinMs: 100,
  processingMaxMs: 500,
  networkMs: 20,
  seed: 42,
  hwm: 600,
  outflow: 10,
  upFront: 50,
  maximum: 800,
};

export interface SimResult {
  completed: number;
  throttled: number;
  makespanMs: number;
  /** completed requests per second over the whole run (includes the initial burst into an empty bucket) */
  achievedRps: number;
  /** completed requests per second over the second half of the run: the steady state */
  steadyRps: number;
  /** min(outflow / mean cost, total concurrency / mean latency) */
  sustainableRps: number;
  meanCost: number;
  minRemaining: number;
  maxCanvasInFlight: number;
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

/** A binary min-heap on (at, seq): ties run in scheduling order, which keeps the run deterministic. */
class EventQueue {
  private readonly heap: Event[] = [];
  private seq = 0;

  push(at: number, run: () => void): void {
    this.heap.push({ at, seq: this.seq++, run });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): Event | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined || this.heap.length === 0) return top;
    this.heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return top;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (x === undefined || y === undefined) return false;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a];
    const y = this.heap[b];
    if (x === undefined || y === undefined) return;
    this.heap[a] = y;
    this.heap[b] = x;
  }
}

/** Canvas's bucket for the token. */
class CanvasBucket {
  count = 0;
  touched = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly config: SimConfig) {}

  private increment(amount: number, now: number): void {
    const leaked = Math.max(0, this.count - (this.config.outflow * (now - this.touched)) / 1000);
    this.count = Math.min(this.config.maximum, Math.max(0, leaked + amount));
    this.touched = now;
  }

  /** Returns whether the request is admitted. */
  arrive(now: number): boolean {
    this.increment(this.config.upFront, now);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return this.count < this.config.hwm;
  }

  finish(cost: number, now: number): number {
    this.increment(cost - this.config.upFront, now);
    this.inFlight--;
    return this.config.hwm - this.count;
  }
}

export function simulate(overrides: Partial<SimConfig> = {}): SimResult {
  const config: SimConfig = { ...DEFAULT_SIM, ...overrides };
  const random: Random = seededRandom(config.seed);
  const uniform = (min: number, max: number): number => min + (max - min) * random();
  const queue = new EventQueue();
  const canvas = new CanvasBucket(config);
  let budget: RateBudgetState = createRateBudget(0, {
    hwm: config.hwm,
    outflow: config.outflow,
    upFront: config.upFront,
  });

  const remainingWork = Array.from({ length: config.courses }, () => config.requestsPerCourse);
  const completions: number[] = [];
  let throttled = 0;
  let costSum = 0;
  let minRemaining = config.hwm;

  const sendFrom = (course: number, at: number, leaseId: number | null): void => {
    queue.push(at + config.networkMs, () => {
      const arrival = at + config.networkMs;
      const admitted = canvas.arrive(arrival);
      const heavy = random() < config.heavyShare;
      const cost = heavy
        ? uniform(config.heavyCostMin, config.heavyCostMax)
        : uniform(config.costMin, config.costMax);
      const processing = admitted ? uniform(config.processingMinMs, config.processingMaxMs) : 5;
      const realCost = admitted ? cost : 0.01;
      const done = arrival + processing;
      queue.push(done, () => {
        const remaining = canvas.finish(realCost, done);
        minRemaining = Math.min(minRemaining, remaining);
        const back = done + config.networkMs;
        queue.push(back, () => {
          if (config.mode === "budget") {
            const observation = admitted
              ? { cost: realCost, remaining, throttled: false }
              : { cost: null, remaining: 0, throttled: true };
            budget = complete(budget, observation, back, leaseId ?? undefined);
          }
          if (admitted) {
            costSum += realCost;
            completions.push(back);
            next(course, back);
          } else {
            throttled++;
            remainingWork[course] = (remainingWork[course] ?? 0) + 1;
            // The throttled request goes back on the list after a pause, as a real client would.
            queue.push(back + 1_000, () => next(course, back + 1_000));
          }
        });
      });
    });
  };

  const next = (course: number, now: number): void => {
    if ((remainingWork[course] ?? 0) <= 0) return;
    remainingWork[course] = (remainingWork[course] ?? 0) - 1;
    acquire(course, now);
  };

  const acquire = (course: number, now: number): void => {
    if (config.mode === "naive") {
      sendFrom(course, now, null);
      return;
    }
    const result = reserve(budget, now);
    budget = result.state;
    if (result.kind === "granted") {
      sendFrom(course, now, result.leaseId);
    } else {
      queue.push(now + result.waitMs, () => acquire(course, now + result.waitMs));
    }
  };

  for (let course = 0; course < config.courses; course++) {
    for (let worker = 0; worker < config.concurrencyPerCourse; worker++) {
      // Stagger the start a little so workers do not move in lockstep.
      const start = Math.floor(random() * 50);
      queue.push(start, () => next(course, start));
    }
  }
  for (let event = queue.pop(); event; event = queue.pop()) event.run();

  const makespanMs = completions.reduce((max, t) => Math.max(max, t), 0);
  const half = makespanMs / 2;
  const steadyCount = completions.filter((t) => t >= half).length;
  const meanCost = completions.length > 0 ? costSum / completions.length : 0;
  const meanLatencySeconds =
    ((config.processingMinMs + config.processingMaxMs) / 2 + 2 * config.networkMs) / 1000;
  const concurrency = config.courses * config.concurrencyPerCourse;
  return {
    completed: completions.length,
    throttled,
    makespanMs,
    achievedRps: completions.length / (makespanMs / 1000),
    steadyRps: steadyCount / (half / 1000),
    sustainableRps: Math.min(config.outflow / meanCost, concurrency / meanLatencySeconds),
    meanCost,
    minRemaining,
    maxCanvasInFlight: canvas.maxInFlight,
  };
}
