import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { KubeApiError } from '../cluster/kube-api-error';
import { mapConcurrent } from '../util/limiter';
import { listObjects } from '../cluster/list-objects';
import { objectPath, parseApiVersion, type ResourceType } from '../cluster/resource-types';
import { UserError } from '../errors';
import type { KubeObject } from '../snapshot/types';
import { resolveResourceType } from '../kubernetes-objects/type-names';
import {
  CAPTURE_ANNOTATION,
  EXCLUDE_ANNOTATION,
  TAGS_ANNOTATION,
  VOLUMES_ANNOTATION,
} from './annotations';
import { controllerOf } from '../kubernetes-objects/inventory';
import { podTemplateOf } from '../kubernetes-objects/pod-template';

export interface MarkOptions {
  /** `kind/name` or a bare kind (with a label selector). */
  targets: string[];
  namespace: string;
  labelSelector?: string;
  tags?: string[];
  volumes?: string[];
  exclude?: boolean;
  remove?: boolean;
}

export interface MarkResult {
  /** What the user named, e.g. `pod/web-5d9c-abcde`. */
  target: string;
  namespace?: string;
  /** What was changed, e.g. `deployment.apps/web`. */
  changed: string;
  /** True when the mark went on the owning workload's pod template. */
  viaPodTemplate: boolean;
  action: 'marked' | 'excluded' | 'unmarked';
}

/** Kinds whose objects can carry the capture mark: what runs pods, and claims. */
const MARKABLE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
  'PersistentVolumeClaim',
]);
const DEFAULT_SELECTOR_KINDS = [
  'deployments',
  'statefulsets',
  'daemonsets',
  'cronjobs',
  'persistentvolumeclaims',
];
const ALL_MARKS = [CAPTURE_ANNOTATION, TAGS_ANNOTATION, VOLUMES_ANNOTATION, EXCLUDE_ANNOTATION];

/**
 * Marks workloads, pods and claims for capture (or excludes or unmarks them) with merge
 * patches on their annotations. A pod made by a controller would lose its mark on its
 * next restart, so the mark goes on the top controller's pod template instead.
 */
export async function markForCapture(
  connection: ClusterConnection,
  options: MarkOptions,
): Promise<MarkResult[]> {
  if (options.targets.length === 0 && !options.labelSelector) {
    throw new UserError(
      'invalid-argument',
      'name at least one kind/name, or a kind with a label selector',
      { input: 'labelSelector' },
    );
  }
  const { types } = await discoverResourceTypes(connection.client);
  const objects = await resolveTargets(connection, types, options);
  if (objects.length === 0) {
    throw new UserError('not-found', `no objects matched in namespace "${options.namespace}"`);
  }
  for (const { type } of objects) {
    if (!options.exclude && !options.remove && !MARKABLE_KINDS.has(type.kind)) {
      throw new UserError(
        'invalid-argument',
        `a ${type.kind} cannot be marked for capture; mark the workload that uses it (it comes along as a dependency), or exclude it`,
        { input: 'exclude' },
      );
    }
  }
  const annotations = marksFor(options);
  return mapConcurrent(objects, 8, async ({ type, object, target }) => {
    const owner =
      !options.exclude && type.kind === 'Pod'
        ? await topOwner(connection, types, object)
        : undefined;
    const changedType = owner?.type ?? type;
    const changedObject = owner?.object ?? object;
    const template = owner ? podTemplateOf(owner.object) : undefined;
    const patch = owner
      ? podTemplatePatch(owner.object, annotations, template !== undefined)
      : { metadata: { annotations }, ...clearTemplateMarks(object, options) };
    await connection.client.request({
      method: 'PATCH',
      path: objectPath(
        changedType,
        changedObject.metadata.name ?? '',
        changedObject.metadata.namespace,
      ),
      body: patch,
      contentType: 'application/merge-patch+json',
    });
    return {
      target,
      namespace: object.metadata.namespace,
      changed: `${changedType.kind.toLowerCase()}${changedType.group ? `.${changedType.group}` : ''}/${changedObject.metadata.name}`,
      viaPodTemplate: owner !== undefined,
      action: options.remove ? 'unmarked' : options.exclude ? 'excluded' : 'marked',
    };
  });
}

