import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes, type Discovery } from '../cluster/discovery';
import { mapConcurrent } from '../util/limiter';
import { waitForCrds } from './crd-readiness';
import { UserError } from '../errors';
import { abbreviateList, objectLabel } from './object-label';
import { countOutcomes } from './report';
import { checkTarget } from './target-checks';
import { lookupTargetNamespaces, type TargetNamespaces } from './target-namespaces';
import { checkWritePermissions } from './write-permissions';
import { crdNameOf, definitionsAmong, groupByTier, isCustomResource, TIERS } from './tiers';
import type {
  ExecuteOptions,
  ObjectOutcome,
  PlannedObject,
  ProgressCallback,
  RestoreReport,
  SafetyOverride,
  VolumeOutcome,
} from './types';
import { outcomeBase, verbsToWrite, writeObject, type WriteContext } from './write-object';

export const DEFAULT_RESTORE_CONCURRENCY = 32;
export const DEFAULT_CRD_TIMEOUT_MS = 60_000;

/** Objects ready to write, with what planning found worth telling. */
export interface RestorePlan {
  snapshotId: string;
  /** Final objects: names checked, privileged ones marked (plan-checks.ts). */
  objects: PlannedObject[];
  warnings: string[];
  /** Outcomes settled while planning: objects the repository could not give back. */
  skipped?: ObjectOutcome[];
  /**
   * Storage classes, as the plan names them, that the source cluster lacked at capture
   * too: their claims were Pending there, so a target without them is no reason to refuse.
   */
  storageClassesAbsentAtSource?: string[];
}

/**
 * Writes a plan tier by tier, concurrently within each tier, after checking the target
 * can take it: privileged objects only when accepted, every request allowed to the
 * credentials, storage classes and definitions present. Every object ends with an
 * outcome; one failing never stops the others.
 */
