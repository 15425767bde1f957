import type { MoverOutcome } from './mover';
import { VOLUME_REPOSITORY_FOLDER } from './restic-location';
import type { VolumeDataRepository } from './volume-repository';

export interface BackupArgs {
  /**
   * restic's host: `<cluster>/<namespace>/<claim>`, so restic's parent snapshot (whose
   * unchanged files it skips reading) is always the same claim's previous one.
   */
  host: string;
  /** A tag only this capture carries. */
  tag: string;
  /** `namespace/claim`. */
  claim: string;
  /** The kube-backup snapshot it belongs to. */
  snapshot: string;
  /**
   * A claim cloned from a snapshot has new inodes and change times on every file, so only
   * size and modification time tell restic a file is unchanged.
   */
  fromSnapshot: boolean;
}

/** restic's arguments for a mover backing up the claim mounted at its data path. */
export function resticBackupArgs(args: BackupArgs): string[] {
  return [
    'backup',
    '--host',
    args.host,
    '--tag',
    args.tag,
    '--tag',
    `kube-backup-claim=${args.claim}`,
    '--tag',
    `kube-backup-snapshot=${args.snapshot}`,
    '--ignore-inode',
    ...(args.fromSnapshot ? ['--ignore-ctime'] : []),
    '.',
  ];
}

export interface BackupResult {
  ok: boolean;
  /** Absent for an empty volume: there is nothing to store. */
  snapshotId?: string;
  bytes?: number;
  files?: number;
  addedBytes?: number;
  errors: string[];
}

/**
 * What a backup mover's output says: the snapshot it made and its summary. restic 0.14's
 * summary names the snapshot by its short id (8 hex digits); the full one is the name of
 * the snapshot's file in the repository, found by listing them.
 */
export async function resticBackupOutcome(
  outcome: MoverOutcome,
  repository: VolumeDataRepository,
): Promise<BackupResult> {
  if (!outcome.ok) return { ok: false, errors: outcome.errors };
  if (outcome.events.some(event => event.type === 'empty-volume')) {
    return { ok: true, bytes: 0, files: 0, addedBytes: 0, errors: [] };
  }
  const summary = outcome.events.findLast(event => event.type === 'summary');
  if (summary?.type !== 'summary' || !summary.snapshotId) {
    return {
      ok: false,
      errors: [...outcome.errors, 'restic finished without reporting its snapshot'],
    };
  }
  const snapshotId = await fullSnapshotId(repository, summary.snapshotId);
  if (!snapshotId) {
    return {
      ok: false,
      errors: [
        ...outcome.errors,
        `restic's snapshot ${summary.snapshotId} is not in the volume repository, or its short id is not unique`,
      ],
    };
  }
  return {
    ok: true,
    snapshotId,
    bytes: summary.bytes,
    files: summary.files,
    addedBytes: summary.addedBytes,
    errors: outcome.errors,
  };
}

async function fullSnapshotId(
  repository: VolumeDataRepository,
  id: string,
): Promise<string | undefined> {
  if (/^[0-9a-f]{64}$/.test(id)) return id;
  const prefix = `${VOLUME_REPOSITORY_FOLDER}/snapshots/`;
  const found: string[] = [];
  for await (const entry of repository.backend.list(`${prefix}${id}`)) {
    found.push(entry.key.slice(prefix.length));
  }
  return found.length === 1 ? found[0] : undefined;
}
