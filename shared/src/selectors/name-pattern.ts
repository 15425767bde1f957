import picomatch from 'picomatch';

/**
 * A matcher for a name pattern, as configuration and patch rules write them: `*` is any
 * run of characters, `?` one character, `[0-9]` a class; a name without these matches
 * itself only. Kubernetes names hold no `/`, so a pattern never needs more.
 */
export function namePatternMatcher(pattern: string): (name: string) => boolean {
  // Names may start with a dot (a ConfigMap's `.env`); `*` must match those too.
  return picomatch(pattern, { dot: true });
}

/** Whether a name matches any of the patterns. */
export function matchesAnyNamePattern(patterns: readonly string[], name: string): boolean {
  return patterns.some(pattern => namePatternMatcher(pattern)(name));
}
