import type { JsonObject } from '@backstage/types';
import type {
  HydrationJob,
  HydrationPlan,
  HydrationPlanKind,
  HydrationRequestBody,
  HydrationTarget,
  PlannedObjectOutcome,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  discoverResourceTypes,
  type HydrateReport,
  type ResourceType,
  type Snapshot,
} from '@kube-backup/core';
import type { HydrationTargetConfig } from '../config';
import type { HydrationStore } from '../database/HydrationStore';
import type { EntityContext } from './AccessPolicy';
import type { HydrateCall } from './engine';
import { hydrationSourceNamespace, type EntityScope } from './EntityScope';
import type { JobProgress, JobServiceDeps } from './JobRunner';

/** A hydration checked and resolved: who may, where to, from which snapshot and namespace. */
interface Prepared {
  context: EntityContext;
  body: HydrationRequestBody;
  scope: EntityScope;
  target: HydrationTargetConfig;
  snapshot: Snapshot;
  sourceNamespace?: string;
}

/**
 * Hydrations of an entity into dev/test namespaces: the targets a caller may use, the plan
 * a hydration would write (a server dry run), and the hydration itself as a job. Both check
 * the same way (the access policy: ownership, target, namespace patterns, protected
 * namespaces, Secrets) and choose the same objects (core's hydration of the entity's claim).
 */
export class HydrationService {
  constructor(
    private readonly deps: JobServiceDeps & {
      store: HydrationStore;
      protectedNamespaces: string[];
    },
  ) {}

  /** The targets this caller may hydrate the entity into; none when they may not hydrate. */
  async targets(context: EntityContext): Promise<HydrationTarget[]> {
    this.deps.entities.scope(context); // an ungranted claim is refused here too
    return this.deps.policy.hydrationTargets(context);
  }

  /** What the hydration would write, by kind, as the target's API server sees it now. */
  async plan(context: EntityContext, body: HydrationRequestBody): Promise<HydrationPlan> {
    const prepared = await this.prepare(context, body);
    const { report, types } = await this.deps.clusters.withConnection(
      prepared.target.cluster,
      async connection => {
        const [hydrated, discovery] = await Promise.all([
          this.hydrate(prepared, connection, { dryRun: true }),
          discoverResourceTypes(connection.client),
        ]);
        return { report: hydrated, types: discovery.types };
      },
    );
    return toPlan(prepared, report, types);
  }

  /** Starts the hydration as a job; its progress and end are in the job's record. */
  async start(context: EntityContext, body: HydrationRequestBody): Promise<HydrationJob> {
    const prepared = await this.prepare(context, body);
    const job = await this.deps.store.create({
      entityRef: context.entityRef,
      snapshotId: prepared.snapshot.id,
      target: prepared.target.name,
      cluster: prepared.target.cluster,
      namespace: body.namespace,
      createdBy: context.credentials.principal.userEntityRef,
    });
    this.deps.runner.start({
      id: job.id,
      records: this.deps.store,
      audit: {
        eventId: 'hydration-run',
        severityLevel: 'medium',
        meta: {
          actor: job.createdBy,
          jobId: job.id,
          entityRef: job.entityRef,
          snapshotId: job.snapshotId,
          target: job.target,
          cluster: job.cluster,
          namespace: job.namespace,
        },
      },
      startMessage: `hydrating ${job.entityRef} from snapshot ${job.snapshotId.slice(0, 12)} into ${job.cluster}/${job.namespace}`,
      work: progress => this.run(prepared, progress),
    });
    return job;
  }

  list(entityRef: string): Promise<HydrationJob[]> {
    return this.deps.store.listForEntity(entityRef);
  }

  get(id: string): Promise<HydrationJob | undefined> {
    return this.deps.store.get(id);
  }

