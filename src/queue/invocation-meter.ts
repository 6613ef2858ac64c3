/**
 * Counts what one invocation spends against Cloudflare's per-invocation limits, which local workerd does not
 * enforce: subrequests (every fetch, and every call to D1, R2, a Durable Object or a queue), D1 queries (each
 * statement of a batch counts: whether D1 counts a batch as one is not documented, so the safe reading is taken)
 * and Canvas requests among the fetches. The consumer wraps its bindings and its fetch once per invocation, so
 * nothing it does is uncounted.
 *
 * With `enforce` (EMULATE_PLATFORM_LIMITS, set by the tests and local development) the meter also fails calls past
 * the production limits the way the platform does, so a delivery that would die in production dies locally too.
 *
 * The D1 binding is wrapped by src/storage/d1/metered-d1.ts (the only code that may name it); everything above gets
 * the drizzle `Database` opened over the metered binding (src/queue/invocation.ts).
 */
import { meterD1 } from "../storage/d1/metered-d1";
import type { Usage } from "../sync/delivery-budget";

export interface PlatformLimits {
  subrequests: number;
  d1Queries: number;
}

/** Workers Paid: 10,000 subrequests by default (wrangler.toml sets `limits.subrequests`), 1,000 D1 queries. */
export const PRODUCTION_LIMITS: PlatformLimits = { subrequests: 10_000, d1Queries: 1_000 };

type Callable = (...args: unknown[]) => unknown;

function isCallable(value: unknown): value is Callable {
  return typeof value === "function";
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

export class InvocationMeter {
  readonly usage: Usage = { canvasRequests: 0, d1Statements: 0, subrequests: 0 };

  constructor(
    private readonly canvasOrigin: string,
    private readonly enforce: PlatformLimits | null,
  ) {}

  /** The current totals (a copy). */
  read = (): Usage => ({ ...this.usage });

  private spend(subrequests: number, d1Statements: number): void {
    this.usage.subrequests += subrequests;
    this.usage.d1Statements += d1Statements;
    if (this.enforce === null) return;
    // The platform's own words, so the classifier treats an emulated overrun exactly like a real one.
    if (this.usage.subrequests > this.enforce.subrequests) throw new Error("Too many subrequests.");
    if (this.usage.d1Statements > this.enforce.d1Queries)
      throw new Error("D1_ERROR: Too many API requests by single worker invocation.");
  }

  fetch(inner: typeof fetch): typeof fetch {
    return (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      this.spend(1, 0);
      if (new URL(url).origin === this.canvasOrigin) this.usage.canvasRequests++;
      return inner(input, init);
    };
  }

  /** The Env with every binding a sync delivery uses behind the meter. */
  env(base: Env): Env {
    return {
      ...base,
      DB: meterD1(base.DB, (subrequests, statements) => this.spend(subrequests, statements)),
      BLOBS: this.asyncObject(base.BLOBS),
      COURSE_SYNC: this.namespace(base.COURSE_SYNC),
      CANVAS_GATE: this.namespace(base.CANVAS_GATE),
      SYNC_QUEUE: this.asyncObject(base.SYNC_QUEUE),
      SYNC_DLQ: this.asyncObject(base.SYNC_DLQ),
      EXTRACT_QUEUE: this.asyncObject(base.EXTRACT_QUEUE),
    };
  }

  private namespace<T extends Rpc.DurableObjectBranded | undefined>(
    ns: DurableObjectNamespace<T>,
  ): DurableObjectNamespace<T> {
    return new Proxy(ns, {
      get: (target, prop) => {
        if (prop === "getByName") return (name: string) => this.stub(target.getByName(name));
        if (prop === "get") return (id: DurableObjectId) => this.stub(target.get(id));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /** A stub answers any property name with an RPC method, so every property is counted as one call. */
  private stub<T extends object>(stub: T): T {
    return new Proxy(stub, {
      get: (target, prop) => {
        if (typeof prop === "symbol") return Reflect.get(target, prop, target);
        return (...args: unknown[]) => {
          this.spend(1, 0);
          const method: unknown = Reflect.get(target, prop, target);
          if (typeof method !== "function") throw new TypeError(`${prop} is not an RPC method`);
          // Reflect.apply, not method.apply: on an RPC stub "apply" would be a remote method too.
          return Reflect.apply(method, target, args);
        };
      },
    });
  }

  /**
   * R2 buckets and queues: every method is a call to the service. A multipart upload's own calls (uploadPart,
   * complete, abort) are calls too, so the upload object is wrapped the same way.
   */
  private asyncObject<T extends object>(object: T): T {
    return new Proxy(object, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (!isCallable(value)) return value;
        if (prop === "createMultipartUpload") {
          return async (...args: unknown[]) => {
            this.spend(1, 0);
            const upload: unknown = await Reflect.apply(value, target, args);
            return isObject(upload) ? this.asyncObject(upload) : upload;
          };
        }
        if (prop === "resumeMultipartUpload") {
          return (...args: unknown[]) => {
            const upload: unknown = Reflect.apply(value, target, args);
            return isObject(upload) ? this.asyncObject(upload) : upload;
          };
        }
        return (...args: unknown[]) => {
          this.spend(1, 0);
          return Reflect.apply(value, target, args);
        };
      },
    });
  }
}