export async function executeRestorePlan(
  connection: ClusterConnection,
  plan: RestorePlan,
  options: ExecuteOptions = {},
  onProgress: ProgressCallback = () => undefined,
  known?: { discovery?: Discovery; namespaces?: TargetNamespaces },
): Promise<RestoreReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY;
  const { client } = connection;

  onProgress({ phase: 'checking' });
  const overrides = acceptPrivileged(plan.objects, options);
  const objects = options.volumeData
    ? await options.volumeData.prepare(plan.objects)
    : plan.objects;
  const [discovery, namespaces] = await Promise.all([
    known?.discovery ?? discoverResourceTypes(client),
    known?.namespaces ?? lookupTargetNamespaces(client, objects),
  ]);

  // In a dry run nothing is created, so the server cannot validate objects that need a
  // namespace or definition this restore would create first.
  const plannedCrds = definitionsAmong(objects);
  const pendingNamespaces = new Set<string>();
  const pendingCrds = new Set<string>();
  const context: WriteContext = {
    client,
    existing: options.existing ?? 'skip',
    dryRun,
    knownToExist: ({ type, object }) =>
      type.group === '' &&
      type.kind === 'Namespace' &&
      Boolean(namespaces.get(object.metadata.name ?? '')),
    notYetValidatable: planned => {
      const namespace = planned.object.metadata.namespace;
      if (namespace && pendingNamespaces.has(namespace)) {
        return `namespace ${namespace} does not exist yet`;
      }
      if (isCustomResource(planned.type) && pendingCrds.has(crdNameOf(planned.type))) {
        return `CustomResourceDefinition ${crdNameOf(planned.type)} does not exist yet`;
      }
      return undefined;
    },
  };

  const { unserved, warnings } = await checkTarget(
    client,
    discovery,
    objects,
    plan.storageClassesAbsentAtSource,
  );
  // Objects of types the target does not serve fail on their own; there is nothing to ask.
  const writable = objects.filter(planned => !unserved.has(planned));
  warnings.push(
    ...(await checkWritePermissions(connection, writable, planned =>
      verbsToWrite(context, planned),
    )),
  );

  const checked = Date.now();
  const outcomes: ObjectOutcome[] = [...(plan.skipped ?? [])];
  // Claims get their data once written, before anything that could mount them.
  let volumes: VolumeOutcome[] | undefined;
  const fillVolumes = async () =>
    (volumes ??= await options.volumeData?.fill(outcomes, {
      dryRun,
      onProgress: volume => onProgress({ phase: 'volumes', volume }),
    }));
  for (const { tier, items } of groupByTier(objects)) {
    if (tier.rank > TIERS.storage.rank) await fillVolumes();
    const blocked = new Map<PlannedObject, Blocker>();
    for (const planned of items) {
      const message = unserved.get(planned);
      if (message) blocked.set(planned, { reason: 'NotServed', message });
    }
    if (tier.rank === TIERS.custom.rank) {
      for (const [planned, message] of await customResourceBlockers(items)) {
        blocked.set(planned, { reason: 'DefinitionNotReady', message });
      }
    }
    let done = 0;
    onProgress({ phase: 'writing', tier: tier.name, done, total: items.length });
    const results = await mapConcurrent(items, concurrency, async planned => {
      const blocker = blocked.get(planned);
      const result: ObjectOutcome | undefined = blocker
        ? { ...outcomeBase(planned), outcome: 'failed', ...blocker }
        : await writeObject(context, planned);
      onProgress({ phase: 'writing', tier: tier.name, done: ++done, total: items.length });
      return result;
    });
    for (const result of results) {
      if (!result) continue;
      outcomes.push(result);
      if (
        dryRun &&
        result.outcome === 'created' &&
        result.group === '' &&
        result.kind === 'Namespace'
      ) {
        pendingNamespaces.add(result.name);
      }
      if (dryRun && result.outcome === 'created' && result.kind === 'CustomResourceDefinition') {
        pendingCrds.add(result.name);
      }
    }
  }
  await fillVolumes();

  return {
    snapshotId: plan.snapshotId,
    target: { context: connection.contextName, server: connection.server },
    dryRun,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    phases: { planningMs: 0, checkingMs: checked - started, writingMs: Date.now() - checked },
    objects: outcomes,
    counts: countOutcomes(outcomes),
    warnings: [...plan.warnings, ...warnings],
    overrides,
    concurrency,
    ...(volumes ? { volumes } : {}),
  };

  /** Waits for the definitions of these custom resources; returns those that cannot be written. */
  async function customResourceBlockers(
    items: PlannedObject[],
  ): Promise<Map<PlannedObject, string>> {
    const blockers = new Map<PlannedObject, string>();
    // Only definitions this restore writes can be new; a type the target already serves
    // otherwise (an aggregated API, an older definition) needs no waiting.
    const names = [
      ...new Set(
        items
          .map(planned => crdNameOf(planned.type))
          .filter(name => plannedCrds.has(name) && !pendingCrds.has(name)),
      ),
    ];
    if (names.length === 0) return blockers;
    onProgress({ phase: 'waiting', crds: names });
    const readiness = await waitForCrds(
      client,
      names,
      options.crdTimeoutMs ?? DEFAULT_CRD_TIMEOUT_MS,
    );
    for (const planned of items) {
      const name = crdNameOf(planned.type);
      if (!plannedCrds.has(name) || pendingCrds.has(name)) continue;
      const failed = readiness.failed.get(name);
      const versions = readiness.established.get(name);
      if (failed) blockers.set(planned, failed);
      else if (versions && !versions.has(planned.type.version)) {
        blockers.set(
          planned,
          `CustomResourceDefinition ${name} in the target does not serve version ${planned.type.version} (it serves ${[...versions].join(', ')})`,
        );
      }
    }
    return blockers;
  }
}

/**
 * Privileged objects are written only when the caller accepts them (each acceptance is
 * returned for the report); a dry run writes nothing and shows the marks instead.
 */
function acceptPrivileged(
  objects: readonly PlannedObject[],
  options: ExecuteOptions,
): SafetyOverride[] {
  const privileged = objects.filter(planned => planned.privileged?.length);
  if (privileged.length === 0 || options.dryRun) return [];
  const described = privileged.map(
    planned => `${objectLabel(planned)} (${planned.privileged!.join(', ')})`,
  );
  if (!options.acceptPrivileged) {
    throw new UserError(
      'privileged-content',
      `the restore would write privileged objects, so nothing was written: ${abbreviateList(described, 10)}`,
      { objects: privileged.map(objectLabel) },
    );
  }
  return privileged.map(planned => ({
    check: 'privileged-content',
    subject: objectLabel(planned),
    reason: planned.privileged!.join(', '),
  }));
}

/** Why an object fails without a request: its type is not served, or its definition never became ready. */
interface Blocker {
  reason: string;
  message: string;
}
