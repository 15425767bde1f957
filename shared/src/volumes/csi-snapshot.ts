import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import type { KubeObject } from '../snapshot/types';
import { OPERATION_LABEL, type VolumeOperation } from './operation';
import { waitForObject } from './watch-object';

const SNAPSHOT_API = '/apis/snapshot.storage.k8s.io/v1';
const DEFAULT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';
/** On a kept VolumeSnapshot: the start of the snapshot id it was taken for (label values hold 63 characters). */
const KEPT_LABEL = 'kube-backup.io/kept-for';
/** The whole snapshot id. */
const KEPT_ANNOTATION = 'kube-backup.io/snapshot';

interface ClaimSpec {
  storageClassName?: string;
  accessModes?: string[];
  volumeMode?: string;
  resources?: { requests?: { storage?: string } };
}

/**
 * The CSI side of the snapshot method: which VolumeSnapshotClass serves a claim (the one
 * of its storage class's driver, the default one first), VolumeSnapshots that fix a point
 * in time, and claims cloned from them for a mover to read.
 */
export class CsiSnapshots {
  private classes?: Promise<KubeObject[]>;
  private readonly storageClasses = new Map<string, Promise<KubeObject | undefined>>();
  private count = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly operation: VolumeOperation,
    private readonly readyTimeoutMs = 600_000,
  ) {}

  /** The VolumeSnapshotClass for a claim, or undefined when its driver has none. */
  async classFor(claim: KubeObject): Promise<string | undefined> {
    const storageClass = (claim.spec as ClaimSpec | undefined)?.storageClassName;
    if (!storageClass) return undefined;
    const driver = (await this.storageClass(storageClass))?.provisioner;
    if (typeof driver !== 'string') return undefined;
    const matching = (await this.snapshotClasses()).filter(
      candidate => candidate.driver === driver,
    );
    const chosen =
      matching.find(c => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true') ??
      matching[0];
    return chosen?.metadata.name;
  }

  /** Takes a VolumeSnapshot of a claim and waits until it can be used. */
  async take(
    claim: KubeObject,
    className: string,
  ): Promise<{ name: string; restoreSize?: string }> {
    const namespace = claim.metadata.namespace ?? '';
    await this.operation.enter(namespace);
    const name = `${this.operation.prefix}-snapshot-${++this.count}`;
    const collection = `${SNAPSHOT_API}/namespaces/${encodeURIComponent(namespace)}/volumesnapshots`;
    await this.client.request({
      method: 'POST',
      path: collection,
      body: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: { name, namespace, labels: this.operation.labels('volume-snapshot') },
        spec: {
          volumeSnapshotClassName: className,
          source: { persistentVolumeClaimName: claim.metadata.name },
        },
      },
    });
    let failure: string | undefined;
    const ready = await waitForObject(
      this.client,
      { collection, name },
      snapshot => {
        const status = snapshot?.status as
          { readyToUse?: boolean; error?: { message?: string } } | undefined;
        if (!snapshot) failure = 'it was deleted';
        else if (status?.error?.message) failure = status.error.message;
        return !snapshot || status?.readyToUse === true || failure !== undefined;
      },
      { timeoutMs: this.readyTimeoutMs, what: `VolumeSnapshot ${namespace}/${name} to be ready` },
    );
    if (failure) {
      throw new UserError(
        'volume-data-error',
        `VolumeSnapshot ${namespace}/${name} failed: ${failure}`,
      );
    }
    const restoreSize = (ready?.status as { restoreSize?: string } | undefined)?.restoreSize;
    return { name, restoreSize };
  }

  /** A new claim holding the snapshot's data, in the claim's storage class. */
  async clone(
    claim: KubeObject,
    snapshot: { name: string; restoreSize?: string },
  ): Promise<string> {
    const namespace = claim.metadata.namespace ?? '';
    const spec = (claim.spec ?? {}) as ClaimSpec;
    const name = `${this.operation.prefix}-clone-${++this.count}`;
    await this.client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims`,
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace, labels: this.operation.labels('clone') },
        spec: {
          storageClassName: spec.storageClassName,
          accessModes: ['ReadWriteOnce'],
          ...(spec.volumeMode ? { volumeMode: spec.volumeMode } : {}),
          resources: {
            requests: {
              storage: snapshot.restoreSize ?? spec.resources?.requests?.storage ?? '1Gi',
            },
          },
          dataSource: {
            apiGroup: 'snapshot.storage.k8s.io',
            kind: 'VolumeSnapshot',
            name: snapshot.name,
          },
        },
      },
    });
    return name;
  }

  async deleteClone(namespace: string, name: string): Promise<void> {
    await ignoreMissing(
      this.client.request({
        method: 'DELETE',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`,
      }),
    );
  }

  async deleteSnapshot(namespace: string, name: string): Promise<void> {
    await ignoreMissing(
      this.client.request({ method: 'DELETE', path: this.snapshotPath(namespace, name) }),
    );
  }

  /**
   * Keeps a VolumeSnapshot as a local restore point: it no longer belongs to the operation
   * (so no cleanup removes it) and says which backup it was taken for.
   */
  async keep(namespace: string, name: string, backup: string): Promise<void> {
    await this.client.request({
      method: 'PATCH',
      path: this.snapshotPath(namespace, name),
      contentType: 'application/merge-patch+json',
      body: {
        metadata: {
          labels: { [OPERATION_LABEL]: null, [KEPT_LABEL]: backup.slice(0, 16) },
          annotations: { [KEPT_ANNOTATION]: backup },
        },
      },
    });
  }

  private snapshotPath(namespace: string, name: string): string {
    return `${SNAPSHOT_API}/namespaces/${encodeURIComponent(namespace)}/volumesnapshots/${encodeURIComponent(name)}`;
  }

  private snapshotClasses(): Promise<KubeObject[]> {
    this.classes ??= this.client
      .request<{ items?: KubeObject[] }>({
        method: 'GET',
        path: `${SNAPSHOT_API}/volumesnapshotclasses`,
      })
      .then(list => list.items ?? [])
      .catch(error => {
        // No snapshot API (or no right to read it): no class, so the fs method.
        if (error instanceof KubeApiError && [403, 404].includes(error.status)) return [];
        throw error;
      });
    return this.classes;
  }

  private storageClass(name: string): Promise<KubeObject | undefined> {
    let found = this.storageClasses.get(name);
    if (!found) {
      found = this.client
        .request<KubeObject>({
          method: 'GET',
          path: `/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(name)}`,
        })
        .catch(error => {
          if (error instanceof KubeApiError && [403, 404].includes(error.status)) return undefined;
          throw error;
        });
      this.storageClasses.set(name, found);
    }
    return found;
  }
}

async function ignoreMissing(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 404)) throw error;
  }
}
