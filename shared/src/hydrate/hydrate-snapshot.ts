import { HYDRATED_FROM_LABEL } from '../capture/annotations';
import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { KubeApiError } from '../cluster/kube-api-error';
import {
  countOutcomes,
  DEFAULT_RESTORE_CONCURRENCY,
  executeRestorePlan,
  planRestore,
  type ExistingDecision,
  type ExistingPolicy,
} from '../restore';
import type { KubeObject } from '../snapshot/types';
import { deleteStaleHydratedObjects } from './delete-stale';
import { chooseSnapshot } from './find-snapshot';
import { checkHydrateOptions, hydrationRestore } from './profile';
import { checkHydrationTarget } from './protection';
import { missingSecrets } from './referenced-secrets';
import type { HydrateOptions, HydrateReport, HydrateSource } from './types';

/**
 * Fills a dev or test namespace with production components from a snapshot, with safe
 * defaults: protected namespaces are refused before anything is written (protection.ts),
 * Secrets stay behind unless asked for, workloads are scaled down and autoscalers that
 * would undo that are left out, Ingresses that would take production's traffic are left
 * out (or moved to other hosts), privileged workloads need the caller's consent, and
 * everything written carries the snapshot it came from. With `refresh`, objects an earlier
 * hydration labelled are updated in place and those the same choice of components made
 * earlier and this one no longer has are deleted; objects without the label, or hydrated
 * for another choice, are never deleted.
 */
export async function hydrateSnapshot(
  connection: ClusterConnection,
  source: HydrateSource,
  options: HydrateOptions,
): Promise<HydrateReport> {
  const started = Date.now();
  const onProgress = options.onProgress ?? (() => undefined);
  const target = options.targetNamespace;
  checkHydrateOptions(options);
  const dryRun = options.dryRun ?? false;
  const discovering = discoverResourceTypes(connection.client);
  discovering.catch(() => undefined);

  const chosen = await chooseSnapshot(source, options, {
    snapshot: options.snapshot,
    sourceNamespace: options.sourceNamespace,
  });
  const { snapshot, sourceNamespace } = chosen;
  const discovery = await discovering;
  const { live, overrides } = await checkHydrationTarget(connection, {
    snapshot,
    sourceNamespace,
    targetNamespace: target,
    protectedNamespaces: options.protectedNamespaces ?? [],
    allowNamespaces: options.allowNamespaces ?? [],
    allowSource: options.allowSource ?? false,
    types: discovery.types,
  });

  const hydration = hydrationRestore(chosen, options);
  const { hydratedFrom, selection } = hydration;
  const concurrency = options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY;
  const plan = await planRestore(
    source,
    snapshot,
    hydration.options,
    onProgress,
    hydration.profile,
  );

  const refresh = options.refresh ?? false;
  // Without a refresh every existing object is left alone, which a plain create answers.
  const existing: ExistingDecision = refresh
    ? (existingObject: KubeObject): ExistingPolicy =>
        existingObject.metadata.labels?.[HYDRATED_FROM_LABEL] !== undefined ? 'update' : 'skip'
    : 'skip';
  const planningMs = Date.now() - started;
  const report = await executeRestorePlan(
    connection,
    plan,
    {
      existing,
      dryRun,
      concurrency,
      crdTimeoutMs: options.crdTimeoutMs,
      acceptPrivileged: options.acceptPrivileged,
      volumeData: options.volumeData?.(snapshot),
    },
    onProgress,
    { discovery, namespaces: new Map([[target, live]]) },
  );
  const deleting = Date.now();
  if (refresh) {
    const stale = await deleteStaleHydratedObjects(
      connection.client,
      discovery.types,
      target,
      plan.objects,
      {
        selection,
        dryRun,
        concurrency,
        onProgress: (done, total) => onProgress({ phase: 'deleting', done, total }),
      },
    );
    report.objects.push(...stale.outcomes);
    report.warnings.push(...stale.warnings);
  }

  const present = await secretsIn(connection, target);
  return {
    ...report,
    counts: countOutcomes(report.objects),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    phases: {
      planningMs,
      checkingMs: report.phases.checkingMs,
      writingMs: report.phases.writingMs + (Date.now() - deleting),
    },
    snapshot: {
      id: snapshot.id,
      name: snapshot.name,
      time: snapshot.time,
      cluster: snapshot.cluster.name,
    },
    sourceNamespace,
    targetNamespace: target,
    hydratedFrom,
    missingSecrets: missingSecrets(plan.objects, present),
    overrides: [...overrides, ...report.overrides],
    leftOutIngresses: hydration.leftOutIngresses,
    droppedAutoscalers: hydration.droppedAutoscalers,
  };
}

async function secretsIn(connection: ClusterConnection, namespace: string): Promise<Set<string>> {
  try {
    const list = await connection.client.request<{ items?: KubeObject[] }>({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
    });
    return new Set((list.items ?? []).map(item => item.metadata.name ?? ''));
  } catch (error) {
    if (error instanceof KubeApiError) return new Set();
    throw error;
  }
}
