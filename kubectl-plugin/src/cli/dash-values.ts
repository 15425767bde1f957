/**
 * yargs reads a lone `-` as a positional argument, never as an option's value, so
 * `--to -` (standard output) would lose its value. The pair is joined as `--to=-`.
 */
export function keepDashValues(args: string[], options: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const flag = args[index];
    if (options.some(name => flag === `--${name}`) && args[index + 1] === '-') {
      joined.push(`${flag}=-`);
      index++;
    } else joined.push(flag);
  }
  return joined;
}
