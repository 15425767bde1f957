import type { MoverOutcome } from './mover';

export interface BackupArgs {
  /**
   * restic's host: `<cluster>/<namespace>/<claim>`, so restic's parent snapshot (whose
   * unchanged files it skips reading) is always the same claim's previous one.
   */
  host: string;
  /** A tag only this capture carries, to find its snapshot's full id. */
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

/** What a backup mover's output says: the snapshot it made (by its tag) and its summary. */
export function resticBackupOutcome(outcome: MoverOutcome, tag: string): BackupResult {
  if (!outcome.ok) return { ok: false, errors: outcome.errors };
  if (outcome.events.some(event => event.type === 'empty-volume')) {
    return { ok: true, bytes: 0, files: 0, addedBytes: 0, errors: [] };
  }
  let snapshotId: string | undefined;
  let summary: { bytes: number; files: number; addedBytes?: number } | undefined;
  for (const event of outcome.events) {
    if (event.type === 'summary') summary = event;
    if (event.type === 'snapshots') {
      snapshotId = event.snapshots.find(snapshot => snapshot.tags.includes(tag))?.id ?? snapshotId;
    }
  }
  if (!snapshotId) {
    return {
      ok: false,
      errors: [...outcome.errors, 'restic finished without reporting its snapshot'],
    };
  }
  return {
    ok: true,
    snapshotId,
    bytes: summary?.bytes,
    files: summary?.files,
    addedBytes: summary?.addedBytes,
    errors: outcome.errors,
  };
}
