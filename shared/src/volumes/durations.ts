import { UserError } from '../errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as Kubernetes and Velero write them (`30s`, `1m30s`, `500ms`, `2h`), or a
 * bare number of seconds; in milliseconds.
 */
export function parseDuration(text: string, what: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== value) {
    throw new UserError(
      'invalid-argument',
      `${what} "${text}" is not a duration; write it as 30s, 2m or 1m30s`,
    );
  }
  return Math.round(
    parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNITS[unit], 0),
  );
}
