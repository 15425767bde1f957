/**
 * The RBAC authorizer, for users the admin impersonates (`kubectl --as`, a kubeconfig's
 * `as:`): Roles, ClusterRoles and their bindings in the store decide, as on a real
 * cluster. Covered: verbs, apiGroups, resources with subresources, resourceNames and `*`
 * wildcards; User, Group and ServiceAccount subjects. Not covered: aggregated ClusterRoles
 * (aggregationRule), non-resource URLs, and the bootstrap roles a real cluster ships.
 */
import type { ResourceAttributes } from './auth';
import { isObject, type JsonObject, type KubeObject } from './json';
import { typeKey } from './registry';
import type { ObjectStore } from './store';

const RBAC = 'rbac.authorization.k8s.io';
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export interface RbacSubject {
  user: string;
  groups: readonly string[];
}

/** The groups a user name implies: a service account's, and everyone's. */
export function impliedGroups(user: string): string[] {
  const groups = ['system:authenticated'];
  if (user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const namespace = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(':')[0];
    groups.push('system:serviceaccounts', `system:serviceaccounts:${namespace}`);
  }
  return groups;
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  allows(subject: RbacSubject, attrs: ResourceAttributes): boolean {
    return this.rules(subject, attrs.namespace).some(rule => ruleAllows(rule, attrs));
  }

  /** Every rule granted to the subject in a namespace (or at cluster scope): what rules reviews list. */
  rules(subject: RbacSubject, namespace: string | undefined): JsonObject[] {
    const bindings = [
      ...this.store.iterate(typeKey(RBAC, 'clusterrolebindings')),
      ...(namespace ? [...this.store.iterate(typeKey(RBAC, 'rolebindings'), namespace)] : []),
    ];
    return bindings
      .filter(binding => this.boundTo(binding, subject))
      .flatMap(binding => this.rulesOf(binding));
  }

  private boundTo(binding: KubeObject, { user, groups }: RbacSubject): boolean {
    const subjects = Array.isArray(binding.subjects)
      ? (binding.subjects as unknown[]).filter(isObject)
      : [];
    return subjects.some(subject => {
      switch (subject.kind) {
        case 'User':
          return subject.name === user;
        case 'Group':
          return typeof subject.name === 'string' && groups.includes(subject.name);
        case 'ServiceAccount':
          return (
            user === `${SERVICE_ACCOUNT_PREFIX}${String(subject.namespace)}:${String(subject.name)}`
          );
        default:
          return false;
      }
    });
  }

  /** The rules of the role a binding refers to; a RoleBinding may refer to a ClusterRole. */
  private rulesOf(binding: KubeObject): JsonObject[] {
    const ref = isObject(binding.roleRef) ? binding.roleRef : {};
    const name = typeof ref.name === 'string' ? ref.name : '';
    const role =
      ref.kind === 'Role'
        ? this.store.get(typeKey(RBAC, 'roles'), binding.metadata.namespace ?? '', name)
        : this.store.get(typeKey(RBAC, 'clusterroles'), '', name);
    return Array.isArray(role?.rules) ? (role.rules as unknown[]).filter(isObject) : [];
  }
}

function ruleAllows(rule: JsonObject, attrs: ResourceAttributes): boolean {
  const list = (field: string) =>
    Array.isArray(rule[field]) ? (rule[field] as unknown[]).map(String) : [];
  const matches = (values: string[], value: string) =>
    values.includes('*') || values.includes(value);
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const names = list('resourceNames');
  return (
    matches(list('verbs'), attrs.verb) &&
    matches(list('apiGroups'), attrs.group) &&
    matches(list('resources'), resource) &&
    (names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name)))
  );
}
