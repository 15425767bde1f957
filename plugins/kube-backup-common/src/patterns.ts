import picomatch from 'picomatch/posix';

/**
 * A matcher for a name pattern, as configuration writes them (`dev-*`, `dev-?`, `team-[ab]-*`):
 * `*` is any run of characters, `?` one character, `[…]` a class; a name without these
 * matches itself only. Kubernetes names hold no `/`, so a pattern never needs more. The
 * portal's dialog and the backend check hydration targets, protected namespaces and
 * namespace grants with this one function.
 */
export function namePatternMatcher(pattern: string): (name: string) => boolean {
  // Names may start with a dot (a ConfigMap's `.env`); `*` must match those too.
  return picomatch(pattern, { dot: true });
}

/** Whether a name matches a pattern. */
export function matchesNamePattern(pattern: string, name: string): boolean {
  return namePatternMatcher(pattern)(name);
}

/** Whether a name matches any of the patterns. */
export function matchesAnyNamePattern(patterns: readonly string[], name: string): boolean {
  return patterns.some(pattern => matchesNamePattern(pattern, name));
}
