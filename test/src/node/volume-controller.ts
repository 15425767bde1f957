/**
 * The persistent volume controller and the node's provisioners: claims without a class get
 * the default StorageClass (the newest, as since Kubernetes 1.26), claims bind to matching
 * available PersistentVolumes, and claims of a class whose provisioner this node runs get a
 * PersistentVolume with a directory of its own — at once for `Immediate` classes, once the
 * scheduler picks the node for `WaitForFirstConsumer` ones — filled from a VolumeSnapshot
 * or another claim when `dataSource` names one. Released volumes are deleted (directory and
 * object) or kept per their reclaim policy.
 */
import { isObject, nowTimestamp, type JsonObject, type KubeObject } from '../server/json';
import type { StoreEvent } from '../server/store';
import { getObject, listObjects, specOf, statusOf, typeOf, type NodeContext } from './context';
import { CSI_DRIVER, PROVISIONERS, createVolume, deleteVolume, snapshotPath } from './csi';
import { persistentVolumePath } from './pod-volumes';
import { parseQuantity } from './quantity';
import { QueueController } from './queue-controller';

const MANAGER = 'kube-controller-manager';
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

export class VolumeController extends QueueController {
  protected readonly name = 'volume controller';

  start(): void {
    for (const claim of listObjects(this.ctx.api, '', 'persistentvolumeclaims'))
      this.enqueue(claim);
  }

  private enqueue(claim: KubeObject): void {
    this.queue.add(`claim/${claim.metadata.namespace}/${claim.metadata.name}`);
  }

