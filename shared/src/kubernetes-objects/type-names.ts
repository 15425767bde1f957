import type { ResourceType } from '../cluster/resource-types';
import { UserError } from '../errors';

/*
 * How users name resource types, as kubectl takes them: `deploy`, `deployments`,
 * `Deployment`, `deployments.apps`, `Deployment.apps`. One resolver serves every command
 * that takes a type (`--object`, `--include-resources`, `get`, `annotate`): discovery's
 * names first, kubectl's short names for the built-in types second (a snapshot's records
 * carry no discovery, and a server may publish no short names).
 */

/** What a type is named by: discovery's description, or a snapshot record's. */
export interface NamedType {
  group: string;
  kind: string;
  /** Plural, as in paths: `deployments`. */
  resource: string;
  singularName?: string;
  shortNames?: readonly string[];
}

/** kubectl's short names for the built-in types. */
const KUBECTL_SHORT_NAMES: Record<string, string> = {
  deploy: 'deployments',
  sts: 'statefulsets',
  ds: 'daemonsets',
  rs: 'replicasets',
  cj: 'cronjobs',
  cm: 'configmaps',
  svc: 'services',
  sa: 'serviceaccounts',
  pvc: 'persistentvolumeclaims',
  pv: 'persistentvolumes',
  ns: 'namespaces',
  ing: 'ingresses',
  hpa: 'horizontalpodautoscalers',
  pdb: 'poddisruptionbudgets',
  netpol: 'networkpolicies',
  crd: 'customresourcedefinitions',
  sc: 'storageclasses',
  po: 'pods',
  ep: 'endpoints',
};

interface TypeName {
  base: string;
  /** The group after the first dot, when given. */
  group?: string;
}

function parseTypeName(name: string): TypeName {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  return dot < 0 ? { base: lower } : { base: lower.slice(0, dot), group: lower.slice(dot + 1) };
}

function inGroup(type: NamedType, wanted: TypeName): boolean {
  return wanted.group === undefined || type.group === wanted.group;
}

/** Matches by the type's own names: plural, singular, kind, and discovery's short names. */
function hasOwnName(type: NamedType, { base }: TypeName): boolean {
  const kind = type.kind.toLowerCase();
  return (
    base === type.resource ||
    base === kind ||
    base === `${kind}s` ||
    base === type.singularName ||
    (type.shortNames?.includes(base) ?? false)
  );
}

function hasKubectlShortName(type: NamedType, { base }: TypeName): boolean {
  return KUBECTL_SHORT_NAMES[base] === type.resource;
}

/** Whether a type is the one a user names (a snapshot record's type, say). */
export function isTypeNamed(type: NamedType, name: string): boolean {
  const wanted = parseTypeName(name);
  return inGroup(type, wanted) && (hasOwnName(type, wanted) || hasKubectlShortName(type, wanted));
}

/** The served type a user names, or undefined. The core and apps groups win ties. */
export function findResourceType<T extends NamedType>(
  types: readonly T[],
  name: string,
): T | undefined {
  const wanted = parseTypeName(name);
  const candidates = types.filter(type => inGroup(type, wanted));
  let matches = candidates.filter(type => hasOwnName(type, wanted));
  if (matches.length === 0) matches = candidates.filter(type => hasKubectlShortName(type, wanted));
  // As in kubectl's priority order.
  return (
    matches.find(type => type.group === '') ??
    matches.find(type => type.group === 'apps') ??
    matches[0]
  );
}

/** The served type a user names; `invalid-argument` naming it when there is none. */
export function resolveResourceType(types: readonly ResourceType[], name: string): ResourceType {
  const type = findResourceType(types, name);
  if (!type) {
    throw new UserError(
      'invalid-argument',
      `unknown resource type "${name}" (see kubectl api-resources)`,
    );
  }
  return type;
}
