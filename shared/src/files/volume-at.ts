import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';

/** One claim's data as one snapshot holds it. */
export interface VolumeAtSnapshot {
  snapshotId: string;
  /** When the snapshot was taken. */
  time: string;
  namespace: string;
  claim: string;
  /** The restic snapshot; undefined for a volume captured empty. */
  resticSnapshotId?: string;
}

/** A claim's captured data in a snapshot; refuses, naming why, when there is none. */
export function volumeAt(snapshot: Snapshot, namespace: string, claim: string): VolumeAtSnapshot {
  const short = snapshot.id.slice(0, 8);
  const volume = snapshot.volumes.find(v => v.namespace === namespace && v.claim === claim);
  if (!volume) {
    const claims = snapshot.volumes.map(v => `${v.namespace}/${v.claim}`);
    throw new UserError(
      'not-found',
      `snapshot ${short} has no claim ${namespace}/${claim}${claims.length ? ` (it has ${claims.join(', ')})` : ' (it has no claims)'}`,
    );
  }
  if (volume.data?.status !== 'captured') {
    throw new UserError(
      'not-found',
      `snapshot ${short} holds no data of ${namespace}/${claim}${volume.data?.reason ? `: ${volume.data.reason}` : ''}`,
    );
  }
  return {
    snapshotId: snapshot.id,
    time: snapshot.time,
    namespace,
    claim,
    resticSnapshotId: volume.dataSnapshotId,
  };
}

/** `pvc/name`, `pvc/name`, `persistentvolumeclaim/name` or a bare name: the claim's name. */
export function claimName(reference: string): string {
  const match = /^(?:(?:pvc|persistentvolumeclaims?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(
    reference,
  );
  if (!match) {
    throw new UserError('invalid-argument', `"${reference}" is not a claim: give it as pvc/<name>`);
  }
  return match[1];
}
