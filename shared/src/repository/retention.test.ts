import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';
import { applyRetention, periodOf, type RetentionPolicy } from './retention';
import { snapshotDoc } from './testing';

let counter = 0;
function snap(time: string, fields: Partial<Snapshot> = {}): Snapshot {
  counter++;
  return snapshotDoc({
    id: counter.toString(16).padStart(64, '0'),
    time,
    recordLists: [],
    ...fields,
  });
}

/** Kept snapshot times, newest first, for a policy. */
function kept(snapshots: Snapshot[], policy: RetentionPolicy): string[] {
  return applyRetention(snapshots, policy)
    .keep.map(k => k.snapshot.time)
    .sort()
    .reverse();
}

// Four snapshots a day (00, 06, 12, 18 UTC) from 2024-01-01 to 2024-03-31.
const series: Snapshot[] = [];
for (
  let day = Date.parse('2024-01-01T00:00:00Z');
  day < Date.parse('2024-04-01T00:00:00Z');
  day += 86_400_000
) {
  for (const hour of [0, 6, 12, 18])
    series.push(snap(new Date(day + hour * 3_600_000).toISOString()));
}

describe('applyRetention', () => {
  it('keeps everything when no policy is given, and with only zero counts', () => {
    expect(applyRetention(series, {}).forget).toEqual([]);
    expect(applyRetention(series, { keepLast: 0, keepDaily: 0 }).forget).toEqual([]);
    expect(applyRetention(series, {}).keep[0].reasons).toEqual(['no policy']);
  });

  it('keepLast keeps the n newest', () => {
    expect(kept(series, { keepLast: 3 })).toEqual([
      '2024-03-31T18:00:00.000Z',
      '2024-03-31T12:00:00.000Z',
      '2024-03-31T06:00:00.000Z',
    ]);
  });

  it('keepHourly keeps the newest of each of the last n hours that have snapshots', () => {
    expect(kept(series, { keepHourly: 2 })).toEqual([
      '2024-03-31T18:00:00.000Z',
      '2024-03-31T12:00:00.000Z',
    ]);
  });

  it('keepDaily keeps the newest snapshot of each of the last n days', () => {
    expect(kept(series, { keepDaily: 3 })).toEqual([
      '2024-03-31T18:00:00.000Z',
      '2024-03-30T18:00:00.000Z',
      '2024-03-29T18:00:00.000Z',
    ]);
  });

  it('keepWeekly uses ISO weeks (Monday to Sunday)', () => {
    // 2024-03-31 is a Sunday, ending ISO week 13; week 12 ends on Sunday 2024-03-24.
    expect(kept(series, { keepWeekly: 2 })).toEqual([
      '2024-03-31T18:00:00.000Z',
      '2024-03-24T18:00:00.000Z',
    ]);
    expect(periodOf(new Date('2024-12-30T00:00:00Z'), 'weekly')).toBe('2025-W01');
    expect(periodOf(new Date('2021-01-03T00:00:00Z'), 'weekly')).toBe('2020-W53');
  });

  it('keepMonthly and keepYearly keep the newest of each month and year', () => {
    expect(kept(series, { keepMonthly: 2 })).toEqual([
      '2024-03-31T18:00:00.000Z',
      '2024-02-29T18:00:00.000Z',
    ]);
    expect(kept(series, { keepMonthly: 12 })).toHaveLength(3);
    expect(kept(series, { keepYearly: 5 })).toEqual(['2024-03-31T18:00:00.000Z']);
  });

  it('combines rules: a snapshot is kept when any rule keeps it, with every reason', () => {
    const decision = applyRetention(series, {
      keepLast: 2,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 6,
    });
    const times = decision.keep.map(k => k.snapshot.time).sort();
    // 2 last (the newer also daily), 7 daily (Mar 25–31, ISO week 13), weekly adds the ends
    // of weeks 12, 11 and 10, monthly adds the ends of February and January.
    expect(times).toHaveLength(2 + 6 + 3 + 2);
    expect(times.slice(0, 5)).toEqual([
      '2024-01-31T18:00:00.000Z',
      '2024-02-29T18:00:00.000Z',
      '2024-03-10T18:00:00.000Z',
      '2024-03-17T18:00:00.000Z',
      '2024-03-24T18:00:00.000Z',
    ]);
    const newest = decision.keep.find(k => k.snapshot.time === '2024-03-31T18:00:00.000Z');
    expect(newest?.reasons).toEqual(['last', 'daily', 'weekly', 'monthly']);
    expect(decision.keep.length + decision.forget.length).toBe(series.length);
  });

  it('counts only periods that have snapshots (gaps do not use up the count)', () => {
    const sparse = [
      snap('2024-01-01T10:00:00Z'),
      snap('2024-01-10T10:00:00Z'),
      snap('2024-02-01T10:00:00Z'),
    ];
    expect(kept(sparse, { keepDaily: 2 })).toEqual([
      '2024-02-01T10:00:00Z',
      '2024-01-10T10:00:00Z',
    ]);
  });

  it('applies the policy per cluster and selection', () => {
    const a = [snap('2024-05-01T00:00:00Z'), snap('2024-05-02T00:00:00Z')];
    const b = [
      snap('2024-05-03T00:00:00Z', { cluster: { name: 'other', server: 'https://other' } }),
      snap('2024-05-04T00:00:00Z', { cluster: { name: 'other', server: 'https://other' } }),
    ];
    expect(kept([...a, ...b], { keepLast: 1 })).toEqual([
      '2024-05-04T00:00:00Z',
      '2024-05-02T00:00:00Z',
    ]);
    expect(applyRetention([...a, ...b], { keepLast: 1 }, []).keep).toHaveLength(1);
    const otherNamespace = snap('2024-05-01T00:00:00Z', {
      selection: { ...a[0].selection, namespaces: ['billing'] },
    });
    expect(kept([...a, otherNamespace], { keepLast: 1 })).toHaveLength(2);
  });

  it('always keeps tagged snapshots and snapshots with an unreadable time', () => {
    const old = snap('2020-01-01T00:00:00Z', { tags: ['golden'] });
    const odd = snap('not a time');
    const decision = applyRetention([old, odd, ...series], { keepLast: 1, keepTags: ['golden'] });
    expect(decision.keep.map(k => [k.snapshot.time, k.reasons])).toEqual(
      expect.arrayContaining([
        ['2020-01-01T00:00:00Z', ['tag']],
        ['not a time', ['unknown time']],
      ]),
    );
    expect(decision.keep).toHaveLength(3);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => applyRetention(series, { keepDaily: -1 })).toThrow(UserError);
    expect(() => applyRetention(series, { keepLast: 1.5 })).toThrow(
      /keepLast must be a whole number/,
    );
  });
});
