import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  loading: boolean;
  value?: T;
  error?: unknown;
  retry(): void;
}

/** Runs `load` when its dependencies change; `retry` runs it again. Stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ loading: boolean; value?: T; error?: unknown }>({
    loading: true,
  });
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const current = ++generation.current;
    setState(previous => ({ ...previous, loading: true }));
    load().then(
      value => current === generation.current && setState({ loading: false, value }),
      error => current === generation.current && setState({ loading: false, error }),
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
