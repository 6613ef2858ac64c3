/**
 * A virtual clock for discrete-event runs of real async code. Time moves only when every thread the clock knows is
 * asleep on it: then it jumps to the earliest wake-up. Threads are the top-level run and the workers started with
 * `parallel`; a parent waiting for its workers does not count. Work that is not a clock sleep (a simulator answering,
 * a body being read) keeps its thread awake, so time never passes under it. Used with the simulator's injectable
 * `now`, a sync paced at 10 units/s for minutes of virtual time runs in seconds.
 */

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock {
  private current: number;
  private readonly timers: Timer[] = [];
  private threads = 0;
  private seq = 0;

  constructor(start: number) {
    this.current = start;
  }

  readonly now = (): number => this.current;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve });
      this.maybeAdvance();
    });

  /** Runs `main` as the first thread; resolves with its result. */
  async run<T>(main: () => Promise<T>): Promise<T> {
    return this.thread(main);
  }

  /** Runs `count` workers as threads of their own; the caller stops counting until all of them are done. */
  async parallel(count: number, worker: (index: number) => Promise<void>): Promise<void> {
    if (count <= 0) return;
    let running = count;
    this.threads--;
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, index) =>
        this.thread(async () => {
          try {
            await worker(index);
          } finally {
            // The caller counts again before the last worker stops counting: time must not jump in between.
            if (--running === 0) this.threads++;
          }
        }),
      ),
    );
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  }

  private async thread<T>(body: () => Promise<T>): Promise<T> {
    this.threads++;
    try {
      return await body();
    } finally {
      this.threads--;
      this.maybeAdvance();
    }
  }

  /** When every thread sleeps, wake the earliest sleepers (all with the same wake-up time). */
  private maybeAdvance(): void {
    if (this.timers.length === 0 || this.timers.length < this.threads) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const first = this.timers[0];
    if (!first) return;
    this.current = Math.max(this.current, first.at);
    while (this.timers[0] && this.timers[0].at <= this.current) this.timers.shift()?.resolve();
  }
}
