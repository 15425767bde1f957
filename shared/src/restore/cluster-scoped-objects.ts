import { createHash } from 'node:crypto';
import type { KubeObject } from '../snapshot/types';
import { objectLabel } from './object-label';
import type { PlannedObject } from './types';

type Json = Record<string, unknown>;

const CREATE_ONLY =
  'cluster-scoped, and a restore into mapped namespaces never changes cluster-wide objects';
const MAX_NAME = 253;

/**
 * A restore into mapped namespaces makes a copy beside the original, usually in the same
 * cluster, so it leaves what the original relies on cluster-wide as it is:
 *
 * - every cluster-scoped object is created only when absent and never changed;
 * - a ClusterRoleBinding with subjects in a mapped namespace is restored as a new binding
 *   named after the mapping (`<name>-<target namespace>`) that holds only those subjects
 *   (moved to their new namespace by the namespace transform): the copy gets the rights the
 *   original has, and the original binding is never pointed at the copy nor recreated
 *   under its own name for it;
 * - webhook configurations and API services that call a service in a mapped namespace are
 *   left out with a warning: a copy would intercept requests for the whole cluster.
 *
 * Runs on the objects as selected, before the namespace transform.
 */
export function guardClusterScopedObjects(
  objects: readonly PlannedObject[],
  namespaceMapping: Readonly<Record<string, string>> | undefined,
): { objects: PlannedObject[]; warnings: string[] } {
  const moved = new Map(Object.entries(namespaceMapping ?? {}).filter(([from, to]) => from !== to));
  if (moved.size === 0) return { objects: [...objects], warnings: [] };
  const warnings: string[] = [];
  const result: PlannedObject[] = [];
  for (const planned of objects) {
    if (planned.type.namespaced) {
      result.push(planned);
      continue;
    }
    const { group, kind } = planned.type;
    if (isServiceCaller(group, kind)) {
      const called = calledNamespaces(planned.object).filter(namespace => moved.has(namespace));
      if (called.length > 0) {
        warnings.push(
          `left out ${objectLabel(planned)}: it calls a service in mapped namespace ${called.join(', ')}, and a copy would intercept requests for the whole cluster`,
        );
        continue;
      }
    }
    if (group === 'rbac.authorization.k8s.io' && kind === 'ClusterRoleBinding') {
      const copy = bindingCopy(planned, moved);
      if (copy) {
        warnings.push(
          `${objectLabel(planned)} binds subjects of mapped namespaces: restored as ${copy.object.metadata.name} for them; the original binding is left as it is`,
        );
        result.push(copy);
        continue;
      }
    }
    result.push({ ...planned, createOnly: CREATE_ONLY });
  }
  return { objects: result, warnings };
}

/** A binding of the moved subjects only, under a name derived from their new namespaces. */
function bindingCopy(
  planned: PlannedObject,
  moved: ReadonlyMap<string, string>,
): PlannedObject | undefined {
  const subjects = ((planned.object.subjects as Json[] | undefined) ?? []).filter(
    subject => typeof subject.namespace === 'string' && moved.has(subject.namespace),
  );
  if (subjects.length === 0) return undefined;
  const targets = [...new Set(subjects.map(subject => moved.get(subject.namespace as string)!))];
  const object: KubeObject = structuredClone(planned.object);
  object.metadata.name = derivedName(object.metadata.name ?? '', targets.sort());
  object.subjects = structuredClone(subjects);
  return { ...planned, object, createOnly: CREATE_ONLY };
}

/** `<name>-<target>[-<target>…]`, shortened with a hash of the full name when too long. */
function derivedName(name: string, targets: string[]): string {
  const full = [name, ...targets].join('-');
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

function isServiceCaller(group: string, kind: string): boolean {
  return (
    (group === 'admissionregistration.k8s.io' &&
      (kind === 'ValidatingWebhookConfiguration' || kind === 'MutatingWebhookConfiguration')) ||
    (group === 'apiregistration.k8s.io' && kind === 'APIService')
  );
}

function calledNamespaces(object: KubeObject): string[] {
  const services =
    object.kind === 'APIService'
      ? [(object.spec as Json | undefined)?.service]
      : ((object.webhooks as Json[] | undefined) ?? []).map(
          webhook => (webhook.clientConfig as Json | undefined)?.service,
        );
  return services.flatMap(service => {
    const namespace = (service as Json | undefined)?.namespace;
    return typeof namespace === 'string' ? [namespace] : [];
  });
}
