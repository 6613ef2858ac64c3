/**
 * The ideal a rate-budget benchmark run is measured against (pure): a perfectly informed fluid client that is never
 * throttled, under Canvas's admission rule (a request is refused when the bucket, including 50 units for every
 * request in flight and its own, is at hwm). Used by test/local/bench/rate-budget-benchmark.ts.
 */

/** What one stretch of a course's requests cost: requests, units and round-trip time, at one parallelism. */
export interface Segment {
  parallel: number;
  requests: number;
  cost: number;
  /** the Canvas requests' round trips (during which each holds its up-front charge) */
  latencyMs: number;
  /**
   * what else holds a connection after a request, outside Canvas's bucket: a file download's hop to the storage
   * host (default 0)
   */
  holdMs?: number;
}

export interface BucketShape {
  hwm: number;
  outflow: number;
  upFront: number;
  /** the bucket's level when the client starts (default 0, a drained bucket) */
  startLevel?: number;
}

/**
 * The fluid ideal: a perfectly informed client, stepped in 5 ms of virtual time. Each course works through its
 * segments at parallel / mean (round trip + hold) requests per second, except that Canvas admits a request only
 * while the bucket stays below hwm, so all courses together can have at most ceil((hwm - level) / up-front) - 1
 * requests at Canvas, shared in proportion to what each course would have there. The bucket fills with the segments' mean costs and leaks
 * at the outflow. No client that is never throttled can finish sooner.
 */
export function idealMakespanMs(courses: readonly (readonly Segment[])[], bucket: BucketShape): number {
  const dtS = 0.005;
  const work = courses.map((segments) => {
    const todo = segments.filter((segment) => segment.requests > 0);
    return { todo, index: 0, left: todo[0]?.requests ?? 0 };
  });
  let level = bucket.startLevel ?? 0;
  let seconds = 0;
  for (;;) {
    const active = work.filter((course) => course.index < course.todo.length);
    if (active.length === 0) return seconds * 1000;
    // A connection spends a/(a+h) of its time on a Canvas request (round trip a, then h elsewhere): that share of
    // a course's connections holds up-front charges.
    const atCanvas = (segment: Segment): number => {
      const a = segment.latencyMs / segment.requests;
      return (segment.parallel * a) / (a + (segment.holdMs ?? 0) / segment.requests);
    };
    const demand = active.reduce((sum, course) => {
      const segment = course.todo[course.index];
      return sum + (segment ? atCanvas(segment) : 0);
    }, 0);
    // Canvas adds a request's up-front charge and then refuses it if the bucket is at hwm: with the bucket at
    // `level`, k requests fit while level + k x upFront < hwm.
    const allowed = Math.max(0, Math.ceil((bucket.hwm - level) / bucket.upFront) - 1);
    const share = demand <= allowed ? 1 : allowed / demand;
    let cost = 0;
    for (const course of active) {
      const segment = course.todo[course.index];
      if (!segment) continue;
      const meanCycleS = (segment.latencyMs + (segment.holdMs ?? 0)) / segment.requests / 1000;
      const done = Math.min(course.left, ((segment.parallel * share) / meanCycleS) * dtS);
      cost += done * (segment.cost / segment.requests);
      course.left -= done;
      if (course.left <= 1e-9) {
        course.index++;
        course.left = course.todo[course.index]?.requests ?? 0;
      }
    }
    level = Math.max(0, level + cost - bucket.outflow * dtS);
    seconds += dtS;
  }
}
