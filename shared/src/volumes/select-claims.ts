import { CAPTURE_ANNOTATION, splitList, VOLUMES_ANNOTATION } from '../capture/annotations';
import type { InventoryItem } from '../kubernetes-objects/inventory';
import { podTemplateOf } from '../kubernetes-objects/pod-template';
import type { KubeObject } from '../snapshot/types';

/**
 * Which claims' data a backup captures: `annotated` (claims marked
 * `kube-backup.io/capture`, or named by a pod template's `kube-backup.io/volumes`), `all`
 * claims in the snapshot, or `none`.
 */
export type VolumeSelection = 'annotated' | 'all' | 'none';

export const VOLUME_SELECTIONS: readonly VolumeSelection[] = ['annotated', 'all', 'none'];

export interface ClaimChoice {
  chosen: KubeObject[];
  /** `namespace/claim` → why its data is not captured. */
  left: Map<string, string>;
}

export function claimKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** Splits the snapshot's claims into those whose data is captured and the rest, with reasons. */
export function chooseClaims(
  items: readonly InventoryItem[],
  selection: VolumeSelection,
): ClaimChoice {
  const claims = items.filter(isClaimItem).map(item => item.object);
  const named = selection === 'annotated' ? claimsNamedByTemplates(items) : new Set<string>();
  const chosen: KubeObject[] = [];
  const left = new Map<string, string>();
  for (const claim of claims) {
    const key = claimKey(claim.metadata.namespace, claim.metadata.name);
    const wanted =
      selection === 'all' ||
      (selection === 'annotated' &&
        (claim.metadata.annotations?.[CAPTURE_ANNOTATION] === 'true' || named.has(key)));
    if (!wanted) {
      left.set(
        key,
        selection === 'none'
          ? 'volume data was not requested for this backup'
          : `not marked for data capture (neither ${CAPTURE_ANNOTATION} on the claim nor a pod template's ${VOLUMES_ANNOTATION} names it)`,
      );
    } else if (!(claim.spec as { volumeName?: string } | undefined)?.volumeName) {
      left.set(key, 'the claim is not bound to a volume, so it holds no data');
    } else chosen.push(claim);
  }
  return { chosen, left };
}

function isClaimItem(item: InventoryItem): boolean {
  return item.type.group === '' && item.object.kind === 'PersistentVolumeClaim';
}

/**
 * Claims that pod templates name in `kube-backup.io/volumes`, by pod volume name: a
 * volume's claim, or for a StatefulSet's claim template every claim made from it
 * (`<template>-<statefulset>-<ordinal>`, which exist whether or not a pod runs).
 */
function claimsNamedByTemplates(items: readonly InventoryItem[]): Set<string> {
  const named = new Set<string>();
  const claimNames = new Set(
    items
      .filter(isClaimItem)
      .map(item => claimKey(item.object.metadata.namespace, item.object.metadata.name)),
  );
  for (const { object } of items) {
    const template = podTemplateOf(object);
    if (!template) continue;
    const wanted = new Set([
      ...splitList(object.metadata.annotations?.[VOLUMES_ANNOTATION]),
      ...splitList(template.metadata.annotations?.[VOLUMES_ANNOTATION]),
    ]);
    if (wanted.size === 0) continue;
    const namespace = object.metadata.namespace;
    for (const volume of template.spec.volumes ?? []) {
      const claim = volume.persistentVolumeClaim?.claimName;
      if (claim && wanted.has(volume.name)) named.add(claimKey(namespace, claim));
    }
    for (const key of claimNames) {
      const [claimNamespace, claimName] = key.split('/');
      if (claimNamespace !== (namespace ?? '')) continue;
      const template = claimTemplateOf(object, claimName);
      if (template && wanted.has(template)) named.add(key);
    }
  }
  return named;
}

/**
 * The claim template of a StatefulSet a claim was made from
 * (`<template>-<statefulset>-<ordinal>`), or undefined.
 */
export function claimTemplateOf(workload: KubeObject, claim: string): string | undefined {
  if (workload.kind !== 'StatefulSet') return undefined;
  const templates =
    (
      workload.spec as
        { volumeClaimTemplates?: Array<{ metadata?: { name?: string } }> } | undefined
    )?.volumeClaimTemplates ?? [];
  return templates
    .map(template => template.metadata?.name)
    .find(name => {
      const prefix = `${name}-${workload.metadata.name}-`;
      return name && claim.startsWith(prefix) && /^\d+$/.test(claim.slice(prefix.length));
    });
}

/** Running pods that mount a claim, found among what the backup listed. */
export function podsUsingClaim(items: readonly InventoryItem[], claim: KubeObject): KubeObject[] {
  return items
    .map(item => item.object)
    .filter(
      object =>
        object.kind === 'Pod' &&
        object.apiVersion === 'v1' &&
        object.metadata.namespace === claim.metadata.namespace &&
        (object.status as { phase?: string } | undefined)?.phase === 'Running' &&
        !object.metadata.deletionTimestamp &&
        (podTemplateOf(object)?.spec.volumes ?? []).some(
          volume => volume.persistentVolumeClaim?.claimName === claim.metadata.name,
        ),
    );
}
