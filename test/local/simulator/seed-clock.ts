/**
 * Seeding helpers: a clock that starts some days before the simulator's "now" and steps forward as content is
 * created (so seeded objects have distinct, realistic, deterministic timestamps in the past), and a context
 * that uses it with live events muted (seeded content predates every subscriber).
 */
import * as content from "./mutations-content";
import { DAY_MS } from "./time";
import type { SimContext } from "./context";

export interface SeedClock {
  t: number;
  /** Advances the seeding clock by `minutes`. */
  tick(minutes: number): void;
}

export function seedingContext(ctx: SimContext, daysAgo: number): { context: SimContext; clock: SeedClock } {
  const end = ctx.now();
  const clock: SeedClock = {
    t: end - daysAgo * DAY_MS,
    tick(minutes) {
      // Never run past the real "now": seeded content must predate anything a test creates.
      this.t = Math.min(end - 60_000, this.t + minutes * 60_000);
    },
  };
  return { context: { ...ctx, now: () => clock.t }, clock };
}

export function createAnnouncement(
  ctx: SimContext,
  clock: SeedClock,
  courseId: number,
  title: string,
  message: string,
): number {
  clock.tick(180);
  return content.createTopic(ctx, courseId, { title, message, is_announcement: true }).id;
}
