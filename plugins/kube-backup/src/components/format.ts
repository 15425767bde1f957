import {
  type ExistingFilePolicy,
  matchesNamePattern,
  namespaceNameProblem,
} from '@kube-backup/backstage-plugin-kube-backup-common';

export function shortId(id: string): string {
  return id.slice(0, 12);
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 hours ago"; "unknown" for a time that cannot be read. */
export function relativeTime(iso: string | undefined, now = Date.now()): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return 'unknown';
  const delta = time - now;
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size || unit === 'second') {
      return format.format(Math.round(delta / size), unit);
    }
  }
  return 'now';
}

/** "2026-05-01 14:03:00 UTC"; "unknown" for a time that cannot be read. */
export function absoluteTime(iso: string | undefined): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return 'unknown';
  return `${new Date(time)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/**
 * "3 NetworkPolicies": the kind's plural as the cluster's discovery spells its resource
 * (`networkpolicies`), in the kind's own capitals; the kind with an "s" when the resource is
 * unknown.
 */
export function kindCount(count: number, kind: string, resource?: string): string {
  if (count === 1 || !resource) return plural(count, kind);
  let shared = 0;
  while (shared < kind.length && kind[shared].toLowerCase() === resource[shared]) shared += 1;
  // A resource named unlike its kind (rare) is shown as discovery names it.
  if (shared < kind.length - 1) return `${count} ${resource}`;
  return `${count} ${kind.slice(0, shared)}${resource.slice(shared)}`;
}

/**
 * A first suggestion for a namespace under a pattern: `dev-*` → `dev-<user>`, `dev-?` →
 * `dev-1`; empty when the pattern gives no valid name that way (the user types one).
 */
export function suggestNamespace(pattern: string | undefined, user: string): string {
  if (!pattern) return '';
  const cleanUser =
    user
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '') || 'me';
  const suggestion = pattern.replace('*', cleanUser).replace(/\*/g, '').replace(/\?/g, '1');
  return matchesNamePattern(pattern, suggestion) && !namespaceNameProblem(suggestion)
    ? suggestion
    : '';
}

/** A message as a sentence on its own: "must be…" → "Must be…". */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What a files restore does where a restored file meets a live one, by policy. */
export const EXISTING_FILE_TEXT: Record<ExistingFilePolicy, string> = {
  skip: 'leave live files in the way as they are',
  overwrite: 'write over live files in the way',
  rename: 'keep live files and put the restored ones beside them',
};
