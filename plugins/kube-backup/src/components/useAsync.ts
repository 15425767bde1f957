import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  loading: boolean;
  value?: T;
  error?: unknown;
  /** How many loads have ended: it changes with every answer, even one like the last. */
  settled: number;
  retry(): void;
}

/** Runs `load` when its dependencies change; `retry` runs it again. Stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{
    loading: boolean;
    value?: T;
    error?: unknown;
    settled: number;
  }>({ loading: true, settled: 0 });
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const current = ++generation.current;
    setState(previous => ({ ...previous, loading: true }));
    load().then(
      value =>
        current === generation.current &&
        setState(previous => ({ loading: false, value, settled: previous.settled + 1 })),
      error =>
        current === generation.current &&
        setState(previous => ({ loading: false, error, settled: previous.settled + 1 })),
    );
  }, [...deps, attempt]);
  useEffect(
    () => () => {
      generation.current += 1;
    },
    [],
  );
  const retry = useCallback(() => setAttempt(value => value + 1), []);
  return { ...state, retry };
}

/**
 * useLoad that loads again every `intervalMs` while `isActive(value)` holds (a job still
 * running, say), and on `refresh()`.
 */
export function usePolledLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  options: { isActive(value: T): boolean; intervalMs: number },
): AsyncState<T> & { refresh(): void } {
  const [tick, setTick] = useState(0);
  const state = useLoad(load, [...deps, tick]);
  const active = state.value !== undefined && options.isActive(state.value);
  // Armed each time a load ends, not when the value or the loading flag changes: an answer
  // equal to the last one must still lead to the next poll, and a quick answer can end a
  // load in the same render that started it, so the loading flag never seems to change.
  useEffect(() => {
    if (!active || state.loading) return undefined;
    const timer = setTimeout(() => setTick(value => value + 1), options.intervalMs);
    return () => clearTimeout(timer);
  }, [active, state.loading, state.settled, options.intervalMs]);
  const refresh = useCallback(() => setTick(value => value + 1), []);
  return { ...state, refresh };
}
