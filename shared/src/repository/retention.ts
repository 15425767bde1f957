import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';

/**
 * Which snapshots to keep, in the manner of restic's `forget`: `keepLast` keeps the n newest;
 * `keepHourly`/`Daily`/`Weekly`/`Monthly`/`Yearly` keep the newest snapshot of each of the
 * last n hours/days/ISO weeks/months/years that have snapshots (periods without one do not
 * count). Periods are in UTC so every machine sharing a repository agrees. A snapshot is kept
 * when any rule keeps it. With no rule at all, every snapshot is kept.
 */
export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** Snapshots carrying any of these tags are always kept. */
  keepTags?: string[];
}

/**
 * Retention applies separately to each group of comparable snapshots. By default a group is
 * the snapshots of one cluster with one selection (restic groups by host and paths), so a
 * frequent backup of one namespace never pushes out the backups of another.
 */
export type RetentionGroupBy = 'cluster' | 'selection' | 'tags';

export type KeepReason =
  | 'last'
  | 'hourly'
  | 'daily'
  | 'weekly'
  | 'monthly'
  | 'yearly'
  | 'tag'
  | 'no policy'
  | 'unknown time';

export interface RetentionDecision {
  keep: Array<{ snapshot: Snapshot; reasons: KeepReason[] }>;
  forget: Snapshot[];
}

const PERIODS = [
  ['keepHourly', 'hourly'],
  ['keepDaily', 'daily'],
  ['keepWeekly', 'weekly'],
  ['keepMonthly', 'monthly'],
  ['keepYearly', 'yearly'],
] as const;

type Period = (typeof PERIODS)[number][1];

export function hasRetentionRules(policy: RetentionPolicy): boolean {
  return (
    (policy.keepLast ?? 0) > 0 ||
    PERIODS.some(([field]) => (policy[field] ?? 0) > 0) ||
    (policy.keepTags ?? []).length > 0
  );
}

export function validateRetentionPolicy(policy: RetentionPolicy): void {
  for (const field of ['keepLast', ...PERIODS.map(([f]) => f)] as const) {
    const value = policy[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new UserError(
        'invalid-argument',
        `${field} must be a whole number of at least 0, not ${value}`,
      );
    }
  }
}

export function retentionGroupKey(
  snapshot: Snapshot,
  groupBy: readonly RetentionGroupBy[],
): string {
  const parts: unknown[] = [];
  for (const by of groupBy) {
    if (by === 'cluster') parts.push(snapshot.cluster?.name ?? '', snapshot.cluster?.server ?? '');
    else if (by === 'selection') parts.push(stableSelection(snapshot));
    else if (by === 'tags') parts.push([...(snapshot.tags ?? [])].sort());
  }
  return JSON.stringify(parts);
}

function stableSelection(snapshot: Snapshot): unknown {
  const s = snapshot.selection;
  if (!s) return null;
  const sorted = (list?: string[]) => (list ? [...list].sort() : undefined);
  return [
    s.namespaces === 'all' ? 'all' : sorted(s.namespaces),
    sorted(s.excludeNamespaces),
    s.labelSelector ?? '',
    sorted(s.includeResources),
    sorted(s.excludeResources),
    s.includeClusterResources,
    s.annotatedOnly,
    sorted(s.entities),
  ];
}

export function applyRetention(
  snapshots: readonly Snapshot[],
  policy: RetentionPolicy,
  groupBy: readonly RetentionGroupBy[] = ['cluster', 'selection'],
): RetentionDecision {
  validateRetentionPolicy(policy);
  if (!hasRetentionRules(policy)) {
    return { keep: snapshots.map(snapshot => ({ snapshot, reasons: ['no policy'] })), forget: [] };
  }
  const groups = new Map<string, Snapshot[]>();
  for (const snapshot of snapshots) {
    const key = retentionGroupKey(snapshot, groupBy);
    const group = groups.get(key) ?? [];
    group.push(snapshot);
    groups.set(key, group);
  }
  const keep: RetentionDecision['keep'] = [];
  const forget: Snapshot[] = [];
  const keepTags = new Set(policy.keepTags ?? []);
  for (const group of groups.values()) {
    // Newest first; equal times in a fixed order so every run decides alike.
    const ordered = [...group].sort(
      (a, b) => compareTime(b, a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    const remaining: Record<Period, number> = {
      hourly: policy.keepHourly ?? 0,
      daily: policy.keepDaily ?? 0,
      weekly: policy.keepWeekly ?? 0,
      monthly: policy.keepMonthly ?? 0,
      yearly: policy.keepYearly ?? 0,
    };
    const last: Partial<Record<Period, string>> = {};
    let lastLeft = policy.keepLast ?? 0;
    for (const snapshot of ordered) {
      const reasons: KeepReason[] = [];
      const time = Date.parse(snapshot.time);
      if (!Number.isFinite(time)) {
        // Never forget what cannot be placed in time.
        keep.push({ snapshot, reasons: ['unknown time'] });
        continue;
      }
      if (lastLeft > 0) {
        reasons.push('last');
        lastLeft--;
      }
      for (const [, period] of PERIODS) {
        if (remaining[period] <= 0) continue;
        const bucket = periodOf(new Date(time), period);
        if (bucket !== last[period]) {
          last[period] = bucket;
          remaining[period]--;
          reasons.push(period);
        }
      }
      if ((snapshot.tags ?? []).some(tag => keepTags.has(tag))) reasons.push('tag');
      if (reasons.length > 0) keep.push({ snapshot, reasons });
      else forget.push(snapshot);
    }
  }
  return { keep, forget };
}

function compareTime(a: Snapshot, b: Snapshot): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  if (!Number.isFinite(ta) || !Number.isFinite(tb)) return 0;
  return ta - tb;
}

/** The UTC hour/day/ISO week/month/year a moment falls in, as a comparable string. */
export function periodOf(date: Date, period: Period): string {
  const iso = date.toISOString();
  switch (period) {
    case 'hourly':
      return iso.slice(0, 13);
    case 'daily':
      return iso.slice(0, 10);
    case 'monthly':
      return iso.slice(0, 7);
    case 'yearly':
      return iso.slice(0, 4);
    case 'weekly': {
      // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
      const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
      const weekday = day.getUTCDay() || 7;
      day.setUTCDate(day.getUTCDate() + 4 - weekday);
      const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
      const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
      return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
    }
  }
}
