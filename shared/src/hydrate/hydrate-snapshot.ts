import {
  namespaceNameProblem,
  subdomainProblem,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { HYDRATED_FROM_LABEL } from '../capture/annotations';
import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import { checkMappingsMatch } from '../restore/mapping-coverage';
import { damagedOutcomes, finishPlanObjects } from '../restore/plan-checks';
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
import type { ExistingDecision, ExistingPolicy } from '../restore/types';
import type { KubeObject, ObjectRecord } from '../snapshot/types';
import { autoscalersToDrop } from './autoscalers';
import { chooseComponents } from './components';
import { deleteStaleHydratedObjects } from './delete-stale';
import { chooseSnapshot } from './find-snapshot';
import { leaveOutCompetingIngresses, productionHosts, rewriteIngressHosts } from './ingress-hosts';
import { checkHydrationTarget } from './protection';
import { missingSecrets } from './referenced-secrets';
import {
  HYDRATED_FROM_SNAPSHOT_ANNOTATION,
  HYDRATED_SELECTION_ANNOTATION,
  hydratedFromLabelValue,
  hydrationSelection,
} from './labels';
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
  const problem = namespaceNameProblem(target);
  if (problem) {
    throw new UserError(
      'invalid-argument',
      `"${target}" is not a valid namespace name: ${problem}`,
    );
  }
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new UserError('invalid-argument', `replicas must be a whole number ≥ 0, not ${replicas}`);
  }
  const suffix = options.ingressHostSuffix;
  const suffixProblem = suffix === undefined ? undefined : subdomainProblem(suffix);
  if (suffixProblem) {
    throw new UserError('invalid-argument', `Ingress host suffix "${suffix}" is ${suffixProblem}`);
  }
  const concurrency = options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY;
  const dryRun = options.dryRun ?? false;
  const discovering = discoverResourceTypes(connection.client);
  discovering.catch(() => undefined);

  const { snapshot, records, sourceNamespace } = await chooseSnapshot(source, options, {
    snapshot: options.snapshot,
    sourceNamespace: options.sourceNamespace,
  });
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

  const inSource = records.filter(
    record => record.namespace === sourceNamespace || record.namespace === undefined,
  );
  const contents = new SnapshotObjects(source, concurrency);
  const loaded = await contents.load(inSource, (done, total) =>
    onProgress({ phase: 'loading', done, total }),
  );
  const { components, clusterScoped } = chooseComponents(records, loaded, sourceNamespace, options);
  const copySecrets = options.secrets === 'copy';
  // Which damaged objects the choice needed cannot be told from their content, so every
  // damaged object of the source namespace that would be copied counts.
  const damaged = contents
    .damaged()
    .filter(
      ({ record }) =>
        record.namespace === sourceNamespace &&
        record.restorable &&
        (copySecrets || !isSecret(record)),
    );
  const skipped = damagedOutcomes(
    damaged,
    options.skipDamaged ?? false,
    snapshot.id.slice(0, 8),
    () => target,
  );
  const dropped = autoscalersToDrop(components, replicas);
  const chosen = components.filter(
    item => !dropped.has(item) && (copySecrets || !isSecret(item.record)),
  );
  const warnings = clusterScopedLeftOut(clusterScoped);

  const hydratedFrom = hydratedFromLabelValue(snapshot.id);
  const selection = hydrationSelection(sourceNamespace, options);
  const extra = options.transforms ?? {};
  const planned = detachMovedClaims(
    chosen.map(({ record, object }) => ({ type: typeOfRecord(record), object, record })),
    { [sourceNamespace]: target },
  );
  checkMappingsMatch(planned, extra);
  const transformed = transformObjects(
    [...impliedNamespaces(planned), ...rewriteIngressHosts(planned, suffix)],
    {
      ...extra,
      namespaceMapping: { [sourceNamespace]: target },
      replicas,
      addLabels: { ...extra.addLabels, [HYDRATED_FROM_LABEL]: hydratedFrom },
      addAnnotations: {
        ...extra.addAnnotations,
        [HYDRATED_FROM_SNAPSHOT_ANNOTATION]: snapshot.id,
        [HYDRATED_SELECTION_ANNOTATION]: selection,
      },
    },
  );
  const ingresses = leaveOutCompetingIngresses(transformed.objects, productionHosts(loaded));
  const plan: RestorePlan = {
    snapshotId: snapshot.id,
    objects: finishPlanObjects(ingresses.objects),
    warnings: [...warnings, ...transformed.warnings],
    skipped,
  };

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
    leftOutIngresses: ingresses.leftOut,
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
