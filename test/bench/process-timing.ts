// Timing of whole processes for the cold-start benchmarks: each command run `runs` times
// after three runs that warm the page cache, times sorted.
import { spawnSync } from 'node:child_process';

export function timeRuns(
  command: string,
  args: string[],
  runs: number,
  env: NodeJS.ProcessEnv = process.env,
): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
    if (i >= 3) times.push(elapsed);
  }
  return times.sort((a, b) => a - b);
}

export const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];
export const p90 = (sorted: number[]) => sorted[Math.floor(sorted.length * 0.9)];
