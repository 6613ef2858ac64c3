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
  latencyMs: number;
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
 * segments at parallel / mean round trip requests per second, except that Canvas admits a request only while the
 * bucket stays below hwm, so all courses together can have at most ceil((hwm - level) / up-front) - 1 in flight,
 * shared in proportion to what each course would run. The bucket fills with the segments' mean costs and leaks
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
    const demand = active.reduce((sum, course) => sum + (course.todo[course.index]?.parallel ?? 0), 0);
    // Canvas adds a request's up-front charge and then refuses it if the bucket is at hwm: with the bucket at
    // `level`, k requests fit while level + k x upFront < hwm.
    const allowed = Math.max(0, Math.ceil((bucket.hwm - level) / bucket.upFront) - 1);
    const share = demand <= allowed ? 1 : allowed / demand;
    let cost = 0;
    for (const course of active) {
      const segment = course.todo[course.index];
      if (!segment) continue;
      const meanLatencyS = segment.latencyMs / segment.requests / 1000;
      const done = Math.min(course.left, ((segment.parallel * share) / meanLatencyS) * dtS);
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
