import {
  EXISTING_FILE_POLICIES,
  type ExistingFilePolicy,
  type FilesRestorePathOutcome,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { ClusterConnection } from '../cluster/connect';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';
import { nodeUsingClaim } from '../volumes/claim-node';
import { MoverRunner } from '../volumes/mover';
import { moverSettings, type VolumeDataSettings } from '../volumes/mover-access';
import { DATA_PATH } from '../volumes/mover-pod';
import { VolumeOperation } from '../volumes/operation';
import { hasVolumeRepository, type VolumeDataRepository } from '../volumes/volume-repository';
import { volumeAt } from './volume-at';
import { resticPattern, volumePath } from './volume-path';

// The policies and a path's outcome are the portal's too: defined once, in the common package.
export { EXISTING_FILE_POLICIES, type ExistingFilePolicy };
/** What became of one chosen path. */
export type PathOutcome = FilesRestorePathOutcome;

export interface FilesRestoreRequest {
  snapshot: Snapshot;
  /** The claim whose captured data the paths come from. */
  source: { namespace: string; claim: string };
  paths: string[];
  /** Default: the source claim. Always in the source's namespace. */
  intoClaim?: string;
  /** A folder of the target claim the paths are put under (default its root). */
  targetPath?: string;
  /** Default skip: a live file is never replaced unless asked. */
  existing?: ExistingFilePolicy;
  onProgress?: (step: 'starting' | 'restoring' | 'done') => void;
}

export interface FilesRestoreReport {
  snapshotId: string;
  namespace: string;
  sourceClaim: string;
  targetClaim: string;
  existing: ExistingFilePolicy;
  /** The suffix a renamed file gets (then -2, -3… if taken). */
  renameSuffix: string;
  paths: PathOutcome[];
  durationMs: number;
}

/**
 * Puts chosen paths of a claim's captured data back into a live claim through one
 * short-lived mover: only those paths are written, with their owners, modes and times;
 * a live file is skipped, overwritten or kept beside the restored one as asked.
 */
export async function restoreFiles(
  connection: ClusterConnection,
  repository: VolumeDataRepository,
  settings: VolumeDataSettings,
  request: FilesRestoreRequest,
): Promise<FilesRestoreReport> {
  const started = Date.now();
  const { namespace, claim } = request.source;
  const volume = volumeAt(request.snapshot, namespace, claim);
  const paths = distinctPaths(request.paths);
  const targetClaim = request.intoClaim ?? claim;
  const existing = request.existing ?? 'skip';
  if (!EXISTING_FILE_POLICIES.includes(existing)) {
    throw new UserError(
      'invalid-argument',
      `existing must be one of ${EXISTING_FILE_POLICIES.join(', ')}, not "${existing}"`,
    );
  }
  const targetRoot = volumePath(request.targetPath ?? '/');
  const target = targetRoot === '/' ? '' : targetRoot;
  if (!volume.resticSnapshotId) {
    throw new UserError(
      'not-found',
      `${namespace}/${claim} was empty in snapshot ${volume.snapshotId.slice(0, 8)}: there are no files to restore`,
    );
  }
  await claimMustExist(connection, namespace, targetClaim);
  if (!(await hasVolumeRepository(repository))) {
    throw new UserError(
      'not-found',
      'the repository has no volume data (its volumes folder is missing)',
    );
  }
  const movers = await moverSettings(settings, repository.volumeDataPassword());
  const operation = new VolumeOperation(connection.client);
  const runner = new MoverRunner(connection.client, operation, movers);
  const staging = `.kube-backup-restore-${operation.id}`;
  const renameSuffix = `.restored-${volume.snapshotId.slice(0, 8)}`;
  try {
    request.onProgress?.('starting');
    const nodeName = await nodeUsingClaim(connection, namespace, targetClaim);
    request.onProgress?.('restoring');
    const outcome = await runner.run({
      script: 'restore-paths',
      namespace,
      claim: { name: targetClaim, readOnly: false },
      nodeName,
      args: [
        'restore',
        volume.resticSnapshotId,
        '--target',
        `${DATA_PATH}/${staging}`,
        ...(paths.includes('/') ? [] : paths.flatMap(path => ['--include', resticPattern(path)])),
      ],
      env: {
        KB_STAGING: staging,
        KB_TARGET: target,
        KB_EXISTING: existing,
        KB_SUFFIX: renameSuffix,
        KB_COUNT: String(paths.length),
        ...Object.fromEntries(
          paths.map((path, index) => [`KB_PATH_${index}`, path === '/' ? '' : path]),
        ),
      },
    });
    request.onProgress?.('done');
    const outcomes = paths.map((path, index): PathOutcome => {
      const base = { path, target: `${target}${path === '/' ? '' : path}` || '/' };
      const counts = { restored: 0, overwritten: 0, renamed: 0, skipped: 0 };
      const placed = outcome.events.find(
        event => event.type === 'path-restored' && event.index === index,
      );
      if (!outcome.ok || placed?.type !== 'path-restored') {
        return {
          ...base,
          ...counts,
          outcome: 'failed',
          message: outcome.ok
            ? 'the mover ended before it got to this path'
            : outcome.errors.join('; '),
        };
      }
      const { restored, overwritten, renamed, skipped } = placed;
      if (!placed.ok) {
        return {
          ...base,
          ...counts,
          outcome: 'failed',
          message:
            restored + overwritten + renamed + skipped > 0
              ? 'the path was only partly written (the mover could not move the rest into place)'
              : `snapshot ${volume.snapshotId.slice(0, 8)} holds no ${path} in ${namespace}/${claim}`,
        };
      }
      return {
        ...base,
        restored,
        overwritten,
        renamed,
        skipped,
        outcome: restored + overwritten + renamed === 0 && skipped > 0 ? 'skipped' : 'restored',
        ...(skipped > 0 ? { message: `${skipped} file(s) exist and were left as they are` } : {}),
      };
    });
    return {
      snapshotId: volume.snapshotId,
      namespace,
      sourceClaim: claim,
      targetClaim,
      existing,
      renameSuffix,
      paths: outcomes,
      durationMs: Date.now() - started,
    };
  } finally {
    await runner.finish();
    await operation.finish();
  }
}

/** The paths, normalised and without repeats; one inside another is refused (ambiguous). */
function distinctPaths(paths: string[]): string[] {
  if (paths.length === 0)
    throw new UserError('invalid-argument', 'name at least one path to restore');
  const distinct = [...new Set(paths.map(volumePath))];
  for (const path of distinct) {
    const outer = distinct.find(
      other => other !== path && (other === '/' || path.startsWith(`${other}/`)),
    );
    if (outer) {
      throw new UserError(
        'invalid-argument',
        `${path} is inside ${outer}, which is restored already: name one of them`,
      );
    }
  }
  return distinct;
}

async function claimMustExist(
  connection: ClusterConnection,
  namespace: string,
  claim: string,
): Promise<void> {
  try {
    await connection.client.request({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(claim)}`,
    });
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) {
      throw new UserError(
        'not-found',
        `claim ${namespace}/${claim} does not exist: files are restored into a live claim`,
      );
    }
    throw error;
  }
}
