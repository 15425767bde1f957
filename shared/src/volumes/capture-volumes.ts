import type { ClusterConnection } from '../cluster/connect';
import { KubeApiError } from '../cluster/kube-api-error';
import { ConcurrencyLimiter, mapConcurrent } from '../util/limiter';
import { UserError } from '../errors';
import type { HookRecord, KubeObject, SnapshotError, VolumeData } from '../snapshot/types';
import {
  chooseMethod,
  groupByHooks,
  nodeOfSoleWriter,
  type PlannedClaim,
  type VolumeMethodChoice,
} from './capture-plan';
import { CsiSnapshots } from './csi-snapshot';
import { MoverRunner, type MoverProgress } from './mover';
import { DEFAULT_VOLUME_CONCURRENCY, moverSettings, type VolumeDataSettings } from './mover-access';
import { VolumeOperation } from './operation';
import { resticBackupArgs, resticBackupOutcome } from './restic-backup';
import { runHook } from './run-hook';
import { chooseClaims, claimKey, podsUsingClaim, type VolumeSelection } from './select-claims';
import type {
  VolumeCaptureInput,
  VolumeCaptureResult,
  VolumeDataCapture,
  VolumeStep,
} from './types';
import { ensureVolumeRepository, type VolumeDataRepository } from './volume-repository';

export interface VolumeCaptureOptions extends VolumeDataSettings {
  /** Which claims' data; default annotated. */
  selection?: VolumeSelection;
  /** auto (the default): a CSI snapshot where the claim's driver has a VolumeSnapshotClass, else fs. */
  method?: VolumeMethodChoice;
  /** Leave each VolumeSnapshot in the cluster as a fast local restore point. */
  keepVolumeSnapshots?: boolean;
}

/** What captureSnapshot calls once objects are stored, before the snapshot is saved. */
export function volumeDataCapture(
  connection: ClusterConnection,
  repository: VolumeDataRepository,
  options: VolumeCaptureOptions,
): VolumeDataCapture {
  return { capture: input => captureVolumes(connection, repository, options, input) };
}

/**
 * Captures the chosen claims' data through movers: per group of claims whose pods have
 * hooks, the pre-backup hooks run, each claim's point in time is fixed (a CSI snapshot, or
 * for fs the copy itself), the post-backup hooks run (also after a failed pre-hook), and
 * snapshots are then cloned and copied. A claim that fails is recorded with the reason and
 * the others go on; the reach of the repository is checked before any pod starts.
 */