  /** Everything checked before anything runs, so a refusal is an answer, not a failed job. */
  private async prepare(context: EntityContext, body: HydrationRequestBody): Promise<Prepared> {
    const { entities, policy, snapshots } = this.deps;
    const scope = entities.requireScope(context);
    const target = await policy.checkHydration(context, body);
    const snapshot = await snapshots.entitySnapshot(scope, body.snapshotId);
    // A claim whose objects span namespaces cannot be copied into one: refused now.
    const sourceNamespace = hydrationSourceNamespace(
      scope,
      await snapshots.entityNamespaces(scope, snapshot),
    );
    return { context, body, scope, target, snapshot, sourceNamespace };
  }

  private async run(prepared: Prepared, progress: JobProgress) {
    const report = await this.deps.clusters.withConnection(prepared.target.cluster, connection =>
      this.hydrate(prepared, connection, { onProgress: progress.progress, log: progress.log }),
    );
    const meta: JsonObject = { counts: report.counts, hydratedFrom: report.hydratedFrom };
    return { report, meta };
  }

  private async hydrate(
    prepared: Prepared,
    connection: HydrateCall['connection'],
    call: Partial<Pick<HydrateCall, 'dryRun' | 'onProgress' | 'log'>>,
  ): Promise<HydrateReport> {
    const { scope, snapshot, sourceNamespace, body } = prepared;
    return this.deps.engine.hydrate({
      connection,
      repository: await this.deps.snapshots.repository(),
      snapshot,
      entityId: scope.id,
      labelSelector: scope.selectorText,
      sourceNamespace,
      targetNamespace: body.namespace,
      protectedNamespaces: this.deps.protectedNamespaces,
      includeSecrets: body.includeSecrets ?? false,
      replicas: body.replicas,
      // A dry run previews the objects; volume data is written only by the hydration itself.
      withData: call.dryRun ? false : body.withData,
      volumes: this.deps.volumes,
      onProgress: call.onProgress ?? (() => undefined),
      log: call.log ?? (() => undefined),
      dryRun: call.dryRun,
    });
  }
}

/** A dry run's report as the review shows it: objects by kind, with discovery's plurals. */
function toPlan(prepared: Prepared, report: HydrateReport, types: ResourceType[]): HydrationPlan {
  const resources = new Map(types.map(type => [`${type.group}/${type.kind}`, type.resource]));
  const newNamespace = report.objects.some(
    object =>
      object.group === '' &&
      object.kind === 'Namespace' &&
      object.name === report.targetNamespace &&
      object.outcome === 'created',
  );
  const kinds = new Map<string, HydrationPlanKind>();
  for (const object of report.objects) {
    const key = `${object.group}/${object.kind}`;
    let kind = kinds.get(key);
    if (!kind) {
      kind = {
        group: object.group,
        version: object.version,
        kind: object.kind,
        resource: resources.get(key),
        objects: [],
      };
      kinds.set(key, kind);
    }
    // Kubernetes makes a `default` ServiceAccount in every new namespace, so the hydration
    // finds one there and leaves it; a dry run into a namespace not made yet cannot see that.
    const madeByKubernetes =
      newNamespace &&
      object.group === '' &&
      object.kind === 'ServiceAccount' &&
      object.name === 'default';
    kind.objects.push({
      namespace: object.namespace,
      name: object.name,
      // A hydration that does not refresh deletes nothing, so no object ends `deleted`.
      outcome: madeByKubernetes ? 'skipped-exists' : (object.outcome as PlannedObjectOutcome),
      message: madeByKubernetes ? 'Kubernetes makes it in every new namespace' : object.message,
    });
  }
  for (const kind of kinds.values()) kind.objects.sort((a, b) => a.name.localeCompare(b.name));
  return {
    snapshotId: prepared.snapshot.id,
    cluster: prepared.target.cluster,
    namespace: report.targetNamespace,
    sourceNamespace: report.sourceNamespace,
    kinds: [...kinds.values()].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.group.localeCompare(b.group),
    ),
    missingSecrets: report.missingSecrets.map(secret => ({ ...secret })),
    droppedAutoscalers: [...report.droppedAutoscalers],
    leftOutIngresses: report.leftOutIngresses.map(({ name, reason }) => ({ name, reason })),
    warnings: [...report.warnings],
  };
}
