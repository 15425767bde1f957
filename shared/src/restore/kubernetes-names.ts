/**
 * The API server's rules for the names a restore writes (apimachinery's validation), so a
 * plan can be checked whole before its first write instead of failing object by object.
 */

import {
  labelKeyProblem,
  labelValueProblem,
  namespaceNameProblem,
  subdomainProblem,
} from '@kube-backup/backstage-plugin-kube-backup-common';

// The rules the portal checks too (namespace names, label keys and values, subdomains) live
// in the common package; the kinds' own name rules are the engine's.
export { labelKeyProblem, labelValueProblem, namespaceNameProblem, subdomainProblem };

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

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

function pathSegmentProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'not a usable name';
  return /[/%]/.test(name) ? 'not allowed to contain "/" or "%"' : undefined;
}