async function captureVolumes(
  connection: ClusterConnection,
  repository: VolumeDataRepository,
  options: VolumeCaptureOptions,
  input: VolumeCaptureInput,
): Promise<VolumeCaptureResult> {
  const records = new Map(
    input.volumes.map(volume => [claimKey(volume.namespace, volume.claim), { ...volume }]),
  );
  const { chosen, left } = chooseClaims(input.items, options.selection ?? 'annotated');
  for (const [key, reason] of left) {
    const record = records.get(key);
    if (record) record.data = { status: 'not-captured', reason };
  }
  if (chosen.length === 0) return { volumes: [...records.values()], errors: [] };

  const movers = await moverSettings(options, repository.volumeDataPassword());
  const operation = new VolumeOperation(connection.client);
  const runner = new MoverRunner(connection.client, operation, movers);
  const csi = new CsiSnapshots(connection.client, operation);
  const limiter = new ConcurrencyLimiter(options.concurrency ?? DEFAULT_VOLUME_CONCURRENCY);
  const errors: SnapshotError[] = [];
  let finished = 0;
  const progress = (key: string, step: VolumeStep, moved?: MoverProgress) => {
    if (step === 'captured' || step === 'failed') finished++;
    input.onProgress?.({ volume: key, step, ...moved, finished, volumes: chosen.length });
  };
  const settle = (planned: { key: string; claim: KubeObject }, data: VolumeData, id?: string) => {
    const record = records.get(planned.key);
    if (!record) return;
    record.data = data;
    if (id) record.dataSnapshotId = id;
    if (data.status === 'failed' || data.errors?.length) {
      errors.push({
        resource: 'persistentvolumeclaims',
        namespace: planned.claim.metadata.namespace,
        name: planned.claim.metadata.name,
        message: `volume data ${data.status === 'failed' ? 'not captured' : 'captured with errors'}: ${(data.errors ?? []).join('; ')}`,
      });
    }
    progress(planned.key, data.status === 'captured' ? 'captured' : 'failed');
  };

  try {
    await Promise.all(
      [...new Set(chosen.map(claim => claim.metadata.namespace ?? ''))].map(namespace =>
        runner.prepare(namespace),
      ),
    );
    const ready = await ensureVolumeRepository(
      repository,
      runner,
      chosen[0].metadata.namespace ?? '',
    );
    const planned: PlannedClaim[] = [];
    for (const claim of chosen) {
      const key = claimKey(claim.metadata.namespace, claim.metadata.name);
      if (!ready.ok) {
        settle({ key, claim }, { status: 'failed', errors: [ready.reason] });
        continue;
      }
      const method = await chooseMethod(csi, claim, options.method ?? 'auto');
      if ('problem' in method)
        settle({ key, claim }, { status: 'failed', errors: [method.problem] });
      else planned.push({ claim, key, ...method, users: podsUsingClaim(input.items, claim) });
    }
    const { units, broken } = groupByHooks(planned);
    for (const [claim, problem] of broken) settle(claim, { status: 'failed', errors: [problem] });

    await mapConcurrent(units, limiter.limit, async unit => {
      const started = Date.now();
      const copy = async (claim: PlannedClaim, from: string, fromSnapshot: boolean) => {
        progress(claim.key, 'copying');
        const tag = `kube-backup-volume=${operation.id}-${claim.key.replace('/', '.')}`;
        const outcome = await limiter.run(() =>
          runner.run(
            {
              script: 'backup',
              namespace: claim.claim.metadata.namespace ?? '',
              claim: { name: from, readOnly: true },
              nodeName: fromSnapshot ? undefined : nodeOfSoleWriter(claim),
              args: resticBackupArgs({
                host: `${input.cluster}/${claim.key}`,
                tag,
                claim: claim.key,
                snapshot: input.snapshotId,
                fromSnapshot,
              }),
            },
            moved => progress(claim.key, 'copying', moved),
          ),
        );
        return resticBackupOutcome(outcome, repository);
      };

      const hooks: HookRecord[] = [];
      const runHooks = async (phase: 'pre' | 'post') => {
        const todo = unit.pods.flatMap(({ pod, hooks: specs }) =>
          specs.filter(spec => spec.phase === phase).map(spec => ({ pod, spec })),
        );
        if (todo.length === 0) return [];
        for (const claim of unit.claims)
          progress(claim.key, phase === 'pre' ? 'pre-hooks' : 'post-hooks');
        const ran = await Promise.all(todo.map(({ pod, spec }) => runHook(connection, pod, spec)));
        hooks.push(...ran);
        return ran;
      };
      const hookFailures = (ran: HookRecord[]) =>
        ran
          .filter(record => record.outcome !== 'succeeded' && record.onError === 'fail')
          .map(
            record =>
              `${record.phase}-backup hook in pod ${record.pod} (${record.container}) ${record.outcome === 'timed-out' ? 'timed out' : 'failed'}: ${record.message ?? `exit code ${record.exitCode}`}`,
          );

      const copied = new Map<PlannedClaim, Awaited<ReturnType<typeof copy>>>();
      const kept = new Map<PlannedClaim, string>();
      const keepFailures = new Map<PlannedClaim, string>();
      const snapshots = new Map<PlannedClaim, { name: string; restoreSize?: string }>();
      const failures = new Map<PlannedClaim, string[]>();
      let pre: HookRecord[] = [];
      let post: HookRecord[] = [];
      try {
        pre = await runHooks('pre');
        const preFailures = hookFailures(pre);
        if (preFailures.length > 0) {
          for (const claim of unit.claims) failures.set(claim, preFailures);
        } else {
          await Promise.all(
            unit.claims.map(async claim => {
              if (claim.method === 'fs') {
                copied.set(claim, await copy(claim, claim.claim.metadata.name ?? '', false));
                return;
              }
              progress(claim.key, 'snapshot');
              try {
                snapshots.set(claim, await csi.take(claim.claim, claim.snapshotClass ?? ''));
              } catch (error) {
                if (!(error instanceof UserError)) throw error;
                failures.set(claim, [error.message]);
              }
            }),
          );
        }
      } finally {
        post = await runHooks('post');
      }
      const postFailures = hookFailures(post);

      await Promise.all(
        [...snapshots].map(async ([claim, snapshot]) => {
          const namespace = claim.claim.metadata.namespace ?? '';
          let clone: string | undefined;
          try {
            clone = await csi.clone(claim.claim, snapshot);
            copied.set(claim, await copy(claim, clone, true));
          } catch (error) {
            if (!(error instanceof UserError) && !(error instanceof KubeApiError)) throw error;
            failures.set(claim, [(error as Error).message]);
          } finally {
            if (clone) await csi.deleteClone(namespace, clone).catch(() => undefined);
            if (options.keepVolumeSnapshots && copied.get(claim)?.ok) {
              try {
                await csi.keep(namespace, snapshot.name, input.snapshotId);
                kept.set(claim, snapshot.name);
              } catch (error) {
                if (!(error instanceof KubeApiError)) throw error;
                keepFailures.set(claim, `the VolumeSnapshot could not be kept: ${error.message}`);
              }
            }
            if (!kept.has(claim)) {
              await csi.deleteSnapshot(namespace, snapshot.name).catch(() => undefined);
            }
          }
        }),
      );

      const consistency =
        pre.length > 0 && pre.every(record => record.outcome === 'succeeded')
          ? 'application'
          : 'crash';
      for (const claim of unit.claims) {
        const result = copied.get(claim);
        const failed = failures.get(claim) ?? (result && !result.ok ? result.errors : undefined);
        const base = { method: claim.method, hooks: hooks.length ? hooks : undefined };
        if (failed || !result) {
          settle(claim, {
            status: 'failed',
            ...base,
            durationMs: Date.now() - started,
            errors: [...(failed ?? ['nothing was copied']), ...postFailures],
          });
          continue;
        }
        const keepFailure = keepFailures.get(claim);
        const errors = [...result.errors, ...postFailures, ...(keepFailure ? [keepFailure] : [])];
        settle(
          claim,
          {
            status: 'captured',
            ...base,
            consistency,
            bytes: result.bytes,
            files: result.files,
            addedBytes: result.addedBytes,
            durationMs: Date.now() - started,
            ...(errors.length ? { errors } : {}),
            ...(kept.has(claim) ? { volumeSnapshot: kept.get(claim) } : {}),
          },
          result.snapshotId,
        );
      }
    });
  } finally {
    await runner.finish();
    await operation.finish();
  }
  return { volumes: [...records.values()], errors };
}
