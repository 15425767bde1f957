import type { ClusterConnection } from '../cluster/connect';
import { ConcurrencyLimiter } from '../util/limiter';
import { podTemplateOf } from '../kubernetes-objects/pod-template';
import type { Snapshot, VolumeRecord } from '../snapshot/types';
import type {
  ObjectOutcome,
  PlannedObject,
  VolumeDataStep,
  VolumeFillContext,
  VolumeOutcome,
} from '../restore/types';
import { nodeUsingClaim } from './claim-node';
import { MoverRunner, type MoverSettings } from './mover';
import { DEFAULT_VOLUME_CONCURRENCY, moverSettings, type VolumeDataSettings } from './mover-access';
import { VolumeOperation } from './operation';
import { claimKey, claimTemplateOf } from './select-claims';
import { hasVolumeRepository, type VolumeDataRepository } from './volume-repository';

/** Which restored claims get their data back. */
export type VolumeDataChoice =
  | 'all'
  | 'none'
  /** Claims tagged so (`kube-backup.io/tags`), or mounted by a workload tagged so. */
  | { tag: string };

export interface VolumeRestoreOptions extends VolumeDataSettings {
  /** Default all. */
  data?: VolumeDataChoice;
  /**
   * Write data into claims that exist and that the restore updated (they are emptied
   * first, so they end up holding exactly the snapshot's data). Default false: an existing
   * claim's data is never touched.
   */
  overwrite?: boolean;
}

interface ClaimToFill {
  /** Where it is written. */
  namespace: string;
  name: string;
  sourceNamespace: string;
  record: VolumeRecord;
}

const isClaim = ({ type }: PlannedObject) =>
  type.group === '' && type.kind === 'PersistentVolumeClaim';
const isVolume = ({ type }: PlannedObject) => type.group === '' && type.kind === 'PersistentVolume';

/**
 * The restore step for claims' data. A claim whose data comes back is restored as a new
 * claim (its old volume and binding left behind, so its storage class provisions a fresh
 * one), filled by a restore mover once the storage tier is written (the mover is its first
 * consumer, so WaitForFirstConsumer classes bind), and only then are workloads written.
 */
