/**
 * A consumer crash, made to order. Every binding the consumer is given (D1, R2, Durable Objects, queues) and its
 * fetch go through the switch; once it is thrown, any call not yet made never happens and any call in flight never
 * returns, exactly as when the isolate dies: writes already sent may land, nothing after them does, no `finally`
 * runs, no lease is released, no message is acknowledged. `trip(after)` throws it automatically at the n-th call.
 * `failAt(n)` instead makes the n-th binding call throw a plain Error, the kind of failure the consumer survives.
 */

type Callable = (...args: unknown[]) => unknown;

export class KillSwitch {
  killed = false;
  calls = 0;
  /** calls to bindings only (D1, R2, Durable Objects, queues) */
  bindingCalls = 0;
  private tripAt = Number.POSITIVE_INFINITY;
  private failAtCall = Number.POSITIVE_INFINITY;
  /** calls that failed with an injected non-Canvas error */
  failures = 0;
  private onKill: () => void = () => undefined;
  /** Resolves when the switch is thrown. */
  readonly dead: Promise<void>;
  private readonly statements = new WeakMap<object, D1PreparedStatement>();

  constructor() {
    this.dead = new Promise((resolve) => {
      this.onKill = resolve;
    });
  }

  /** Kills at the `after`-th call through the switch (the call itself never happens). */
  trip(after: number): void {
    this.tripAt = after;
  }

  /** Makes the `at`-th binding call fail with a plain Error (a storage hiccup): the consumer lives and must cope. */
  failAt(at: number): void {
    this.failAtCall = at;
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    this.onKill();
  }

  /** The gate every call passes: counts it, maybe kills, and freezes it when dead. Errors pass through untouched. */
  private async guard<T>(call: () => T | Promise<T>, binding = true): Promise<T> {
    this.calls++;
    if (binding) this.bindingCalls++;
    if (this.calls >= this.tripAt) this.kill();
    if (this.killed) return never<T>();
    if (binding && this.bindingCalls === this.failAtCall) {
      this.failures++;
      throw new Error("chaos: injected failure");
    }
    let value: T;
    try {
      value = await call();
    } catch (error) {
      if (this.killed) return never<T>();
      throw error;
    }
    return this.killed ? never<T>() : value;
  }

  fetch(inner: typeof fetch): typeof fetch {
    return (input, init) => this.guard(() => inner(input, init), false);
  }

  /** The worker's Env with every binding the consumer uses behind the switch. */
  env(base: Env): Env {
    return {
      ...base,
      DB: this.database(base.DB),
      BLOBS: this.asyncObject(base.BLOBS),
      COURSE_SYNC: this.namespace(base.COURSE_SYNC),
      CANVAS_GATE: this.namespace(base.CANVAS_GATE),
      SYNC_QUEUE: this.asyncObject(base.SYNC_QUEUE),
      SYNC_DLQ: this.asyncObject(base.SYNC_DLQ),
      EXTRACT_QUEUE: this.asyncObject(base.EXTRACT_QUEUE),
    };
  }

  private database(db: D1Database): D1Database {
    return new Proxy(db, {
      get: (target, prop) => {
        if (prop === "prepare") return (sql: string) => this.statement(target.prepare(sql));
        if (prop === "batch") {
          return (statements: D1PreparedStatement[]) =>
            this.guard(() =>
              target.batch(statements.map((statement) => this.statements.get(statement) ?? statement)),
            );
        }
        const value: unknown = Reflect.get(target, prop, target);
        return isCallable(value) ? this.method(target, value) : value;
      },
    });
  }

  private statement(statement: D1PreparedStatement): D1PreparedStatement {
    const proxy = new Proxy(statement, {
      get: (target, prop) => {
        if (prop === "bind") return (...values: unknown[]) => this.statement(target.bind(...values));
        const value: unknown = Reflect.get(target, prop, target);
        return isCallable(value) ? this.method(target, value) : value;
      },
    });
    this.statements.set(proxy, statement);
    return proxy;
  }

  private namespace<T extends Rpc.DurableObjectBranded | undefined>(
    ns: DurableObjectNamespace<T>,
  ): DurableObjectNamespace<T> {
    return new Proxy(ns, {
      get: (target, prop) => {
        if (prop === "getByName") return (name: string) => this.stub(target.getByName(name));
        if (prop === "get") return (id: DurableObjectId) => this.stub(target.get(id));
        const value: unknown = Reflect.get(target, prop, target);
        return isCallable(value) ? value.bind(target) : value;
      },
    });
  }

  /** A stub answers any property name with an RPC method, so every property is wrapped as one. */
  private stub<T extends object>(stub: T): T {
    return new Proxy(stub, {
      get: (target, prop) => {
        if (typeof prop === "symbol") return Reflect.get(target, prop, target);
        return (...args: unknown[]) =>
          this.guard(() => {
            const method: unknown = Reflect.get(target, prop, target);
            if (!isCallable(method)) throw new TypeError(`${prop} is not an RPC method`);
            // Reflect.apply, not method.apply: on an RPC stub "apply" would be a remote method too.
            return Reflect.apply(method, target, args);
          });
      },
    });
  }

  /** R2 buckets and queues: every method is asynchronous. */
  private asyncObject<T extends object>(object: T): T {
    return new Proxy(object, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        return isCallable(value) ? this.method(target, value) : value;
      },
    });
  }

  private method(target: object, fn: Callable): Callable {
    return (...args: unknown[]) => this.guard(() => fn.apply(target, args));
  }
}

function isCallable(value: unknown): value is Callable {
  return typeof value === "function";
}

/** A promise that never settles: what a call into a dead isolate looks like from inside it. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
