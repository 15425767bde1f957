import type { OutputFormat } from './global-options';

export type Row = Record<string, string | number | undefined>;

/** kubectl's table style: upper-case headers, columns three spaces apart. */
export function formatTable(columns: string[], rows: Row[]): string {
  const cells = [
    columns.map(column => column.toUpperCase()),
    ...rows.map(row => columns.map(column => String(row[column] ?? '<none>'))),
  ];
  const widths = columns.map((_, index) => Math.max(...cells.map(line => line[index].length)));
  return cells
    .map(line =>
      line
        .map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index])))
        .join('   '),
    )
    .join('\n');
}

export async function formatStructured(
  value: unknown,
  format: Exclude<OutputFormat, 'table'>,
): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2);
  const { dump } = await import('js-yaml');
  return dump(value, { noRefs: true, lineWidth: -1 }).trimEnd();
}

/** Prints structured output for json/yaml, or the table otherwise. */
export async function printResult(
  format: OutputFormat,
  value: unknown,
  table: () => { columns: string[]; rows: Row[]; empty: string },
): Promise<void> {
  if (format !== 'table') {
    process.stdout.write(`${await formatStructured(value, format)}\n`);
    return;
  }
  const { columns, rows, empty } = table();
  if (rows.length === 0) process.stderr.write(`${empty}\n`);
  else process.stdout.write(`${formatTable(columns, rows)}\n`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000
    ? `${ms}ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)}s`
      : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** kubectl's AGE column: 5s, 3m, 2h, 4d. */
export function formatAge(time: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(time)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}
