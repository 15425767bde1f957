import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { loadRecords, type RecordSource } from '../catalog/snapshot-records';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import { DEFAULT_RESTORE_CONCURRENCY, executeRestorePlan, type RestorePlan } from './execute-plan';
import { guardClusterScopedObjects } from './cluster-scoped-objects';
import { impliedNamespaces } from './implied-namespaces';
import { checkMappingsMatch } from './mapping-coverage';
import { damagedOutcomes, finishPlanObjects } from './plan-checks';
import { checkProtectedTargets } from './protected-targets';
import { lookupTargetNamespaces } from './target-namespaces';
import { detachMovedClaims } from './moved-claims';
import { selectObjects } from './select-records';
import {
  SnapshotObjects,
  typeOfRecord,
  type DamagedObject,
  type LoadedObject,
} from './snapshot-objects';
import { transformObjects } from './transforms/transform-objects';
import type {
  PlannedObject,
  ProgressCallback,
  RecordSelection,
  RestoreOptions,
  RestoreReport,
  TransformOptions,
} from './types';

/** The objects a restore chose and loaded, with what choosing found worth telling. */
export interface SelectedObjects {
  objects: LoadedObject[];
  warnings: string[];
  /** Chosen objects the repository could not give back. */
  damaged: DamagedObject[];
}

/**
 * What a kind of restore does differently from a plain one (a hydration is a restore with
 * such a profile): how it chooses the objects, and what it changes around the transforms.
 * Everything else, from the mapping checks to the final name checks, is the same pipeline.
 */
export interface RestoreProfile {
  /** The snapshot's records, when the caller has read them already. */
  records?: readonly ObjectRecord[];
  /** Chooses and loads the objects instead of the options' record selection. */
  select?: (
    records: readonly ObjectRecord[],
    contents: SnapshotObjects,
    onLoad: (done: number, total: number) => void,
  ) => Promise<SelectedObjects>;
  /** Changes the chosen objects before the transforms, while they have their source names. */
  beforeTransform?: (objects: PlannedObject[]) => PlannedObject[];
  /** Changes the transformed objects, which have their target names. */
  afterTransform?: (objects: PlannedObject[]) => PlannedObject[];
}

export type PlanOptions = RecordSelection &
  TransformOptions &
  Pick<RestoreOptions, 'skipDamaged'> & { concurrency?: number };

/**
 * Chooses, loads and transforms what a restore will write. Nothing touches the target
 * cluster here, so every mistake in the options (an object not in the snapshot, a mapping
 * that matches nothing, a name the API server would refuse, a patch rule that cannot apply,
 * a damaged object) surfaces before the first write.
 */
export async function planRestore(
  source: RecordSource,
  snapshot: Snapshot,
  options: PlanOptions = {},
  onProgress: ProgressCallback = () => undefined,
  profile: RestoreProfile = {},
): Promise<RestorePlan> {
  const snapshotLabel = snapshot.id.slice(0, 8);
  const records = profile.records ?? (await loadRecords(source, snapshot));
  const contents = new SnapshotObjects(source, options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY);
  const onLoad = (done: number, total: number) => onProgress({ phase: 'loading', done, total });
  const {
    objects: loaded,
    warnings,
    damaged,
  } = profile.select
    ? await profile.select(records, contents, onLoad)
    : await selectObjects(records, contents, options, snapshotLabel, onLoad);
  const chosen: PlannedObject[] = loaded.map(({ record, object }) => ({
    type: typeOfRecord(record),
    object,
    record,
  }));
  // With nothing chosen every mapping would "match nothing"; the warning says why instead.
  if (chosen.length > 0) checkMappingsMatch(chosen, options);
  else if (damaged.length === 0) {
    warnings.push(`nothing in snapshot ${snapshotLabel} matches the selection`);
  }
  const skipped = damagedOutcomes(
    damaged,
    options.skipDamaged ?? false,
    snapshotLabel,
    namespace =>
      namespace === undefined ? undefined : (options.namespaceMapping?.[namespace] ?? namespace),
  );
  const detached = detachMovedClaims(chosen, options.namespaceMapping);
  const guarded = guardClusterScopedObjects(detached, options.namespaceMapping);
  const adjusted = profile.beforeTransform?.(guarded.objects) ?? guarded.objects;
  const transformed = transformObjects([...impliedNamespaces(adjusted), ...adjusted], options);
  return {
    snapshotId: snapshot.id,
    objects: finishPlanObjects(
      profile.afterTransform?.(transformed.objects) ?? transformed.objects,
    ),
    warnings: [...warnings, ...guarded.warnings, ...transformed.warnings],
    skipped,
    storageClassesAbsentAtSource: storageClassesAbsentAtSource(
      snapshot,
      options.storageClassMapping ?? {},
    ),
  };
}

/**
 * The storage classes the source cluster lacked at capture that the plan still names as
 * they were: a mapped class is the caller's choice for the target, which must exist.
 */
function storageClassesAbsentAtSource(
  snapshot: Snapshot,
  mapping: Readonly<Record<string, string>>,
): string[] {
  const mapped = new Set([...Object.keys(mapping), ...Object.values(mapping)]);
  return (snapshot.storageClasses ?? [])
    .filter(({ name, existed }) => !existed && !mapped.has(name))
    .map(({ name }) => name);
}

/**
 * Restores a snapshot (or the part the options choose) into the connected cluster:
 * planned and checked first, then written tier by tier. Failures of single objects are in
 * the report; problems with the options or the target (a namespace labelled protected,
 * unless allowed) raise a UserError before any write.
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
  onProgress?.({ phase: 'checking' });
  const namespaces = await lookupTargetNamespaces(connection.client, plan.objects);
  const overrides = checkProtectedTargets(namespaces, options.allowProtected ?? false);
  const report = await executeRestorePlan(connection, plan, options, onProgress, {
    discovery: await discovery,
    namespaces,
  });
  return {
    ...report,
    overrides: [...overrides, ...report.overrides],
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    phases: { ...report.phases, planningMs },
  };
}
