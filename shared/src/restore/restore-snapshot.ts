import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { loadRecords, type RecordSource } from '../catalog/snapshot-records';
import type { Snapshot } from '../snapshot/types';
import { DEFAULT_RESTORE_CONCURRENCY, executeRestorePlan, type RestorePlan } from './execute-plan';
import { impliedNamespaces } from './implied-namespaces';
import { detachMovedClaims } from './moved-claims';
import { selectObjects } from './select-records';
import { SnapshotObjects, typeOfRecord } from './snapshot-objects';
import { transformObjects } from './transforms/transform-objects';
import type {
  PlannedObject,
  ProgressCallback,
  RecordSelection,
  RestoreOptions,
  RestoreReport,
  TransformOptions,
} from './types';

/**
 * Chooses, loads and transforms what a restore will write. Nothing touches the target
 * cluster here, so every mistake in the options (an object not in the snapshot, a patch
 * rule that cannot apply) surfaces before the first write.
 */
export async function planRestore(
  source: RecordSource,
  snapshot: Snapshot,
  options: RecordSelection & TransformOptions & { concurrency?: number } = {},
  onProgress: ProgressCallback = () => undefined,
): Promise<RestorePlan> {
  const records = await loadRecords(source, snapshot);
  const contents = new SnapshotObjects(source, options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY);
  const { objects: loaded, warnings } = await selectObjects(
    records,
    contents,
    options,
    snapshot.id.slice(0, 8),
    (done, total) => onProgress({ phase: 'loading', done, total }),
  );
  const chosen: PlannedObject[] = loaded.map(({ record, object }) => ({
    type: typeOfRecord(record),
    object,
    record,
  }));
  const detached = detachMovedClaims(chosen, options.namespaceMapping);
  const transformed = transformObjects([...impliedNamespaces(detached), ...detached], options);
  if (chosen.length === 0) {
    warnings.push(`nothing in snapshot ${snapshot.id.slice(0, 8)} matches the selection`);
  }
  return {
    snapshotId: snapshot.id,
    objects: transformed.objects,
    warnings: [...warnings, ...transformed.warnings],
  };
}

/**
 * Restores a snapshot (or the part the options choose) into the connected cluster:
 * planned and checked first, then written tier by tier. Failures of single objects are in
 * the report; problems with the options or the target raise a UserError before any write.
 */
export async function restoreSnapshot(
  connection: ClusterConnection,
  source: RecordSource,
  snapshot: Snapshot,
  options: RestoreOptions = {},
  onProgress?: ProgressCallback,
): Promise<RestoreReport> {
  const started = Date.now();
  // Discovery needs nothing from the plan, so it runs while the snapshot is read.
  const discovery = discoverResourceTypes(connection.client);
  discovery.catch(() => undefined);
  const plan = await planRestore(source, snapshot, options, onProgress);
  const planningMs = Date.now() - started;
  const report = await executeRestorePlan(connection, plan, options, onProgress, {
    discovery: await discovery,
  });
  return {
    ...report,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    phases: { ...report.phases, planningMs },
  };
}
