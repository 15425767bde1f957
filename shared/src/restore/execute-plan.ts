import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes, type Discovery } from '../cluster/discovery';
import { mapConcurrent } from '../cluster/limiter';
import { waitForCrds } from './crd-readiness';
import { countOutcomes } from './report';
import { checkTarget } from './target-checks';
import { crdNameOf, groupByTier, isCustomResource, TIERS } from './tiers';
import type {
  ExecuteOptions,
  ObjectOutcome,
  PlannedObject,
  ProgressCallback,
  RestoreReport,
  VolumeOutcome,
} from './types';
import { outcomeBase, writeObject, type WriteContext } from './write-object';

export const DEFAULT_RESTORE_CONCURRENCY = 32;
export const DEFAULT_CRD_TIMEOUT_MS = 60_000;

/** Objects ready to write, with what planning found worth telling. */
export interface RestorePlan {
  snapshotId: string;
  objects: PlannedObject[];
  warnings: string[];
}

/**
 * Writes a plan tier by tier, concurrently within each tier, after checking the target
 * can take it. Every object ends with an outcome; one failing never stops the others.
 */
export async function executeRestorePlan(
  connection: ClusterConnection,
  plan: RestorePlan,
  options: ExecuteOptions = {},
  onProgress: ProgressCallback = () => undefined,
  known?: { discovery?: Discovery },
): Promise<RestoreReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY;
  const { client } = connection;

  onProgress({ phase: 'checking' });
  const objects = options.volumeData
    ? await options.volumeData.prepare(plan.objects)
    : plan.objects;
  const discovery = known?.discovery ?? (await discoverResourceTypes(client));
  const { unserved, warnings } = await checkTarget(client, discovery, objects);

  // In a dry run nothing is created, so the server cannot validate objects that need a
  // namespace or definition this restore would create first.
  const plannedCrds = new Set(
    objects
      .filter(
        ({ type }) =>
          type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition',
      )
      .map(({ object }) => object.metadata.name),
  );
  const pendingNamespaces = new Set<string>();
  const pendingCrds = new Set<string>();
  const context: WriteContext = {
    client,
    existing: options.existing ?? 'skip',
    dryRun,
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

  const checked = Date.now();
  const outcomes: ObjectOutcome[] = [];
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

/** Why an object fails without a request: its type is not served, or its definition never became ready. */
interface Blocker {
  reason: string;
  message: string;
}
