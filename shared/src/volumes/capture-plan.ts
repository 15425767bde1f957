/** How a backup captures its claims: each claim's method, and the groups hooks bracket. */
import { UserError } from '../errors';
import type { KubeObject, VolumeMethod } from '../snapshot/types';
import type { CsiSnapshots } from './csi-snapshot';
import { parseBackupHooks, type HookSpec } from './hook-annotations';

export type VolumeMethodChoice = VolumeMethod | 'auto';

/** A claim whose data is captured, with how. */
export interface PlannedClaim {
  claim: KubeObject;
  key: string;
  method: VolumeMethod;
  snapshotClass?: string;
  /** Running pods that mount it. */
  users: KubeObject[];
}

/** Claims captured together: those whose pods' hooks must bracket all of them at once. */
export interface Unit {
  claims: PlannedClaim[];
  pods: Array<{ pod: KubeObject; hooks: HookSpec[] }>;
}

/** How a claim's data is captured: the method asked for, or for auto what its driver can do. */
export async function chooseMethod(
  csi: CsiSnapshots,
  claim: KubeObject,
  choice: VolumeMethodChoice,
): Promise<{ method: VolumeMethod; snapshotClass?: string } | { problem: string }> {
  if (choice === 'fs') return { method: 'fs' };
  const snapshotClass = await csi.classFor(claim);
  if (snapshotClass) return { method: 'snapshot', snapshotClass };
  if (choice === 'auto') return { method: 'fs' };
  const storageClass = (claim.spec as { storageClassName?: string } | undefined)?.storageClassName;
  return {
    problem: `no VolumeSnapshotClass serves the driver of storage class ${storageClass ?? '(none)'}, so the claim cannot be snapshotted; the fs method can copy it`,
  };
}

/**
 * Groups claims so that a pod's hooks bracket every claim it mounts at once: claims that
 * share a pod with hooks are captured together. A pod whose hook annotations cannot be
 * read fails the claims it mounts.
 */
export function groupByHooks(planned: PlannedClaim[]): {
  units: Unit[];
  broken: Map<PlannedClaim, string>;
} {
  const broken = new Map<PlannedClaim, string>();
  const hooksOf = new Map<KubeObject, HookSpec[]>();
  for (const claim of planned) {
    for (const pod of claim.users) {
      if (hooksOf.has(pod)) continue;
      try {
        hooksOf.set(pod, parseBackupHooks(pod.metadata.annotations));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        hooksOf.set(pod, []);
        for (const user of planned.filter(c => c.users.includes(pod))) {
          broken.set(user, `pod ${pod.metadata.name}: ${error.message}`);
        }
      }
    }
  }
  const units: Unit[] = [];
  const unitOf = new Map<KubeObject, Unit>();
  for (const claim of planned.filter(c => !broken.has(c))) {
    const hooked = claim.users.filter(pod => (hooksOf.get(pod) ?? []).length > 0);
    const joined = [...new Set(hooked.map(pod => unitOf.get(pod)).filter((u): u is Unit => !!u))];
    const unit: Unit = { claims: [claim], pods: [] };
    for (const other of joined) {
      unit.claims.push(...other.claims);
      unit.pods.push(...other.pods);
      units.splice(units.indexOf(other), 1);
    }
    for (const pod of hooked) {
      if (!unit.pods.some(entry => entry.pod === pod))
        unit.pods.push({ pod, hooks: hooksOf.get(pod) ?? [] });
    }
    for (const entry of unit.pods) unitOf.set(entry.pod, unit);
    units.push(unit);
  }
  return { units, broken };
}

/** The node a ReadWriteOnce claim's pod runs on, where a mover can mount it too. */
export function nodeOfSoleWriter(claim: PlannedClaim): string | undefined {
  const modes = (claim.claim.spec as { accessModes?: string[] } | undefined)?.accessModes ?? [];
  if (!modes.some(mode => mode === 'ReadWriteOnce' || mode === 'ReadWriteOncePod'))
    return undefined;
  return claim.users
    .map(pod => (pod.spec as { nodeName?: string } | undefined)?.nodeName)
    .find((node): node is string => !!node);
}
