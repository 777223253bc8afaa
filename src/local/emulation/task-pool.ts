/**
 * Runs at most `limit` tasks at once, like a Lambda function's reserved concurrency. `submit` resolves once the task
 * has a slot, so a producer that awaits it is held back instead of queueing unbounded work (flat memory).
 */
export class TaskPool {
  private running = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private failure: unknown;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive whole number (got ${limit})`);
  }

  /** Rejects once a task has let an error escape, so producers stop at the first defect instead of piling on work. */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running >= this.limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.failure !== undefined) throw this.failure;
    this.running++;
    void task()
      .catch((error: unknown) => {
        // Tasks report their own failures; anything escaping is a defect and surfaces from idle().
        this.failure ??= error;
      })
      .finally(() => {
        this.running--;
        this.slotWaiters.shift()?.();
        if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  /** Resolves when no task is running, whatever happened to them (before a store they use is closed). */
  async quiesce(): Promise<void> {
    while (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when no task is running; rethrows the first error a task let escape. */
  async idle(): Promise<void> {
    while (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }
}
