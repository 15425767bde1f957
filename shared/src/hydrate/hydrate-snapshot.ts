import { HYDRATED_FROM_LABEL } from '../capture/annotations';
import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import {
  DEFAULT_RESTORE_CONCURRENCY,
  executeRestorePlan,
  type RestorePlan,
} from '../restore/execute-plan';
import { impliedNamespaces } from '../restore/implied-namespaces';
import { detachMovedClaims } from '../restore/moved-claims';
import { countOutcomes } from '../restore/report';
import { SnapshotObjects, typeOfRecord, type LoadedObject } from '../restore/snapshot-objects';
import { transformObjects } from '../restore/transforms/transform-objects';
import type { ExistingPolicy } from '../restore/types';
import type { KubeObject, ObjectRecord } from '../snapshot/types';
import { autoscalersToDrop } from './autoscalers';
import { chooseComponents } from './components';
import { deleteStaleHydratedObjects } from './delete-stale';
import { chooseSnapshot } from './find-snapshot';
import { checkHydrationTarget } from './protection';
import { missingSecrets } from './referenced-secrets';
import {
  HYDRATED_FROM_SNAPSHOT_ANNOTATION,
  HYDRATED_SELECTION_ANNOTATION,
  hydratedFromLabelValue,
  hydrationSelection,
} from './labels';
import type { HydrateOptions, HydrateReport, HydrateSource } from './types';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Fills a dev or test namespace with production components from a snapshot, with safe
 * defaults: protected and source namespaces are refused before anything is written,
 * Secrets stay behind unless asked for, workloads are scaled down and autoscalers that
 * would undo that are left out, and everything written carries the snapshot it came from.
 * With `refresh`, objects an earlier hydration labelled are updated in place and those the
 * same choice of components made earlier and this one no longer has are deleted; objects
 * without the label, or hydrated for another choice, are never deleted.
 */
export async function hydrateSnapshot(
  connection: ClusterConnection,
  source: HydrateSource,
  options: HydrateOptions,
): Promise<HydrateReport> {
  const started = Date.now();
  const onProgress = options.onProgress ?? (() => undefined);
  const target = options.targetNamespace;
  if (!DNS_LABEL.test(target)) {
    throw new UserError('invalid-argument', `"${target}" is not a valid namespace name`);
  }
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new UserError('invalid-argument', `replicas must be a whole number ≥ 0, not ${replicas}`);
  }
  const concurrency = options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY;
  const dryRun = options.dryRun ?? false;

  const { snapshot, records, sourceNamespace } = await chooseSnapshot(source, options, {
    snapshot: options.snapshot,
    sourceNamespace: options.sourceNamespace,
  });
  await checkHydrationTarget(
    connection,
    snapshot,
    sourceNamespace,
    target,
    options.allowSource ?? false,
  );

  const inSource = records.filter(
    record => record.namespace === sourceNamespace || record.namespace === undefined,
  );
  const loaded = await new SnapshotObjects(source, concurrency).load(inSource, (done, total) =>
    onProgress({ phase: 'loading', done, total }),
  );
  const { components, clusterScoped } = chooseComponents(records, loaded, sourceNamespace, options);
  const dropped = autoscalersToDrop(components, replicas);
  const copySecrets = options.secrets === 'copy';
  const chosen = components.filter(
    item => !dropped.has(item) && (copySecrets || !isSecret(item.record)),
  );
  const warnings = clusterScopedLeftOut(clusterScoped);

  const hydratedFrom = hydratedFromLabelValue(snapshot.id);
  const selection = hydrationSelection(sourceNamespace, options);
  const planned = detachMovedClaims(
    chosen.map(({ record, object }) => ({ type: typeOfRecord(record), object, record })),
    { [sourceNamespace]: target },
  );
  const extra = options.transforms ?? {};
  const transformed = transformObjects([...impliedNamespaces(planned), ...planned], {
    ...extra,
    namespaceMapping: { [sourceNamespace]: target },
    replicas,
    addLabels: { ...extra.addLabels, [HYDRATED_FROM_LABEL]: hydratedFrom },
    addAnnotations: {
      ...extra.addAnnotations,
      [HYDRATED_FROM_SNAPSHOT_ANNOTATION]: snapshot.id,
      [HYDRATED_SELECTION_ANNOTATION]: selection,
    },
  });
  const plan: RestorePlan = {
    snapshotId: snapshot.id,
    objects: transformed.objects,
    warnings: [...warnings, ...transformed.warnings],
  };

  const refresh = options.refresh ?? false;
  const existing = (live: KubeObject): ExistingPolicy =>
    refresh && live.metadata.labels?.[HYDRATED_FROM_LABEL] !== undefined ? 'update' : 'skip';
  const planningMs = Date.now() - started;
  const discovery = await discoverResourceTypes(connection.client);
  const report = await executeRestorePlan(
    connection,
    plan,
    {
      existing,
      dryRun,
      concurrency,
      crdTimeoutMs: options.crdTimeoutMs,
      volumeData: options.volumeData?.(snapshot),
    },
    onProgress,
    { discovery },
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
    droppedAutoscalers: [...dropped].map(({ object }) => {
      const spec = object.spec as { scaleTargetRef?: { kind?: string; name?: string } };
      return `HorizontalPodAutoscaler/${object.metadata.name} (scales ${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name})`;
    }),
  };
}

function isSecret(record: ObjectRecord): boolean {
  return record.group === '' && record.kind === 'Secret';
}

function clusterScopedLeftOut(objects: LoadedObject[]): string[] {
  const names = objects
    .filter(({ record }) => !(record.group === '' && record.kind === 'Namespace'))
    .map(({ record }) => `${record.kind}/${record.name}`);
  if (names.length === 0) return [];
  const shown =
    names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
  return [`cluster-scoped dependencies left out (a hydration writes only its namespace): ${shown}`];
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
