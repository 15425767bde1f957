import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { mapConcurrent } from '../util/limiter';
import { listObjects } from '../cluster/list-objects';
import {
  CAPTURE_ANNOTATION,
  EXCLUDE_ANNOTATION,
  splitList,
  VOLUMES_ANNOTATION,
} from './annotations';
import { podTemplateOf } from '../kubernetes-objects/pod-template';
import { tagsOf } from './records';

export interface MarkedObject {
  kind: string;
  group: string;
  namespace: string;
  name: string;
  capture: boolean;
  exclude: boolean;
  tags: string[];
  volumes: string[];
  /** Where the mark sits: on the object itself or on its pod template. */
  markedOn: 'object' | 'pod-template';
}

const MARK_CARRYING_TYPES = new Set([
  'deployments',
  'statefulsets',
  'daemonsets',
  'replicasets',
  'jobs',
  'cronjobs',
  'pods',
  'persistentvolumeclaims',
  'configmaps',
  'secrets',
  'services',
]);

/** Everything in the given namespaces (all when undefined) that carries a kube-backup mark. */
export async function listMarked(
  connection: ClusterConnection,
  namespace: string | undefined,
): Promise<MarkedObject[]> {
  const { types } = await discoverResourceTypes(connection.client);
  const wanted = types.filter(
    type =>
      type.namespaced &&
      MARK_CARRYING_TYPES.has(type.resource) &&
      ['', 'apps', 'batch'].includes(type.group),
  );
  const lists = await mapConcurrent(wanted, 8, type =>
    listObjects(connection.client, type, { namespace }).then(objects =>
      objects.map(object => ({ type, object })),
    ),
  );
  const marked: MarkedObject[] = [];
  for (const { type, object } of lists.flat()) {
    const own = object.metadata.annotations ?? {};
    const template = podTemplateOf(object)?.metadata.annotations ?? {};
    const onTemplate =
      type.kind !== 'Pod' &&
      (template[CAPTURE_ANNOTATION] !== undefined || template[EXCLUDE_ANNOTATION] !== undefined);
    const marks = onTemplate ? template : own;
    if (marks[CAPTURE_ANNOTATION] === undefined && marks[EXCLUDE_ANNOTATION] === undefined)
      continue;
    marked.push({
      kind: type.kind,
      group: type.group,
      namespace: object.metadata.namespace ?? '',
      name: object.metadata.name ?? '',
      capture: marks[CAPTURE_ANNOTATION] === 'true',
      exclude: marks[EXCLUDE_ANNOTATION] === 'true',
      tags: tagsOf(object),
      volumes: splitList(marks[VOLUMES_ANNOTATION]),
      markedOn: onTemplate ? 'pod-template' : 'object',
    });
  }
  return marked.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name),
  );
}
