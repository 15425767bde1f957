/**
 * How much to tell about an unexpected error, as kubectl's `-v`/`--v=<level>` says it (a bare
 * `--v` is 1), or `KUBE_BACKUP_DEBUG` (any value but empty or 0). Read from the raw
 * arguments, so it also holds when parsing them is what failed.
 */
export function debugLevel(args: string[], env: NodeJS.ProcessEnv): number {
  let level = env.KUBE_BACKUP_DEBUG && env.KUBE_BACKUP_DEBUG !== '0' ? 1 : 0;
  args.forEach((arg, index) => {
    const flag = /^--?v(?:=(.*))?$/.exec(arg);
    if (!flag) return;
    const value = flag[1] ?? (/^\d+$/.test(args[index + 1] ?? '') ? args[index + 1] : '1');
    level = Math.max(level, Number(value) || 0);
  });
  return level;
}
