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

export class Counters {
  private total = empty();
  private byEndpoint = new Map<string, EndpointCounters>();

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
  }
}
