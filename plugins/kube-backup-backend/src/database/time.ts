/** Database timestamps (Date from PostgreSQL, string or number from SQLite) as ISO strings. */
export function isoTime(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value as string | number);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

export function parseJson<T>(value: unknown): T | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return JSON.parse(String(value)) as T;
}

/**
 * Timestamps are written as ISO strings: PostgreSQL parses them into its timestamp columns
 * and SQLite keeps them as text, so both read back the same instant whatever Date
 * implementation (or test realm) the caller has.
 */
export function dbTime(date: Date = new Date()): string {
  return date.toISOString();
}
