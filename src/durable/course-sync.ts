/**
 * CourseSync: one Durable Object per course (named by its Canvas id). It is the single place that coordinates a
 * course: the sync lease (one course never syncs twice at once; a lease held by a consumer that died expires), the
 * live progress of the running job, and the course's circuit breaker, whose half-open step is an alarm. Its state
 * is small and lives in the object's SQLite-backed storage.
 */
import { DurableObject } from "cloudflare:workers";
import {
  breakerAllows,
  initialBreakerState,
  nextBreakerState,
  type BreakerConfig,
  type BreakerState,
} from "../resilience/breaker";

export interface Lease {
  jobId: string;
  expiresAt: number;
}

export interface Progress {
  jobId: string;
  done: number;
  total: number;
  collection: string | null;
  updatedAt: number;
}

export type LeaseResult = { ok: true } | { ok: false; heldBy: string; retryInMs: number };

export interface CourseSyncStatus {
  lease: Lease | null;
  progress: Progress | null;
  breaker: BreakerState;
}

export const BREAKER_CONFIG: BreakerConfig = { failureThreshold: 5, openMs: 300_000 };

export class CourseSync extends DurableObject<Env> {
  /** Takes the course's sync lease for `jobId`, or says who holds it. Re-entrant for the same job (redelivery). */
  async acquireLease(jobId: string, ttlMs: number): Promise<LeaseResult> {
    const now = Date.now();
    const lease = await this.ctx.storage.get<Lease>("lease");
    if (lease && lease.jobId !== jobId && lease.expiresAt > now) {
      return { ok: false, heldBy: lease.jobId, retryInMs: lease.expiresAt - now };
    }
    await this.ctx.storage.put("lease", { jobId, expiresAt: now + ttlMs } satisfies Lease);
    return { ok: true };
  }

  async renewLease(jobId: string, ttlMs: number): Promise<boolean> {
    const lease = await this.ctx.storage.get<Lease>("lease");
    if (!lease || lease.jobId !== jobId) return false;
    await this.ctx.storage.put("lease", { jobId, expiresAt: Date.now() + ttlMs } satisfies Lease);
    return true;
  }

  async releaseLease(jobId: string): Promise<void> {
    const lease = await this.ctx.storage.get<Lease>("lease");
    if (lease?.jobId === jobId) await this.ctx.storage.delete("lease");
    const progress = await this.ctx.storage.get<Progress>("progress");
    if (progress?.jobId === jobId) await this.ctx.storage.delete("progress");
  }

  async reportProgress(progress: Progress): Promise<void> {
    await this.ctx.storage.put("progress", progress);
  }

  /** Whether a sync may start now (closed, or half-open and this is the trial). */
  async breakerPermits(): Promise<{ allowed: boolean; state: BreakerState }> {
    const state = await this.breaker();
    const now = Date.now();
    const allowed = breakerAllows(state, now);
    if (allowed && state.status === "half_open") {
      const next = nextBreakerState(state, { type: "trial_started" }, now, BREAKER_CONFIG);
      await this.saveBreaker(next.state, next.alarmAt);
    }
    return { allowed, state };
  }

  /** Records a sync outcome; five consecutive failures open the breaker for 300 s. */
  async recordOutcome(outcome: "success" | "failure"): Promise<BreakerState> {
    const now = Date.now();
    const next = nextBreakerState(await this.breaker(), { type: outcome }, now, BREAKER_CONFIG);
    await this.saveBreaker(next.state, next.alarmAt);
    return next.state;
  }

  async status(): Promise<CourseSyncStatus> {
    const [lease, progress, breaker] = await Promise.all([
      this.ctx.storage.get<Lease>("lease"),
      this.ctx.storage.get<Progress>("progress"),
      this.breaker(),
    ]);
    const live = lease && lease.expiresAt > Date.now() ? lease : null;
    return { lease: live, progress: live ? (progress ?? null) : null, breaker };
  }

  /** The half-open step: after the cool-down one trial sync may run. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const next = nextBreakerState(await this.breaker(), { type: "cooldown_elapsed" }, now, BREAKER_CONFIG);
    await this.saveBreaker(next.state, next.alarmAt);
  }

  private async breaker(): Promise<BreakerState> {
    return (await this.ctx.storage.get<BreakerState>("breaker")) ?? initialBreakerState();
  }

  private async saveBreaker(state: BreakerState, alarmAt: number | null): Promise<void> {
    await this.ctx.storage.put("breaker", state);
    if (alarmAt !== null) await this.ctx.storage.setAlarm(alarmAt);
    // Mirror the open-until time into D1 so the cron fan-out skips open breakers with one indexed query.
    const courseId = Number(this.ctx.id.name);
    if (Number.isInteger(courseId)) {
      await this.env.DB.prepare("UPDATE courses SET breaker_open_until = ?1 WHERE canvas_course_id = ?2")
        .bind(state.status === "open" ? state.openUntil : null, courseId)
        .run();
    }
  }
}
