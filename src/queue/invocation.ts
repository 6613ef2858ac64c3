/**
 * What every message of one queue invocation shares: the metered bindings and fetch, the configuration and the
 * token's fingerprint (both computed once at the entry, src/index.ts), the one D1 handle over the metered binding,
 * and the runtime injected by tests and benchmarks.
 */
import type { InvocationSetup } from "../deps";
import type { Config } from "../env";
import { openDatabase, type Database } from "../storage/d1/client";
import { InvocationMeter, PRODUCTION_LIMITS } from "./invocation-meter";
import type { SyncRuntime } from "./sync-runtime";

export interface Invocation {
  /** the bindings, metered: D1 statements and subrequests count against the delivery's budget */
  env: Env;
  config: Config;
  /** the drizzle client over the metered D1 binding */
  db: Database;
  meter: InvocationMeter;
  fingerprint: string;
  runtime: SyncRuntime;
}

export function openInvocation(env: Env, setup: InvocationSetup, runtime: SyncRuntime): Invocation {
  const { config } = setup;
  const meter = new InvocationMeter(
    new URL(config.CANVAS_BASE_URL).origin,
    config.EMULATE_PLATFORM_LIMITS ? PRODUCTION_LIMITS : null,
  );
  const metered = meter.env(env);
  return {
    env: metered,
    config,
    db: openDatabase(metered.DB),
    meter,
    fingerprint: setup.fingerprint,
    runtime,
  };
}
