/**
 * Request accounting per endpoint pattern ("GET /api/v1/courses/:id/pages"): requests, statuses, JSON bytes
 * served, file bytes actually streamed (counted as the body is read) and throttled answers. Benchmarks and
 * tests use it to prove that a sync made only the calls it needed.
 */

export interface EndpointCounters {
  requests: number;
  bytes: number;
  fileBytes: number;
  throttled: number;
  statuses: Record<string, number>;
}

export interface CounterSnapshot {
  total: EndpointCounters;
  byEndpoint: Record<string, EndpointCounters>;
}

function empty(): EndpointCounters {
  return { requests: 0, bytes: 0, fileBytes: 0, throttled: 0, statuses: {} };
}

/** Canvas-side load: the units charged to throttle buckets, and API requests being served at once. */
export interface LoadSnapshot {
  /** sum of the real costs settled in the buckets (what X-Request-Cost reports, whether sent or not) */
  cost: number;
  inFlight: number;
  maxInFlight: number;
}

export class Counters {
  private total = empty();
  private byEndpoint = new Map<string, EndpointCounters>();
  private load: LoadSnapshot = { cost: 0, inFlight: 0, maxInFlight: 0 };

  /** An API request was admitted and is being served. */
  started(): void {
    this.load.inFlight++;
    this.load.maxInFlight = Math.max(this.load.maxInFlight, this.load.inFlight);
  }

  /** An API request finished, costing `cost` units. */
  finished(cost: number): void {
    this.load.inFlight = Math.max(0, this.load.inFlight - 1);
    this.load.cost += cost;
  }

  loadSnapshot(): LoadSnapshot {
    return { ...this.load };
  }

  private entry(endpoint: string): EndpointCounters {
    let entry = this.byEndpoint.get(endpoint);
    if (entry === undefined) {
      entry = empty();
      this.byEndpoint.set(endpoint, entry);
    }
    return entry;
  }

  request(endpoint: string, status: number, throttled: boolean): void {
    for (const c of [this.total, this.entry(endpoint)]) {
      c.requests++;
      c.statuses[String(status)] = (c.statuses[String(status)] ?? 0) + 1;
      if (throttled) c.throttled++;
    }
  }

  bytes(endpoint: string, n: number): void {
    this.total.bytes += n;
    this.entry(endpoint).bytes += n;
  }

  fileBytes(endpoint: string, n: number): void {
    this.total.fileBytes += n;
    this.entry(endpoint).fileBytes += n;
  }

  snapshot(): CounterSnapshot {
    const byEndpoint: Record<string, EndpointCounters> = {};
    for (const [key, value] of [...this.byEndpoint.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      byEndpoint[key] = { ...value, statuses: { ...value.statuses } };
    }
    return { total: { ...this.total, statuses: { ...this.total.statuses } }, byEndpoint };
  }

  reset(): void {
    this.total = empty();
    this.byEndpoint = new Map();
    this.load = { cost: 0, inFlight: this.load.inFlight, maxInFlight: this.load.inFlight };
  }
}
