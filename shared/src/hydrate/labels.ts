/** Holds the full snapshot id; the hydrated-from label has room for only part of it. */
export const HYDRATED_FROM_SNAPSHOT_ANNOTATION = 'kube-backup.io/hydrated-from-snapshot';

/** Hex characters of the snapshot id in the hydrated-from label (label values stop at 63). */
const LABEL_ID_LENGTH = 16;

/** The `kube-backup.io/hydrated-from` label value for a snapshot: the start of its id. */
export function hydratedFromLabelValue(snapshotId: string): string {
  return snapshotId.slice(0, LABEL_ID_LENGTH);
}

/**
 * What a hydration chose (source namespace and components), so that a refresh deletes
 * only what the same choice made earlier, not another entity's objects in the namespace.
 */
export const HYDRATED_SELECTION_ANNOTATION = 'kube-backup.io/hydrated-selection';

export function hydrationSelection(
  sourceNamespace: string,
  choice: { entity?: string; tag?: string; labelSelector?: string },
): string {
  const parts = [`namespace=${sourceNamespace}`];
  if (choice.entity) parts.push(`entity=${choice.entity}`);
  if (choice.tag) parts.push(`tag=${choice.tag}`);
  if (choice.labelSelector) parts.push(`selector=${choice.labelSelector}`);
  return parts.join('; ');
}
