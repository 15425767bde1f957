import { hostname } from 'node:os';
import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { mapConcurrent } from '../util/limiter';
import { processAlive } from '../repository/locks';
import type { KubeObject } from '../snapshot/types';
import { OPERATION_LABEL } from './operation';

/** The kinds volume operations create, in the order leftovers are removed. */
const LEFTOVER_KINDS = [
  { kind: 'Pod', collection: '/api/v1/pods' },
  { kind: 'PersistentVolumeClaim', collection: '/api/v1/persistentvolumeclaims' },
  { kind: 'VolumeSnapshot', collection: '/apis/snapshot.storage.k8s.io/v1/volumesnapshots' },
  { kind: 'Secret', collection: '/api/v1/secrets' },
];
const LEASES = '/apis/coordination.k8s.io/v1/leases';

export interface Leftover {
  kind: string;
  namespace: string;
  name: string;
  operation: string;
}

export interface LeftoverReport {
  removed: Leftover[];
  /** Set when leftovers could not be looked for (no permission to list across namespaces). */
  skipped?: string;
}

/**
 * Removes what interrupted volume operations left in the cluster: mover pods, clone
 * claims, VolumeSnapshots and credential Secrets labelled with an operation whose Lease in
 * that namespace is gone, has expired, or is held by a process of this host that no longer
 * runs. Objects of live operations are never touched. Leases are listed after the objects,
 * and an operation takes its Lease before it creates anything, so an operation that starts
 * meanwhile is always seen alive.
 */
export async function removeLeftovers(
  client: KubeClient,
  now = Date.now(),
): Promise<LeftoverReport> {
  const found: Array<{ kind: string; collection: string; object: KubeObject }> = [];
  try {
    for (const { kind, collection } of LEFTOVER_KINDS) {
      for (const object of await listLabelled(client, collection))
        found.push({ kind, collection, object });
    }
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 401)) {
      return { removed: [], skipped: error.message };
    }
    throw error;
  }
  if (found.length === 0) return { removed: [] };
  const leases = await listLabelled(client, LEASES);
  const alive = new Set(
    leases
      .filter(lease => leaseAlive(lease, now))
      .map(lease => `${lease.metadata.namespace}/${operationOf(lease)}`),
  );
  const doomed = found.filter(
    ({ object }) => !alive.has(`${object.metadata.namespace}/${operationOf(object)}`),
  );
  const removed: Leftover[] = [];
  for (const { kind } of LEFTOVER_KINDS) {
    await mapConcurrent(
      doomed.filter(item => item.kind === kind),
      8,
      async ({ collection, object }) => {
        const namespace = object.metadata.namespace ?? '';
        if (
          await remove(client, namespacedPath(collection, namespace, object.metadata.name ?? ''))
        ) {
          removed.push({
            kind,
            namespace,
            name: object.metadata.name ?? '',
            operation: operationOf(object),
          });
        }
      },
    );
  }
  const finished = new Set(removed.map(item => `${item.namespace}/${item.operation}`));
  await mapConcurrent(
    leases.filter(lease => finished.has(`${lease.metadata.namespace}/${operationOf(lease)}`)),
    8,
    lease =>
      remove(
        client,
        namespacedPath(LEASES, lease.metadata.namespace ?? '', lease.metadata.name ?? ''),
      ),
  );
  return { removed };
}

/** Whether an operation's Lease says it still runs. */
export function leaseAlive(lease: KubeObject, now: number): boolean {
  const spec = (lease.spec ?? {}) as {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
  };
  const renewed = Date.parse(spec.renewTime ?? '');
  if (!Number.isFinite(renewed) || renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now)
    return false;
  const [host, pid] = (spec.holderIdentity ?? '').split('/');
  return !(host === hostname() && /^\d+$/.test(pid ?? '') && !processAlive(Number(pid)));
}

function operationOf(object: KubeObject): string {
  return object.metadata.labels?.[OPERATION_LABEL] ?? '';
}

async function listLabelled(client: KubeClient, collection: string): Promise<KubeObject[]> {
  try {
    const list = await client.request<{ items?: KubeObject[] }>({
      method: 'GET',
      path: collection,
      query: { labelSelector: OPERATION_LABEL },
    });
    return list.items ?? [];
  } catch (error) {
    // A cluster without the snapshot API has no VolumeSnapshots to leave behind.
    if (error instanceof KubeApiError && error.status === 404) return [];
    throw error;
  }
}

function namespacedPath(collection: string, namespace: string, name: string): string {
  const at = collection.lastIndexOf('/');
  return `${collection.slice(0, at)}/namespaces/${encodeURIComponent(namespace)}${collection.slice(at)}/${encodeURIComponent(name)}`;
}

async function remove(client: KubeClient, path: string): Promise<boolean> {
  try {
    await client.request({ method: 'DELETE', path, query: { gracePeriodSeconds: 0 } });
    return true;
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return false;
    throw error;
  }
}
