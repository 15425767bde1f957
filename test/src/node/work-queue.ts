/**
 * A controller's work queue: keys are reconciled one at a time, in the order they were
 * added, and a key added again while queued is reconciled once. Reconciling reads the
 * current state, so a burst of events costs one pass.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private running = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly reconcile: (key: string) => Promise<void>,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.stopped) {
      const [key] = this.pending;
      this.pending.delete(key);
      try {
        await this.reconcile(key);
      } catch (error) {
        this.onError(key, error);
      }
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}
