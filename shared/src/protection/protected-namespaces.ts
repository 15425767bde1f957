import { PROTECTED_LABEL } from '../capture/annotations';
import { matchesAnyNamePattern } from '@kube-backup/backstage-plugin-kube-backup-common';
import type { KubeObject } from '../snapshot/types';

/**
 * Namespaces every cluster has for itself: writing a copy of an application there mixes
 * it with the cluster's own components (kube-system) or with whatever lands where no
 * namespace was named (default). Hydration refuses them unless told otherwise; the portal
 * adds its own patterns to these.
 */
export const DEFAULT_PROTECTED_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'default',
];

/**
 * Whether a namespace matches one of the protected patterns (`prod-*`, `kube-system`;
 * glob syntax as the common package's namePatternMatcher takes). Without patterns, the defaults.
 */
export function isProtectedNamespace(
  namespace: string,
  patterns: readonly string[] = DEFAULT_PROTECTED_NAMESPACES,
): boolean {
  return matchesAnyNamePattern(patterns, namespace);
}

/** Whether a live namespace carries `kube-backup.io/protected=true`. */
export function isLabelledProtected(namespace: KubeObject | null | undefined): boolean {
  return namespace?.metadata.labels?.[PROTECTED_LABEL] === 'true';
}

/** How messages and reports name the label. */
export const PROTECTED_LABEL_SELECTOR = `${PROTECTED_LABEL}=true`;
