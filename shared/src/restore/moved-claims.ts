import type { PlannedObject } from './types';

const isClaim = ({ type }: PlannedObject) =>
  type.group === '' && type.kind === 'PersistentVolumeClaim';
const isVolume = ({ type }: PlannedObject) => type.group === '' && type.kind === 'PersistentVolume';

/**
 * A claim restored into another namespace is a new claim: it must get a fresh volume from
 * its storage class, never bind the volume the source claim still holds. So its volumeName
 * is dropped, and the captured volumes only those claims named are left out.
 */
export function detachMovedClaims(
  objects: readonly PlannedObject[],
  namespaceMapping: Readonly<Record<string, string>> | undefined,
): PlannedObject[] {
  const moves = (namespace: string | undefined) =>
    namespace !== undefined &&
    namespaceMapping?.[namespace] !== undefined &&
    namespaceMapping[namespace] !== namespace;
  const released = new Set<string>();
  const kept = new Set<string>();
  for (const planned of objects.filter(isClaim)) {
    const volume = (planned.object.spec as { volumeName?: string } | undefined)?.volumeName;
    if (!volume) continue;
    if (moves(planned.object.metadata.namespace)) released.add(volume);
    else kept.add(volume);
  }
  return objects
    .filter(
      planned =>
        !(
          isVolume(planned) &&
          released.has(planned.object.metadata.name ?? '') &&
          !kept.has(planned.object.metadata.name ?? '')
        ),
    )
    .map(planned => {
      if (!isClaim(planned) || !moves(planned.object.metadata.namespace)) return planned;
      const object = structuredClone(planned.object);
      delete (object.spec as { volumeName?: string } | undefined)?.volumeName;
      return { ...planned, object };
    });
}