function marksFor(options: MarkOptions): Record<string, string | null> {
  if (options.remove) return Object.fromEntries(ALL_MARKS.map(name => [name, null]));
  if (options.exclude) return { [EXCLUDE_ANNOTATION]: 'true', [CAPTURE_ANNOTATION]: null };
  const marks: Record<string, string | null> = {
    [CAPTURE_ANNOTATION]: 'true',
    [EXCLUDE_ANNOTATION]: null,
  };
  if (options.tags?.length) marks[TAGS_ANNOTATION] = options.tags.join(',');
  if (options.volumes?.length) marks[VOLUMES_ANNOTATION] = options.volumes.join(',');
  return marks;
}

/**
 * A mark can sit on a workload's pod template (put there through one of its pods), so
 * removing or excluding clears the template's capture mark too.
 */
function clearTemplateMarks(object: KubeObject, options: MarkOptions) {
  if (object.kind === 'Pod' || !podTemplateOf(object) || !(options.remove || options.exclude))
    return {};
  const cleared = Object.fromEntries(
    (options.remove ? ALL_MARKS : [CAPTURE_ANNOTATION]).map(name => [name, null]),
  );
  return podTemplatePatch(object, cleared, true);
}

function podTemplatePatch(
  owner: KubeObject,
  annotations: Record<string, string | null>,
  hasTemplate: boolean,
) {
  if (!hasTemplate) return { metadata: { annotations } };
  return owner.kind === 'CronJob'
    ? { spec: { jobTemplate: { spec: { template: { metadata: { annotations } } } } } }
    : { spec: { template: { metadata: { annotations } } } };
}

interface Target {
  type: ResourceType;
  object: KubeObject;
  target: string;
}

async function resolveTargets(
  connection: ClusterConnection,
  types: ResourceType[],
  options: MarkOptions,
): Promise<Target[]> {
  const typeOf = (name: string) => resolveResourceType(types, name);
  const named = options.targets.filter(target => target.includes('/'));
  const kinds = options.targets.filter(target => !target.includes('/'));
  if (kinds.length > 0 && !options.labelSelector) {
    throw new UserError(
      'invalid-argument',
      `"${kinds[0]}" needs a name (kind/name) or a label selector`,
      { input: 'labelSelector' },
    );
  }
  const results: Target[] = [];
  for (const target of named) {
    const [kind, name] = target.split('/', 2);
    const type = typeOf(kind);
    const object = await getObject(connection, type, name, options.namespace);
    results.push({ type, object, target });
  }
  if (options.labelSelector) {
    const selectorTypes = (kinds.length > 0 ? kinds : DEFAULT_SELECTOR_KINDS).map(typeOf);
    for (const type of selectorTypes) {
      const objects = await listObjects(connection.client, type, {
        namespace: options.namespace,
        labelSelector: options.labelSelector,
      });
      for (const object of objects) {
        results.push({
          type,
          object,
          target: `${type.kind.toLowerCase()}/${object.metadata.name}`,
        });
      }
    }
  }
  return results;
}

async function getObject(
  connection: ClusterConnection,
  type: ResourceType,
  name: string,
  namespace: string,
): Promise<KubeObject> {
  try {
    const object = await connection.client.request<KubeObject>({
      method: 'GET',
      path: objectPath(type, name, type.namespaced ? namespace : undefined),
    });
    return { ...object, apiVersion: type.apiVersion, kind: type.kind };
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) {
      throw new UserError('not-found', error.message);
    }
    throw error;
  }
}

/** Follows controller references up from a pod: ReplicaSet → Deployment, Job → CronJob. */
async function topOwner(
  connection: ClusterConnection,
  types: ResourceType[],
  pod: KubeObject,
): Promise<{ type: ResourceType; object: KubeObject } | undefined> {
  let found: { type: ResourceType; object: KubeObject } | undefined;
  let current = pod;
  for (let depth = 0; depth < 5; depth++) {
    const reference = controllerOf(current);
    if (!reference) break;
    const { group } = parseApiVersion(reference.apiVersion);
    const type = types.find(
      candidate => candidate.group === group && candidate.kind === reference.kind,
    );
    if (!type) break;
    current = await getObject(connection, type, reference.name, pod.metadata.namespace ?? '');
    found = { type, object: current };
  }
  return found;
}
