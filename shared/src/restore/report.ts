import type { ObjectOutcome, OutcomeCounts } from './types';

export function countOutcomes(objects: readonly ObjectOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    'skipped-exists': 0,
    failed: 0,
    deleted: 0,
  };
  for (const object of objects) counts[object.outcome]++;
  return counts;
}
