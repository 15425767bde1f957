import { allContainers, podTemplateOf } from '../kubernetes-objects/pod-template';
import type { KubeObject } from '../snapshot/types';
import type { PlannedObject } from './types';

type Json = Record<string, unknown>;

/** The ClusterRole that grants everything, on every cluster. */
const CLUSTER_ADMIN = 'cluster-admin';
/** Capabilities the Pod Security `baseline` level lets a container add; others are privileged. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/**
 * Marks the objects that hand out power beyond their namespace, with why: role bindings to
 * `cluster-admin` or to a role (in the plan) with a wildcard verb or resource, and workloads
 * that do what the Pod Security `baseline` level forbids (host namespaces, host paths, host
 * ports, privileged containers, capabilities outside the baseline set). A restore writes
 * them only when the caller accepts privileged content; a dry run shows the marks.
 */
export function flagPrivilegedContent(objects: readonly PlannedObject[]): PlannedObject[] {
  const roles = new Map<string, KubeObject>();
  for (const { type, object } of objects) {
    if (
      type.group === 'rbac.authorization.k8s.io' &&
      (type.kind === 'Role' || type.kind === 'ClusterRole')
    ) {
      roles.set(roleKey(type.kind, object.metadata.namespace, object.metadata.name), object);
    }
  }
  return objects.map(planned => {
    const reasons = [...bindingReasons(planned, roles), ...workloadReasons(planned.object)];
    return reasons.length > 0 ? { ...planned, privileged: reasons } : planned;
  });
}

function roleKey(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}|${namespace ?? ''}|${name ?? ''}`;
}

function bindingReasons(
  { type, object }: PlannedObject,
  roles: ReadonlyMap<string, KubeObject>,
): string[] {
  if (
    type.group !== 'rbac.authorization.k8s.io' ||
    (type.kind !== 'RoleBinding' && type.kind !== 'ClusterRoleBinding')
  ) {
    return [];
  }
  const ref = (object.roleRef ?? {}) as { kind?: string; name?: string };
  if (ref.kind === 'ClusterRole' && ref.name === CLUSTER_ADMIN) {
    return [`binds ClusterRole ${CLUSTER_ADMIN}`];
  }
  const namespace = ref.kind === 'Role' ? object.metadata.namespace : undefined;
  const role = roles.get(roleKey(ref.kind ?? '', namespace, ref.name));
  const rules = ((role?.rules as Json[] | undefined) ?? []).filter(
    rule =>
      (rule.verbs as string[] | undefined)?.includes('*') ||
      (rule.resources as string[] | undefined)?.includes('*'),
  );
  return rules.length > 0 ? [`binds ${ref.kind} ${ref.name}, which grants "*"`] : [];
}

interface SecurityContext {
  privileged?: boolean;
  capabilities?: { add?: string[] };
}

function workloadReasons(object: KubeObject): string[] {
  const template = podTemplateOf(object);
  if (!template) return [];
  // The typed pod spec covers references only; security fields are read as plain JSON.
  const spec = template.spec as unknown as Json;
  const reasons: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) reasons.push(`uses ${field}`);
  }
  for (const volume of (spec.volumes as Json[] | undefined) ?? []) {
    const path = (volume.hostPath as { path?: string } | undefined)?.path;
    if (path !== undefined) reasons.push(`mounts hostPath ${path}`);
  }
  for (const container of allContainers(template.spec) as unknown as Array<
    Json & { name: string }
  >) {
    const context = (container.securityContext ?? {}) as SecurityContext;
    if (context.privileged === true) reasons.push(`privileged container ${container.name}`);
    for (const capability of context.capabilities?.add ?? []) {
      const name = capability.toUpperCase().replace(/^CAP_/, '');
      if (!BASELINE_CAPABILITIES.has(name)) {
        reasons.push(`container ${container.name} adds capability ${name}`);
      }
    }
    for (const port of (container.ports as Array<{ hostPort?: number }> | undefined) ?? []) {
      if (port.hostPort)
        reasons.push(`container ${container.name} binds hostPort ${port.hostPort}`);
    }
  }
  return reasons;
}
