/**
 * `describe` for a suite that needs parts the machine may lack (PostgreSQL, Chromium, the
 * sqlite3 driver): each missing one is named by why it is missing. With all present it is
 * `describe`. With one missing the suite is skipped and says why, so a developer sees what to
 * install; in CI (`CI` set) it fails instead, as CI installs everything (scripts/toolchain.sh)
 * and nothing may be skipped there.
 */
export function describeNeeding(
  missing: Array<string | false | undefined>,
): (name: string, suite: () => void) => void {
  const reasons = missing.filter((reason): reason is string => Boolean(reason));
  if (reasons.length === 0) return describe;
  const why = reasons.join('; ');
  if (process.env.CI) {
    return name =>
      describe(name, () => {
        it('has every part it needs', () => {
          throw new Error(`missing in CI, which must run every suite: ${why}`);
        });
      });
  }
  return (name, suite) => {
    console.warn(`skipping "${name}": ${why}`);
    describe.skip(name, suite);
  };
}
