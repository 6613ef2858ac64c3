/**
 * Runs `task` over `items` with at most `limit` in flight. After a failure no further item is started; once the
 * tasks in flight have finished, it rejects with the first failure (so nothing runs on behind its caller's back).
 */
export async function runWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (failures.length === 0 && next < items.length) {
      const item = items[next++];
      try {
        if (item !== undefined) await task(item);
      } catch (error) {
        failures.push(error);
      }
    }
  });
  await Promise.all(workers);
  if (failures.length > 0) throw failures[0];
}

/**
 * Steps run one after another behind a pool of workers (which goes on meanwhile); the first failure is kept, later
 * steps are skipped, and the pool learns of it through `throwIfFailed`.
 */
export class GroupChain {
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;
  /** steps added and not yet finished */
  private pending = 0;
  private readonly onFinish: (() => void)[] = [];

  add(step: () => Promise<void>): void {
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure === null) await step();
      } catch (error) {
        this.failure = { error };
      } finally {
        this.pending--;
        for (const wake of this.onFinish.splice(0)) wake();
      }
    });
  }

  /**
   * Resolves once fewer than `limit` steps are waiting or running: the pool's back-pressure, so a fast Canvas cannot
   * pile up built objects in memory faster than they are settled.
   */
  async room(limit: number): Promise<void> {
    while (this.pending >= limit) await new Promise<void>((resolve) => this.onFinish.push(resolve));
  }

  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error;
  }

  /** Waits for every group, ignoring failures (the caller is already failing). */
  async settled(): Promise<void> {
    await this.chain;
  }

  /** Waits for every group and throws the first failure. */
  async done(): Promise<void> {
    await this.chain;
    this.throwIfFailed();
  }
}
