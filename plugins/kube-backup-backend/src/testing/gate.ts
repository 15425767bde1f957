// Test helpers that hold background work at a known step, so a test sees it there instead
// of polling a live run and hoping for the timing.
import type { FlushScheduler } from '../service/JobRunner';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(done => (resolve = done));
  return { promise, resolve };
}

/**
 * Named steps that work passes through: `pass(step)` (in the work) resolves once the test has
 * `open`ed the step; `reached(step)` (in the test) resolves once the work is at it.
 */
export function stepGate() {
  const reached = new Map<string, ReturnType<typeof deferred>>();
  const opened = new Map<string, ReturnType<typeof deferred>>();
  const at = (map: typeof reached, step: string) => {
    let entry = map.get(step);
    if (!entry) map.set(step, (entry = deferred()));
    return entry;
  };
  return {
    pass(step: string): Promise<void> {
      at(reached, step).resolve();
      return at(opened, step).promise;
    },
    reached: (step: string): Promise<void> => at(reached, step).promise,
    open: (step: string): void => at(opened, step).resolve(),
  };
}

/** A flush scheduler that writes only when the test says: `writeNow` writes what is pending. */
export function heldFlushes() {
  const pending: Array<() => Promise<void>> = [];
  const schedule: FlushScheduler = flush => {
    pending.push(flush);
    return () => {
      const index = pending.indexOf(flush);
      if (index >= 0) pending.splice(index, 1);
    };
  };
  return {
    schedule,
    /** Runs every pending write and resolves once they are in the store. */
    async writeNow(): Promise<void> {
      while (pending.length > 0) await pending.shift()!();
    },
  };
}