  /** Reacts to store events; claims are reconciled, released volumes reclaimed. */
  onEvent(event: StoreEvent): void {
    const { typeKey, object, type } = event;
    if (typeKey === 'persistentvolumeclaims.') {
      if (type === 'DELETED') this.queue.add(`released/${object.metadata.uid}`);
      else this.enqueue(object);
    } else if (
      typeKey === 'persistentvolumes.' ||
      typeKey === 'storageclasses.storage.k8s.io' ||
      typeKey === 'volumesnapshots.snapshot.storage.k8s.io'
    ) {
      // A volume, class or snapshot appearing can unblock any waiting claim.
      for (const claim of listObjects(this.ctx.api, '', 'persistentvolumeclaims'))
        if (statusOf(claim).phase !== 'Bound') this.enqueue(claim);
      if (typeKey === 'persistentvolumes.' && type === 'DELETED')
        this.volumeDeleted(object).catch(error =>
          console.error(`volume controller: deleting ${object.metadata.name}: ${String(error)}`),
        );
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  protected async reconcile(key: string): Promise<void> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'released') return this.reclaim(rest[0]);
    const [namespace, name] = rest;
    const claim = getObject(this.ctx.api, '', 'persistentvolumeclaims', namespace, name);
    if (!claim || claim.metadata.deletionTimestamp || statusOf(claim).phase === 'Bound') return;
    const spec = specOf(claim);
    if (spec.storageClassName === undefined || spec.storageClassName === null) {
      const fallback = defaultClass(this.ctx);
      if (fallback) {
        this.writeClaim(claim, c => (specOf(c).storageClassName = fallback.metadata.name!));
        return;
      }
    }
    const className = String(spec.storageClassName ?? '');
    const volume = this.findVolume(claim, className);
    if (volume) return this.bind(claim, volume);
    if (typeof spec.volumeName === 'string' && spec.volumeName) return; // waits for that volume
    const storageClass = className
      ? getObject(this.ctx.api, 'storage.k8s.io', 'storageclasses', undefined, className)
      : undefined;
    if (!storageClass) return;
    const provisioner = String(storageClass.provisioner ?? '');
    const annotations = claim.metadata.annotations ?? {};
    if (annotations[STORAGE_PROVISIONER] !== provisioner) {
      this.writeClaim(claim, c => {
        c.metadata.annotations = {
          ...c.metadata.annotations,
          [STORAGE_PROVISIONER]: provisioner,
          [BETA_STORAGE_PROVISIONER]: provisioner,
        };
      });
      return;
    }
    if (!PROVISIONERS.includes(provisioner)) return; // no such provisioner runs here
    if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !annotations[SELECTED_NODE])
      return;
    await this.provision(claim, storageClass, provisioner);
  }

  private writeClaim(claim: KubeObject, edit: (copy: KubeObject) => void): void {
    const copy = structuredClone(claim);
    edit(copy);
    this.ctx.api.systemWrite(typeOf(this.ctx.api, '', 'persistentvolumeclaims'), copy, MANAGER);
  }

  /** An Available volume that satisfies the claim (or the one it names). */
  private findVolume(claim: KubeObject, className: string): KubeObject | undefined {
    const spec = specOf(claim);
    const wanted = parseQuantity(requestOf(claim));
    const modes = Array.isArray(spec.accessModes) ? spec.accessModes.map(String) : [];
    const candidates = listObjects(this.ctx.api, '', 'persistentvolumes').filter(pv => {
      const pvSpec = specOf(pv);
      const ref = isObject(pvSpec.claimRef) ? pvSpec.claimRef : undefined;
      if (ref && (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace))
        return false;
      if (ref?.uid && ref.uid !== claim.metadata.uid) return false;
      if (!ref && statusOf(pv).phase === 'Released') return false;
      if (spec.volumeName && spec.volumeName !== pv.metadata.name) return false;
      if (String(pvSpec.storageClassName ?? '') !== className) return false;
      const capacity = isObject(pvSpec.capacity) ? String(pvSpec.capacity.storage ?? '0') : '0';
      if (parseQuantity(capacity) < wanted) return false;
      const pvModes = Array.isArray(pvSpec.accessModes) ? pvSpec.accessModes.map(String) : [];
      if (!modes.every(m => pvModes.includes(m))) return false;
      return (pvSpec.volumeMode ?? 'Filesystem') === (spec.volumeMode ?? 'Filesystem');
    });
    // A volume reserved for this claim first, then the smallest that fits.
    return candidates.sort((a, b) => {
      const reserved = (pv: KubeObject) => (isObject(specOf(pv).claimRef) ? 0 : 1);
      return (
        reserved(a) - reserved(b) ||
        parseQuantity(String((specOf(a).capacity as JsonObject).storage)) -
          parseQuantity(String((specOf(b).capacity as JsonObject).storage))
      );
    })[0];
  }

  private bind(claim: KubeObject, volume: KubeObject): void {
    const api = this.ctx.api;
    const pvType = typeOf(api, '', 'persistentvolumes');
    const pv = structuredClone(volume);
    specOf(pv).claimRef = {
      kind: 'PersistentVolumeClaim',
      namespace: claim.metadata.namespace!,
      name: claim.metadata.name!,
      uid: claim.metadata.uid!,
      apiVersion: 'v1',
      resourceVersion: claim.metadata.resourceVersion!,
    };
    pv.status = { ...statusOf(pv), phase: 'Bound', lastPhaseTransitionTime: nowTimestamp() };
    api.systemWrite(pvType, pv, MANAGER);
    const pvSpec = specOf(pv);
    this.writeClaim(claim, c => {
      specOf(c).volumeName = pv.metadata.name!;
      c.metadata.annotations = {
        ...c.metadata.annotations,
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
      };
      c.status = {
        phase: 'Bound',
        accessModes: pvSpec.accessModes ?? [],
        capacity: pvSpec.capacity ?? {},
      };
    });
  }

  private async provision(
    claim: KubeObject,
    storageClass: KubeObject,
    provisioner: string,
  ): Promise<void> {
    const api = this.ctx.api;
    const source = this.dataSource(claim, provisioner);
    if (source === 'wait') return;
    const name = `pvc-${claim.metadata.uid}`;
    if (getObject(api, '', 'persistentvolumes', undefined, name)) return;
    // A clone copies a live volume: its writers pause meanwhile, as for a snapshot.
    const resume =
      source && !source.startsWith(this.ctx.workdir.snapshots)
        ? await this.freeze(source)
        : undefined;
    let dir: string;
    try {
      dir = await createVolume(this.ctx, name, source);
    } finally {
      await resume?.();
    }
    const spec = specOf(claim);
    const pvSpec: JsonObject = {
      accessModes: spec.accessModes ?? ['ReadWriteOnce'],
      capacity: { storage: requestOf(claim) },
      persistentVolumeReclaimPolicy: String(storageClass.reclaimPolicy ?? 'Delete'),
      storageClassName: storageClass.metadata.name!,
      volumeMode: spec.volumeMode ?? 'Filesystem',
    };
    if (provisioner === CSI_DRIVER) {
      pvSpec.csi = {
        driver: CSI_DRIVER,
        volumeHandle: name,
        fsType: 'ext4',
        volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': 'kube-test-node' },
      };
    } else {
      pvSpec.hostPath = { path: dir, type: 'DirectoryOrCreate' };
    }
    pvSpec.nodeAffinity = {
      required: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kubernetes.io/hostname', operator: 'In', values: [this.ctx.options.name] },
            ],
          },
        ],
      },
    };
    const pv = api.systemWrite(
      typeOf(api, '', 'persistentvolumes'),
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, annotations: { [PROVISIONED_BY]: provisioner } },
        spec: pvSpec,
        status: { phase: 'Available' },
      },
      provisioner === CSI_DRIVER ? 'csi-provisioner' : 'local-path-provisioner',
    );
    const current = getObject(
      api,
      '',
      'persistentvolumeclaims',
      claim.metadata.namespace,
      claim.metadata.name!,
    );
    if (current && current.metadata.uid === claim.metadata.uid) this.bind(current, pv);
  }

  /**
   * The directory a new volume is copied from: a ready VolumeSnapshot's data or a bound
   * claim's volume (clones stay within the driver and namespace); 'wait' until it is ready.
   */
  private dataSource(claim: KubeObject, provisioner: string): string | undefined | 'wait' {
    const spec = specOf(claim);
    const ref = isObject(spec.dataSourceRef)
      ? spec.dataSourceRef
      : isObject(spec.dataSource)
        ? spec.dataSource
        : undefined;
    if (!ref) return undefined;
    const namespace = claim.metadata.namespace!;
    const name = String(ref.name ?? '');
    if (provisioner !== CSI_DRIVER) return 'wait';
    if (ref.kind === 'VolumeSnapshot') {
      const snapshot = getObject(
        this.ctx.api,
        'snapshot.storage.k8s.io',
        'volumesnapshots',
        namespace,
        name,
      );
      const status = statusOf(snapshot);
      if (!snapshot || status.readyToUse !== true) return 'wait';
      const content = getObject(
        this.ctx.api,
        'snapshot.storage.k8s.io',
        'volumesnapshotcontents',
        undefined,
        String(status.boundVolumeSnapshotContentName ?? ''),
      );
      const handle = statusOf(content).snapshotHandle;
      if (typeof handle !== 'string' || specOf(content).driver !== CSI_DRIVER) return 'wait';
      return snapshotPath(this.ctx, handle);
    }
    if (ref.kind === 'PersistentVolumeClaim') {
      const sourceClaim = getObject(this.ctx.api, '', 'persistentvolumeclaims', namespace, name);
      if (!sourceClaim || statusOf(sourceClaim).phase !== 'Bound') return 'wait';
      const pv = getObject(
        this.ctx.api,
        '',
        'persistentvolumes',
        undefined,
        String(specOf(sourceClaim).volumeName),
      );
      if (!pv || !isObject(specOf(pv).csi) || (specOf(pv).csi as JsonObject).driver !== CSI_DRIVER)
        return 'wait';
      return persistentVolumePath(this.ctx, pv);
    }
    return 'wait';
  }

  /** A deleted claim's volume: Delete removes it (and its directory), Retain releases it. */
  private async reclaim(claimUid: string): Promise<void> {
    const api = this.ctx.api;
    const pv = listObjects(api, '', 'persistentvolumes').find(
      v => isObject(specOf(v).claimRef) && (specOf(v).claimRef as JsonObject).uid === claimUid,
    );
    if (!pv) return;
    const type = typeOf(api, '', 'persistentvolumes');
    const ours = PROVISIONERS.includes(pv.metadata.annotations?.[PROVISIONED_BY] ?? '');
    if (specOf(pv).persistentVolumeReclaimPolicy === 'Delete' && ours) {
      api.remove(type, pv, 'Background');
      return;
    }
    api.writeStatus(type, pv, { ...statusOf(pv), phase: 'Released' }, MANAGER);
  }

  private async volumeDeleted(pv: KubeObject): Promise<void> {
    if (!PROVISIONERS.includes(pv.metadata.annotations?.[PROVISIONED_BY] ?? '')) return;
    await deleteVolume(this.ctx, pv.metadata.name!);
  }
}

function requestOf(claim: KubeObject): string {
  const resources = specOf(claim).resources;
  const requests = isObject(resources) && isObject(resources.requests) ? resources.requests : {};
  return String(requests.storage ?? '0');
}

/** The default StorageClass: the newest marked default, by name on a tie. */
export function defaultClass(ctx: NodeContext): KubeObject | undefined {
  return listObjects(ctx.api, 'storage.k8s.io', 'storageclasses')
    .filter(c => c.metadata.annotations?.[DEFAULT_CLASS] === 'true')
    .sort(
      (a, b) =>
        Date.parse(b.metadata.creationTimestamp ?? '') -
          Date.parse(a.metadata.creationTimestamp ?? '') ||
        (a.metadata.name! < b.metadata.name! ? -1 : 1),
    )[0];
}
