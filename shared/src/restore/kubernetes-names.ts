/**
 * The API server's rules for the names a restore writes (apimachinery's validation), so a
 * plan can be checked whole before its first write instead of failing object by object.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const LABEL_RULE = 'a DNS label (lowercase letters, digits and "-", at most 63 characters)';
const SUBDOMAIN_RULE =
  'a DNS subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)';

/** Why a namespace name is invalid, or undefined when it is valid. */
export function namespaceNameProblem(name: string): string | undefined {
  return DNS_LABEL.test(name) && name.length <= 63 ? undefined : `not ${LABEL_RULE}`;
}

/** Kinds whose names follow another rule than the DNS subdomain most kinds use. */
const NAME_RULES: Record<string, (name: string) => string | undefined> = {
  '/Namespace': namespaceNameProblem,
  '/Service': name =>
    DNS1035_LABEL.test(name) && name.length <= 63
      ? undefined
      : 'not a DNS-1035 label (a lowercase letter, then letters, digits and "-", at most 63 characters)',
  '/PersistentVolume': pathSegmentProblem,
  'rbac.authorization.k8s.io/Role': pathSegmentProblem,
  'rbac.authorization.k8s.io/ClusterRole': pathSegmentProblem,
  'rbac.authorization.k8s.io/RoleBinding': pathSegmentProblem,
  'rbac.authorization.k8s.io/ClusterRoleBinding': pathSegmentProblem,
  // The Jobs a CronJob makes append 11 characters to its name.
  'batch/CronJob': name =>
    subdomainProblem(name) ?? (name.length > 52 ? 'longer than 52 characters' : undefined),
};

/** Why an object name is invalid for its kind, or undefined when it is valid. */
export function objectNameProblem(
  type: { group: string; kind: string },
  name: string,
): string | undefined {
  return (NAME_RULES[`${type.group}/${type.kind}`] ?? subdomainProblem)(name);
}

/** Why a label or annotation key is invalid (`[prefix/]name`), or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && subdomainProblem(prefix)) {
    return `its prefix is not ${SUBDOMAIN_RULE}`;
  }
  return QUALIFIED_NAME.test(name) && name.length <= 63
    ? undefined
    : 'not a valid key (at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, after an optional DNS-subdomain prefix and "/")';
}

/** Why a label value is invalid, or undefined when it is valid (empty is valid). */
export function labelValueProblem(value: string): string | undefined {
  return value === '' || (QUALIFIED_NAME.test(value) && value.length <= 63)
    ? undefined
    : 'not a valid label value (at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit)';
}

/** Why a name is not a DNS subdomain (object names, host names), or undefined when it is one. */
export function subdomainProblem(name: string): string | undefined {
  return DNS_SUBDOMAIN.test(name) && name.length <= 253 ? undefined : `not ${SUBDOMAIN_RULE}`;
}

function pathSegmentProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'not a usable name';
  return /[/%]/.test(name) ? 'not allowed to contain "/" or "%"' : undefined;
}
