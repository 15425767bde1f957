import type { Entity } from '@backstage/catalog-model';

export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION = 'backstage.io/kubernetes-label-selector';

/**
 * True when the entity carries the Kubernetes plugin's `backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector` annotation, so its snapshots can be found.
 * For `EntitySwitch.Case if={isKubeBackupAvailable}`.
 */
export function isKubeBackupAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ID_ANNOTATION]?.trim() ||
    annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}

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

/** Does a namespace match a target's pattern (`dev-*`)? Mirrors the backend's check. */
export function matchesPattern(pattern: string, namespace: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(namespace);
}

export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A first suggestion for a namespace under a pattern: `dev-*` → `dev-<user>`. */
export function suggestNamespace(pattern: string | undefined, user: string): string {
  if (!pattern) return '';
  const cleanUser =
    user
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '') || 'me';
  return pattern.includes('*') ? pattern.replace('*', cleanUser).replace(/\*/g, '') : pattern;
}
