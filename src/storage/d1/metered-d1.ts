/**
 * The D1 binding behind a meter: every statement sent (first/run/all/raw, each statement of a batch, an exec) is
 * reported to `spend` as one subrequest per call and one D1 query per statement, before it is sent, so a caller can
 * fail it past Cloudflare's per-invocation limits (src/queue/invocation-meter.ts). Issues no query of its own.
 */

/** Reports what is about to be sent: subrequests (calls to D1) and D1 statements; may throw to refuse it. */
export type SpendD1 = (subrequests: number, statements: number) => void;

export function meterD1(db: D1Database, spend: SpendD1): D1Database {
  // batch() must receive the binding's own statements, not our proxies: remember each proxy's original.
  const originals = new WeakMap<object, D1PreparedStatement>();
  const statement = (inner: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(inner, {
      get: (target, prop) => {
        if (prop === "bind") return (...values: unknown[]) => statement(target.bind(...values));
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        // first/run/all/raw send the statement; anything else is local.
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return (...args: unknown[]) => {
            spend(1, 1);
            return Reflect.apply(value, target, args);
          };
        }
        return value.bind(target);
      },
    });
    originals.set(proxy, inner);
    return proxy;
  };
  return new Proxy(db, {
    get: (target, prop) => {
      if (prop === "prepare") return (sql: string) => statement(target.prepare(sql));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          spend(1, statements.length);
          return target.batch(statements.map((each) => originals.get(each) ?? each));
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          spend(1, 1);
          return target.exec(sql);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