export function volumeDataRestore(
  connection: ClusterConnection,
  repository: VolumeDataRepository,
  snapshot: Snapshot,
  options: VolumeRestoreOptions,
): VolumeDataStep {
  const toFill: ClaimToFill[] = [];
  const leftOut: VolumeOutcome[] = [];
  let movers: MoverSettings | undefined;
  const byKey = new Map(
    snapshot.volumes.map(volume => [claimKey(volume.namespace, volume.claim), volume]),
  );

  return {
    async prepare(objects) {
      toFill.length = 0;
      leftOut.length = 0;
      const choice = options.data ?? 'all';
      const tagged = typeof choice === 'object' ? claimsTagged(objects, choice.tag) : undefined;
      const released = new Set<string>();
      const kept = new Set<string>();
      const prepared = objects.map(planned => {
        if (!isClaim(planned) || !planned.record) return planned;
        const sourceKey = claimKey(planned.record.namespace, planned.record.name);
        const volume = byKey.get(sourceKey);
        const spec = (planned.object.spec ?? {}) as { volumeName?: string };
        const base = {
          namespace: planned.object.metadata.namespace ?? '',
          claim: planned.object.metadata.name ?? '',
          ...(planned.record.namespace !== planned.object.metadata.namespace
            ? { sourceNamespace: planned.record.namespace }
            : {}),
        };
        // A captured volume without a restic snapshot was empty: it comes back empty.
        const captured = volume?.data?.status === 'captured';
        const chosen = choice === 'all' || (tagged?.has(sourceKey) ?? false);
        if (!captured || !chosen) {
          if (spec.volumeName) kept.add(spec.volumeName);
          leftOut.push({
            ...base,
            outcome: 'skipped',
            reason: captured ? 'not-chosen' : 'not-captured',
            message: captured
              ? 'its data was not chosen for this restore'
              : `the snapshot holds no data for it${volume?.data?.reason ? ` (${volume.data.reason})` : ''}`,
          });
          return planned;
        }
        toFill.push({
          namespace: base.namespace,
          name: base.claim,
          sourceNamespace: planned.record.namespace ?? '',
          record: volume,
        });
        if (!spec.volumeName) return planned;
        released.add(spec.volumeName);
        const object = structuredClone(planned.object);
        delete (object.spec as { volumeName?: string }).volumeName;
        return { ...planned, object };
      });
      if (toFill.length > 0) movers = await moverSettings(options, repository.volumeDataPassword());
      // The volume a restored-with-data claim was bound to stays behind: a fresh one is filled.
      return prepared.filter(
        planned =>
          !(
            isVolume(planned) &&
            released.has(planned.object.metadata.name ?? '') &&
            !kept.has(planned.object.metadata.name ?? '')
          ),
      );
    },

    async fill(written, context) {
      const outcomes: VolumeOutcome[] = [...leftOut];
      if (toFill.length === 0 || !movers) return outcomes;
      const planned = toFill.map(claim => ({
        claim,
        decision: decide(claim, written, options.overwrite ?? false),
      }));
      const work = planned.flatMap(({ claim, decision }) =>
        decision.fill ? [{ claim, decision }] : [],
      );
      for (const { claim, decision } of planned) {
        if (decision.fill) continue;
        outcomes.push({ ...outcomeBase(claim), ...decision.outcome });
      }
      if (context.dryRun) {
        for (const { claim } of work) {
          outcomes.push({
            ...outcomeBase(claim),
            outcome: 'would-restore',
            bytes: claim.record.data?.bytes,
            files: claim.record.data?.files,
          });
        }
        return outcomes;
      }
      if (work.length === 0) return outcomes;
      if (
        work.some(({ claim }) => claim.record.dataSnapshotId) &&
        !(await hasVolumeRepository(repository))
      ) {
        for (const { claim } of work) {
          outcomes.push({
            ...outcomeBase(claim),
            outcome: 'failed',
            message: 'the repository has no volume data (its volumes folder is missing)',
          });
        }
        return outcomes;
      }
      outcomes.push(...(await fillClaims(connection, movers, work, options, context)));
      return outcomes;
    },
  };
}

function outcomeBase(
  claim: ClaimToFill,
): Pick<VolumeOutcome, 'namespace' | 'claim' | 'sourceNamespace'> {
  return {
    namespace: claim.namespace,
    claim: claim.name,
    ...(claim.sourceNamespace !== claim.namespace
      ? { sourceNamespace: claim.sourceNamespace }
      : {}),
  };
}

/** Whether a claim is filled, from what the restore did to it. */
function decide(
  claim: ClaimToFill,
  written: ObjectOutcome[],
  overwrite: boolean,
):
  | { fill: true; clear: boolean }
  | { fill: false; outcome: Pick<VolumeOutcome, 'outcome' | 'reason' | 'message'> } {
  const outcome = written.find(
    o =>
      o.group === '' &&
      o.kind === 'PersistentVolumeClaim' &&
      o.namespace === claim.namespace &&
      o.name === claim.name,
  );
  switch (outcome?.outcome) {
    case 'created':
      return { fill: true, clear: false };
    case 'updated':
    case 'unchanged':
      if (overwrite) return { fill: true, clear: true };
      return {
        fill: false,
        outcome: {
          outcome: 'skipped',
          reason: 'claim-exists',
          message: 'the claim exists; its data was left as it is',
        },
      };
    case 'skipped-exists':
      return {
        fill: false,
        outcome: {
          outcome: 'skipped',
          reason: 'claim-exists',
          message: 'the claim exists and was left alone, with its data',
        },
      };
    default:
      return {
        fill: false,
        outcome: {
          outcome: 'failed',
          message: `the claim was not written${outcome?.message ? `: ${outcome.message}` : ''}`,
        },
      };
  }
}

