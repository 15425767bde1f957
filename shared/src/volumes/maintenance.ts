import type { RepositoryLocation } from '../repository/storage/location';
import { parseRepositoryLocation } from '../repository/storage/location';
import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';
import { resticLocationOf } from './restic-location';
import { runRestic, type ResticRepository } from './restic';
import { hasVolumeRepository, type VolumeDataRepository } from './volume-repository';
import type { RepositoryLock, LockKind } from '../repository/locks';

/** What maintenance needs of the object repository. */
export interface MaintainedRepository extends VolumeDataRepository {
  listSnapshots(): Promise<Snapshot[]>;
  lock(kind: LockKind, operation?: string): Promise<RepositoryLock>;
}

export interface VolumeVerifyReport {
  ok: boolean;
  /** Whether every pack's content was read back (restic check --read-data). */
  readData: boolean;
  /** restic snapshots the repository's snapshots refer to. */
  checked: number;
  problems: string[];
}

/**
 * Checks the volume-data repository with `restic check` (reading every pack with
 * `readData`), and that every volume a snapshot says it captured is there. Undefined when
 * the repository holds no volume data.
 */
export async function verifyVolumeData(
  repository: MaintainedRepository,
  location: string | RepositoryLocation,
  options: { readData?: boolean; snapshots?: Snapshot[] } = {},
): Promise<VolumeVerifyReport | undefined> {
  if (!(await hasVolumeRepository(repository))) return undefined;
  const restic = resticRepository(repository, location);
  const problems: string[] = [];
  const snapshots = options.snapshots ?? (await repository.listSnapshots());
  const present = new Set(await resticSnapshotIds(restic));
  let checked = 0;
  for (const snapshot of snapshots) {
    for (const volume of snapshot.volumes) {
      if (!volume.dataSnapshotId) continue;
      checked++;
      if (!present.has(volume.dataSnapshotId)) {
        problems.push(
          `volume data of ${volume.namespace}/${volume.claim} in snapshot ${snapshot.id.slice(0, 8)} is missing (restic snapshot ${volume.dataSnapshotId.slice(0, 8)})`,
        );
      }
    }
  }
  try {
    await runRestic(restic, ['check', ...(options.readData ? ['--read-data'] : [])]);
  } catch (error) {
    if (!(error instanceof UserError) || error.code !== 'volume-data-error') throw error;
    problems.push(
      /locked/i.test(error.message)
        ? 'the volume repository could not be checked: a backup is writing to it; verify again once it is done'
        : `the volume repository is damaged: ${error.message}`,
    );
  }
  return { ok: problems.length === 0, readData: options.readData ?? false, checked, problems };
}

export interface VolumePruneReport {
  dryRun: boolean;
  /** restic snapshots no snapshot refers to, removed (or that would be). */
  forgotten: string[];
  /** Bytes of volume data before and after (the same in a dry run). */
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * Removes volume data no snapshot refers to any more (restic forget, then prune), under
 * the repository's exclusive lock, so no backup is adding data meanwhile. Undefined when
 * the repository holds no volume data.
 */
export async function pruneVolumeData(
  repository: MaintainedRepository,
  location: string | RepositoryLocation,
  options: { dryRun?: boolean } = {},
): Promise<VolumePruneReport | undefined> {
  if (!(await hasVolumeRepository(repository))) return undefined;
  const dryRun = options.dryRun ?? false;
  const lock = await repository.lock(
    'exclusive',
    dryRun ? 'prune volume data (dry run)' : 'prune volume data',
  );
  try {
    const restic = resticRepository(repository, location);
    const referenced = new Set(
      (await repository.listSnapshots()).flatMap(snapshot =>
        snapshot.volumes.flatMap(volume => (volume.dataSnapshotId ? [volume.dataSnapshotId] : [])),
      ),
    );
    const forgotten = (await resticSnapshotIds(restic)).filter(id => !referenced.has(id));
    const bytesBefore = await volumeBytes(repository);
    if (!dryRun && forgotten.length > 0) {
      // Only restic's stale locks go: a mover still running (of a backup that was killed)
      // keeps its lock, and restic then refuses to prune under it.
      await runRestic(restic, ['unlock']);
      await runRestic(restic, ['forget', ...forgotten]);
      await runRestic(restic, ['prune']);
    }
    return {
      dryRun,
      forgotten,
      bytesBefore,
      bytesAfter: dryRun ? bytesBefore : await volumeBytes(repository),
    };
  } finally {
    await lock.release();
  }
}

function resticRepository(
  repository: VolumeDataRepository,
  location: string | RepositoryLocation,
): ResticRepository {
  const parsed = typeof location === 'string' ? parseRepositoryLocation(location) : location;
  return { location: resticLocationOf(parsed), password: repository.volumeDataPassword() };
}

async function resticSnapshotIds(restic: ResticRepository): Promise<string[]> {
  const { events } = await runRestic(restic, ['snapshots', '--no-lock']);
  return events.flatMap(event =>
    event.type === 'snapshots' ? event.snapshots.map(s => s.id) : [],
  );
}

async function volumeBytes(repository: VolumeDataRepository): Promise<number> {
  let total = 0;
  for await (const entry of repository.backend.list('volumes/', { withSize: true }))
    total += entry.size ?? 0;
  return total;
}
