/**
 * CourseSync: one Durable Object per course (named by its Canvas id). It is the single place that coordinates a
 * course: the sync lease (one course never syncs twice at once; a lease held by a consumer that died expires), the
 * live progress of the running job, how the earlier deliveries of each job ended (Queues does not say), and the
 * course's circuit breaker, whose half-open step is an alarm. It also remembers that the course was removed
 * (DELETE /api/courses/:id), so a job still running for it stops at its next progress report instead of carrying
 * on for a course nobody wants. Its state is small and lives in the object's SQLite-backed storage.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import type { BreakerConfig, BreakerState } from "../resilience/breaker";
import { openDatabase } from "../storage/d1/client";
import { setBreakerOpenUntil } from "../storage/d1/course-state";
import { StoredBreaker, type BreakerPermit } from "./stored-breaker";

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

/**
 * How the earlier deliveries of one job ended, by the categories the queue settlement cares about. Queues only says
 * how many deliveries there were (`message.attempts`); a delivery that crashed never records anything, so
 * `attempts - 1 - settled` of them died without a word.
 */
export interface DeliveryHistory {
  settled: number;
  rateLimited: number;
  timeouts: number;
  unknown: number;
}

const DeliveryHistorySchema = z.object({
  settled: z.number().int().nonnegative(),
  rateLimited: z.number().int().nonnegative(),
  timeouts: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
});
const DeliveriesSchema = z.record(z.string(), DeliveryHistorySchema);

/** Jobs whose history is kept; a job that vanished without finishing (cron released it as stuck) ages out. */
const MAX_TRACKED_JOBS = 20;

/** Set when the course is removed; cleared when it is registered again. */
export interface Removal {
  at: number;
  /** the removal also deleted the course's mirrored content */
  purge: boolean;
}

const RemovalSchema = z.object({ at: z.number(), purge: z.boolean() });

/** Thrown by reportProgress once the course is removed: the running job ends there. */
export const COURSE_REMOVED_MESSAGE = "the course was removed while this sync ran";

export const BREAKER_CONFIG: BreakerConfig = { failureThreshold: 5, openMs: 300_000 };

export class CourseSync extends DurableObject<Env> {
  private readonly breaker = new StoredBreaker(this.ctx.storage, "breaker", BREAKER_CONFIG);

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

  /** Records a running job's progress; refuses (throws) once the course is removed, which ends that job. */
  async reportProgress(progress: Progress): Promise<void> {
    if (await this.removal()) throw new Error(COURSE_REMOVED_MESSAGE);
    await this.ctx.storage.put("progress", progress);
  }

  /** Marks the course removed: its running job stops at the next progress report; breaker and history reset. */
  async markRemoved(removal: Removal): Promise<void> {
    await this.ctx.storage.put("removal", removal);
    await this.ctx.storage.delete(["progress", "deliveries", "breaker"]);
    await this.ctx.storage.deleteAlarm();
  }

  /** Forgets an earlier removal (the course is registered again). */
  async clearRemoved(): Promise<void> {
    await this.ctx.storage.delete("removal");
  }

  /** The removal in force, or null while the course is registered. */
  async removal(): Promise<Removal | null> {
    const parsed = RemovalSchema.safeParse(await this.ctx.storage.get("removal"));
    return parsed.success ? parsed.data : null;
  }

  /** Whether a sync may start now (closed, or half-open and this is the trial), without taking the trial. */
  async breakerPeek(): Promise<BreakerPermit> {
    return this.breaker.peek(Date.now());
  }

  /** Whether a sync may start now; a half-open breaker lets exactly one trial through. */
  async breakerPermits(): Promise<BreakerPermit> {
    const permit = await this.breaker.permit(Date.now());
    if (permit.allowed && permit.state.status !== "closed")
      await this.mirrorBreaker(await this.breaker.state());
    return permit;
  }

  /** Records a sync outcome; five consecutive failures open the breaker for 300 s. */
  async recordOutcome(outcome: "success" | "failure"): Promise<BreakerState> {
    const { after } = await this.breaker.apply({ type: outcome }, Date.now());
    await this.mirrorBreaker(after);
    return after;
  }

  async status(): Promise<CourseSyncStatus> {
    const [lease, progress, breaker] = await Promise.all([
      this.ctx.storage.get<Lease>("lease"),
      this.ctx.storage.get<Progress>("progress"),
      this.breaker.state(),
    ]);
    const live = lease && lease.expiresAt > Date.now() ? lease : null;
    return { lease: live, progress: live ? (progress ?? null) : null, breaker };
  }

  /** Counts how a delivery of `jobId` ended, and returns the job's history including it. */
  async recordDelivery(jobId: string, category: string): Promise<DeliveryHistory> {
    const all = await this.deliveries();
    const before = all[jobId] ?? { settled: 0, rateLimited: 0, timeouts: 0, unknown: 0 };
    const after: DeliveryHistory = {
      settled: before.settled + 1,
      rateLimited: before.rateLimited + (category === "rate_limited" ? 1 : 0),
      timeouts: before.timeouts + (category === "timeout" ? 1 : 0),
      unknown: before.unknown + (category === "unknown" ? 1 : 0),
    };
    delete all[jobId];
    const kept = Object.entries(all).slice(-(MAX_TRACKED_JOBS - 1));
    await this.ctx.storage.put("deliveries", Object.fromEntries([...kept, [jobId, after]]));
    return after;
  }

  async deliveryHistory(jobId: string): Promise<DeliveryHistory> {
    return (await this.deliveries())[jobId] ?? { settled: 0, rateLimited: 0, timeouts: 0, unknown: 0 };
  }

  /** Drops a finished job's history. */
  async forgetJob(jobId: string): Promise<void> {
    const all = await this.deliveries();
    if (!(jobId in all)) return;
    delete all[jobId];
    await this.ctx.storage.put("deliveries", all);
  }

  /** The half-open step: after the cool-down one trial sync may run. */
  override async alarm(): Promise<void> {
    const { after } = await this.breaker.apply({ type: "cooldown_elapsed" }, Date.now());
    await this.mirrorBreaker(after);
  }

  private async deliveries(): Promise<Record<string, DeliveryHistory>> {
    const parsed = DeliveriesSchema.safeParse(await this.ctx.storage.get("deliveries"));
    return parsed.success ? parsed.data : {};
  }

  /** Mirrors the open-until time into D1 so the cron fan-out skips open breakers with one indexed query. */
  private async mirrorBreaker(state: BreakerState): Promise<void> {
    const courseId = Number(this.ctx.id.name);
    if (!Number.isInteger(courseId)) return;
    await setBreakerOpenUntil(
      openDatabase(this.env.DB),
      courseId,
      state.status === "open" ? state.openUntil : null,
    );
  }
}