async function fillClaims(
  connection: ClusterConnection,
  movers: MoverSettings,
  work: Array<{ claim: ClaimToFill; decision: { fill: true; clear: boolean } }>,
  options: VolumeRestoreOptions,
  context: VolumeFillContext,
): Promise<VolumeOutcome[]> {
  const operation = new VolumeOperation(connection.client);
  const runner = new MoverRunner(connection.client, operation, movers);
  const limiter = new ConcurrencyLimiter(options.concurrency ?? DEFAULT_VOLUME_CONCURRENCY);
  let finished = 0;
  const progress = (
    key: string,
    step: 'restoring' | 'restored' | 'failed',
    done?: { bytesDone: number; filesDone: number },
  ) => {
    if (step !== 'restoring') finished++;
    context.onProgress({ volume: key, step, ...done, finished, volumes: work.length });
  };
  try {
    return await Promise.all(
      work.map(({ claim, decision }) =>
        limiter.run(async () => {
          const key = `${claim.namespace}/${claim.name}`;
          const snapshotId = claim.record.dataSnapshotId;
          if (!snapshotId && !decision.clear) {
            // An empty volume, restored as the new (empty) claim it already is.
            progress(key, 'restored');
            return {
              ...outcomeBase(claim),
              outcome: 'restored',
              bytes: 0,
              files: 0,
            } satisfies VolumeOutcome;
          }
          progress(key, 'restoring');
          const nodeName = decision.clear
            ? await nodeUsingClaim(connection, claim.namespace, claim.name)
            : undefined;
          const outcome = await runner.run(
            {
              script: 'restore',
              namespace: claim.namespace,
              claim: { name: claim.name, readOnly: false },
              nodeName,
              args: snapshotId ? ['restore', snapshotId, '--target', '/data'] : [],
              env: {
                ...(decision.clear ? { KB_CLEAR: '1' } : {}),
                ...(snapshotId ? {} : { KB_EMPTY: '1' }),
              },
            },
            moved =>
              context.onProgress({
                volume: key,
                step: 'restoring',
                ...moved,
                totalBytes: moved.totalBytes ?? claim.record.data?.bytes,
                totalFiles: moved.totalFiles ?? claim.record.data?.files,
                finished,
                volumes: work.length,
              }),
          );
          progress(key, outcome.ok ? 'restored' : 'failed');
          return {
            ...outcomeBase(claim),
            outcome: outcome.ok ? 'restored' : 'failed',
            ...(outcome.ok
              ? { bytes: claim.record.data?.bytes, files: claim.record.data?.files }
              : {}),
            durationMs: outcome.durationMs,
            ...(outcome.errors.length ? { message: outcome.errors.join('; ') } : {}),
          } satisfies VolumeOutcome;
        }),
      ),
    );
  } finally {
    await runner.finish();
    await operation.finish();
  }
}

/**
 * Source claims (`namespace/claim`) tagged with `tag`, or used by a workload that is: a
 * claim its pods mount, or one a StatefulSet made from its claim templates.
 */
function claimsTagged(objects: readonly PlannedObject[], tag: string): Set<string> {
  const tagged = new Set<string>();
  const claims = objects.flatMap(({ record }) =>
    record && record.group === '' && record.kind === 'PersistentVolumeClaim' ? [record] : [],
  );
  for (const { record, object } of objects) {
    if (!record?.tags?.includes(tag)) continue;
    if (record.group === '' && record.kind === 'PersistentVolumeClaim') {
      tagged.add(claimKey(record.namespace, record.name));
    }
    for (const volume of podTemplateOf(object)?.spec.volumes ?? []) {
      const claim = volume.persistentVolumeClaim?.claimName;
      if (claim) tagged.add(claimKey(record.namespace, claim));
    }
    for (const claim of claims) {
      if (claim.namespace === record.namespace && claimTemplateOf(object, claim.name)) {
        tagged.add(claimKey(claim.namespace, claim.name));
      }
    }
  }
  return tagged;
}
