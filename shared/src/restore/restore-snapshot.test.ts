import type { StorageClassRecord } from '../snapshot/types';
import { planRestore } from './restore-snapshot';
import { captured, snapshotOf } from './testing';

const claim = (name: string, storageClassName: string) =>
  captured('', 'persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'shop' },
    spec: { storageClassName, accessModes: ['ReadWriteOnce'] },
  });

const CLAIMS = [claim('cache', 'never-there'), claim('data', 'fast')];

async function absentAtSource(
  storageClasses: StorageClassRecord[] | undefined,
  storageClassMapping?: Record<string, string>,
) {
  const { snapshot, source } = snapshotOf(CLAIMS, { storageClasses });
  const plan = await planRestore(source, snapshot, { storageClassMapping });
  return plan.storageClassesAbsentAtSource;
}

describe('storage classes the source lacked at capture', () => {
  const recorded = [
    { name: 'fast', existed: true },
    { name: 'never-there', existed: false },
  ];

  it('are passed to the target checks, so their claims are restored (and stay Pending)', async () => {
    expect(await absentAtSource(recorded)).toEqual(['never-there']);
  });

  it('do not count once mapped: the class the caller maps to must exist', async () => {
    expect(await absentAtSource(recorded, { 'never-there': 'standard' })).toEqual([]);
    // A class mapped onto the name of one the source lacked is the caller's choice too.
    expect(await absentAtSource(recorded, { fast: 'never-there' })).toEqual([]);
  });

  it('are unknown in a snapshot that recorded none: every missing class is refused, as before', async () => {
    expect(await absentAtSource(undefined)).toEqual([]);
  });
});
