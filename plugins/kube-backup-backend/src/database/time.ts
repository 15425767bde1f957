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
