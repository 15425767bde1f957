import {
  namespaceNameProblem,
  subdomainProblem,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { HYDRATED_FROM_LABEL } from '../capture/annotations';
import { UserError } from '../errors';
import type { PlanOptions, RestoreProfile } from '../restore';
import type { LoadedObject } from '../restore/snapshot-objects';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import { autoscalersToDrop } from './autoscalers';
import { chooseComponents } from './components';
import { leaveOutCompetingIngresses, productionHosts, rewriteIngressHosts } from './ingress-hosts';
import {
  HYDRATED_FROM_SNAPSHOT_ANNOTATION,
  HYDRATED_SELECTION_ANNOTATION,
  hydratedFromLabelValue,
  hydrationSelection,
} from './labels';
import type { HydrateOptions, LeftOutIngress } from './types';

/** What hydration chose to copy: the snapshot, its records, and the namespace to take from. */
export interface HydrationSource {
  snapshot: Snapshot;
  records: readonly ObjectRecord[];
  sourceNamespace: string;
}

/** A hydration as a restore: its options and profile, and what it left out once planned. */
export interface HydrationRestore {
  options: PlanOptions;
  profile: RestoreProfile;
  /** The `kube-backup.io/hydrated-from` label value everything written carries. */
  hydratedFrom: string;
  /** The choice recorded on what is written, which a refresh deletes by. */
  selection: string;
  /** Filled while the plan is made: autoscalers that would scale the copies back up. */
  droppedAutoscalers: string[];
  /** Filled while the plan is made: Ingresses that would take production's traffic. */
  leftOutIngresses: LeftOutIngress[];
}

/**
 * Refuses options no hydration can run with, before anything is read: a target that is
 * not a namespace name, replicas that are not a count, an Ingress host suffix that is not
 * a DNS name.
 */
export function checkHydrateOptions(options: HydrateOptions): void {
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
}

/**
 * The restore a hydration is: the chosen components of one source namespace (and what
 * they depend on there) into the target namespace, Secrets left behind unless asked for,
 * workloads scaled to `replicas` (default 1) with the autoscalers that would undo it left
 * out, Ingresses moved to the host suffix or left out when they would answer for
 * production, and everything labelled with the snapshot and choice it came from.
 */
export function hydrationRestore(
  chosen: HydrationSource,
  options: HydrateOptions,
): HydrationRestore {
  const { snapshot, records, sourceNamespace } = chosen;
  const replicas = options.replicas ?? 1;
  const copySecrets = options.secrets === 'copy';
  const extra = options.transforms ?? {};
  const hydratedFrom = hydratedFromLabelValue(snapshot.id);
  const selection = hydrationSelection(sourceNamespace, options);
  let production = new Set<string>();

  const result: HydrationRestore = {
    hydratedFrom,
    selection,
    droppedAutoscalers: [],
    leftOutIngresses: [],
    options: {
      ...extra,
      namespaceMapping: { [sourceNamespace]: options.targetNamespace },
      replicas,
      addLabels: { ...extra.addLabels, [HYDRATED_FROM_LABEL]: hydratedFrom },
      addAnnotations: {
        ...extra.addAnnotations,
        [HYDRATED_FROM_SNAPSHOT_ANNOTATION]: snapshot.id,
        [HYDRATED_SELECTION_ANNOTATION]: selection,
      },
      skipDamaged: options.skipDamaged,
      concurrency: options.concurrency,
    },
    profile: {
      records,
      async select(_records, contents, onLoad) {
        const inSource = records.filter(
          record => record.namespace === sourceNamespace || record.namespace === undefined,
        );
        const loaded = await contents.load(inSource, onLoad);
        production = productionHosts(loaded);
        const { components, clusterScoped } = chooseComponents(
          records,
          loaded,
          sourceNamespace,
          options,
        );
        const dropped = autoscalersToDrop(components, replicas);
        result.droppedAutoscalers = [...dropped].map(describeAutoscaler);
        // Which damaged objects the choice needed cannot be told from their content, so
        // every damaged object of the source namespace that would be copied counts.
        const damaged = contents
          .damaged()
          .filter(
            ({ record }) =>
              record.namespace === sourceNamespace &&
              record.restorable &&
              (copySecrets || !isSecret(record)),
          );
        return {
          objects: components.filter(
            item => !dropped.has(item) && (copySecrets || !isSecret(item.record)),
          ),
          warnings: clusterScopedLeftOut(clusterScoped),
          damaged,
        };
      },
      beforeTransform: objects => rewriteIngressHosts(objects, options.ingressHostSuffix),
      afterTransform(objects) {
        const ingresses = leaveOutCompetingIngresses(objects, production);
        result.leftOutIngresses = ingresses.leftOut;
        return ingresses.objects;
      },
    },
  };
  return result;
}

function isSecret(record: ObjectRecord): boolean {
  return record.group === '' && record.kind === 'Secret';
}

function describeAutoscaler({ object }: LoadedObject): string {
  const spec = object.spec as { scaleTargetRef?: { kind?: string; name?: string } };
  return `HorizontalPodAutoscaler/${object.metadata.name} (scales ${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name})`;
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
