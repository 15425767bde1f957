/**
 * The snapshot controller and the hostpath driver's snapshotter (external-snapshotter's
 * two halves): a VolumeSnapshot of a claim gets a VolumeSnapshotContent bound to it, the
 * driver copies the volume at that instant, and both become readyToUse after
 * `snapshotReadyDelayMs`. Claims whose volume is not CSI, or whose driver has no
 * VolumeSnapshotClass, get the error the snapshot controller reports. Deleting a snapshot
 * deletes its content and data under the Delete policy; pre-provisioned contents
 * (source.snapshotHandle) bind to the snapshot that names them.
 */
import { isObject, nowTimestamp, type JsonObject, type KubeObject } from '../server/json';
import type { StoreEvent } from '../server/store';
import { getObject, listObjects, specOf, statusOf, typeOf } from './context';
import { CSI_DRIVER, createSnapshot, deleteSnapshot, volumePath } from './csi';
import { parseQuantity } from './quantity';
import { QueueController } from './queue-controller';

const GROUP = 'snapshot.storage.k8s.io';
const DEFAULT_SNAPSHOT_CLASS = 'snapshot.storage.kubernetes.io/is-default-class';

export class SnapshotController extends QueueController {
  protected readonly name = 'snapshot controller';

  start(): void {
    for (const snapshot of listObjects(this.ctx.api, GROUP, 'volumesnapshots'))
      this.queue.add(`snapshot/${snapshot.metadata.namespace}/${snapshot.metadata.name}`);
    for (const content of listObjects(this.ctx.api, GROUP, 'volumesnapshotcontents'))
      this.queue.add(`content/${content.metadata.name}`);
  }

  onEvent(event: StoreEvent): void {
    const { typeKey, object, type } = event;
    if (typeKey === `volumesnapshots.${GROUP}`) {
      if (type === 'DELETED') this.snapshotDeleted(object);
      else this.queue.add(`snapshot/${object.metadata.namespace}/${object.metadata.name}`);
    } else if (typeKey === `volumesnapshotcontents.${GROUP}`) {
      if (type === 'DELETED')
        this.contentDeleted(object).catch(error =>
          console.error(`snapshot controller: deleting ${object.metadata.name}: ${String(error)}`),
        );
      else this.queue.add(`content/${object.metadata.name}`);
    } else if (typeKey === 'persistentvolumeclaims.' && type !== 'DELETED') {
      // A claim binding can unblock snapshots waiting for it.
      for (const snapshot of listObjects(
        this.ctx.api,
        GROUP,
        'volumesnapshots',
        object.metadata.namespace,
      ))
        if (!statusOf(snapshot).boundVolumeSnapshotContentName)
          this.queue.add(`snapshot/${snapshot.metadata.namespace}/${snapshot.metadata.name}`);
    }
  }

  private type(resource: string) {
    return typeOf(this.ctx.api, GROUP, resource);
  }

  protected async reconcile(key: string): Promise<void> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'content') return this.reconcileContent(rest[0]);
    const [namespace, name] = rest;
    const snapshot = getObject(this.ctx.api, GROUP, 'volumesnapshots', namespace, name);
    if (!snapshot || snapshot.metadata.deletionTimestamp) return;
    const status = statusOf(snapshot);
    if (status.boundVolumeSnapshotContentName) return this.syncReady(snapshot);
    const source = isObject(specOf(snapshot).source) ? (specOf(snapshot).source as JsonObject) : {};
    if (typeof source.volumeSnapshotContentName === 'string')
      return this.bindPreProvisioned(snapshot, source.volumeSnapshotContentName);
    const claimName = String(source.persistentVolumeClaimName ?? '');
    const claim = getObject(this.ctx.api, '', 'persistentvolumeclaims', namespace, claimName);
    if (!claim)
      return this.fail(
        snapshot,
        `failed to get input parameters to create snapshot ${name}: persistentvolumeclaim "${claimName}" not found`,
      );
    if (statusOf(claim).phase !== 'Bound') return; // waits for the claim to bind
    const pv = getObject(
      this.ctx.api,
      '',
      'persistentvolumes',
      undefined,
      String(specOf(claim).volumeName),
    );
    const csi = pv && isObject(specOf(pv).csi) ? (specOf(pv).csi as JsonObject) : undefined;
    if (!pv || !csi)
      return this.fail(
        snapshot,
        `Failed to create snapshot content with error cannot find CSI PersistentVolumeSource for volume ${String(specOf(claim).volumeName)}`,
      );
    const snapshotClass = this.snapshotClass(snapshot, String(csi.driver));
    if (typeof snapshotClass === 'string') return this.fail(snapshot, snapshotClass);
    const contentName = `snapcontent-${snapshot.metadata.uid}`;
    if (!getObject(this.ctx.api, GROUP, 'volumesnapshotcontents', undefined, contentName)) {
      this.ctx.api.systemWrite(
        this.type('volumesnapshotcontents'),
        {
          apiVersion: `${GROUP}/v1`,
          kind: 'VolumeSnapshotContent',
          metadata: { name: contentName },
          spec: {
            deletionPolicy: String(snapshotClass.deletionPolicy ?? 'Delete'),
            driver: String(csi.driver),
            source: { volumeHandle: String(csi.volumeHandle) },
            sourceVolumeMode: String(specOf(pv).volumeMode ?? 'Filesystem'),
            volumeSnapshotClassName: snapshotClass.metadata.name!,
            volumeSnapshotRef: {
              apiVersion: `${GROUP}/v1`,
              kind: 'VolumeSnapshot',
              name: snapshot.metadata.name!,
              namespace: namespace,
              uid: snapshot.metadata.uid!,
              resourceVersion: snapshot.metadata.resourceVersion!,
            },
          },
        },
        'snapshot-controller',
      );
    }
    const current = getObject(this.ctx.api, GROUP, 'volumesnapshots', namespace, name)!;
    this.ctx.api.writeStatus(
      this.type('volumesnapshots'),
      current,
      { boundVolumeSnapshotContentName: contentName, readyToUse: false },
      'snapshot-controller',
    );
    if (!specOf(current).volumeSnapshotClassName) {
      const copy = structuredClone(
        getObject(this.ctx.api, GROUP, 'volumesnapshots', namespace, name)!,
      );
      specOf(copy).volumeSnapshotClassName = snapshotClass.metadata.name!;
      this.ctx.api.systemWrite(this.type('volumesnapshots'), copy, 'snapshot-controller');
    }
  }

  /** The snapshot's class, or the default one of the driver; a string is the error. */
  private snapshotClass(snapshot: KubeObject, driver: string): KubeObject | string {
    const named = specOf(snapshot).volumeSnapshotClassName;
    const classes = listObjects(this.ctx.api, GROUP, 'volumesnapshotclasses');
    if (typeof named === 'string' && named) {
      const found = classes.find(c => c.metadata.name === named);
      if (!found)
        return `Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io "${named}" not found`;
      if (found.driver !== driver)
        return `Failed to create snapshot content with error snapshot controller failed to update ${snapshot.metadata.namespace}/${snapshot.metadata.name} on API server: the driver ${String(found.driver)} of VolumeSnapshotClass ${named} does not match the driver ${driver} of the volume`;
      return found;
    }
    const defaults = classes.filter(
      c => c.driver === driver && c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS] === 'true',
    );
    if (defaults.length === 1) return defaults[0];
    if (defaults.length > 1)
      return `Failed to set default snapshot class with error default snapshot class: ${defaults.length} default snapshot classes exist for driver ${driver}`;
    return 'Failed to set default snapshot class with error cannot find default snapshot class';
  }

  private fail(snapshot: KubeObject, message: string): void {
    const status = statusOf(snapshot);
    const error = isObject(status.error) ? status.error : undefined;
    if (error?.message === message) return;
    this.ctx.api.writeStatus(
      this.type('volumesnapshots'),
      snapshot,
      { ...status, readyToUse: false, error: { message, time: nowTimestamp() } },
      'snapshot-controller',
    );
  }

  private bindPreProvisioned(snapshot: KubeObject, contentName: string): void {
    const content = getObject(
      this.ctx.api,
      GROUP,
      'volumesnapshotcontents',
      undefined,
      contentName,
    );
    if (!content) return; // waits for the content
    this.ctx.api.writeStatus(
      this.type('volumesnapshots'),
      snapshot,
      { boundVolumeSnapshotContentName: contentName, readyToUse: false },
      'snapshot-controller',
    );
  }

  /** The snapshot mirrors its content's readiness, creation time and size. */
  private syncReady(snapshot: KubeObject): void {
    const status = statusOf(snapshot);
    const content = getObject(
      this.ctx.api,
      GROUP,
      'volumesnapshotcontents',
      undefined,
      String(status.boundVolumeSnapshotContentName),
    );
    const contentStatus = statusOf(content);
    if (contentStatus.readyToUse !== true || status.readyToUse === true) return;
    const next: JsonObject = {
      boundVolumeSnapshotContentName: status.boundVolumeSnapshotContentName!,
      creationTime: new Date(Number(contentStatus.creationTime) / 1_000_000)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      readyToUse: true,
      restoreSize: quantityOf(Number(contentStatus.restoreSize ?? 0)),
    };
    this.ctx.api.writeStatus(this.type('volumesnapshots'), snapshot, next, 'snapshot-controller');
  }

  /** The driver's half: take the snapshot of a new content of this node's driver. */
  private async reconcileContent(name: string): Promise<void> {
    const content = getObject(this.ctx.api, GROUP, 'volumesnapshotcontents', undefined, name);
    if (!content || content.metadata.deletionTimestamp) return;
    const spec = specOf(content);
    if (spec.driver !== CSI_DRIVER) return;
    const status = statusOf(content);
    const ref = isObject(spec.volumeSnapshotRef) ? spec.volumeSnapshotRef : {};
    const requeueSnapshot = () =>
      this.queue.add(`snapshot/${String(ref.namespace)}/${String(ref.name)}`);
    if (status.readyToUse === true) return requeueSnapshot();
    if (status.snapshotHandle) return;
    const source = isObject(spec.source) ? spec.source : {};
    if (typeof source.snapshotHandle === 'string') {
      // Pre-provisioned: the data is already there.
      this.writeContentStatus(content, {
        snapshotHandle: source.snapshotHandle,
        creationTime: Date.now() * 1_000_000,
        readyToUse: true,
        restoreSize: 0,
      });
      return requeueSnapshot();
    }
    const volumeDir = volumePath(this.ctx, {
      driver: CSI_DRIVER,
      volumeHandle: String(source.volumeHandle ?? ''),
    });
    if (!volumeDir) return;
    const pv = listObjects(this.ctx.api, '', 'persistentvolumes').find(
      v =>
        isObject(specOf(v).csi) &&
        (specOf(v).csi as JsonObject).volumeHandle === source.volumeHandle,
    );
    const capacity =
      pv && isObject(specOf(pv).capacity)
        ? String((specOf(pv).capacity as JsonObject).storage)
        : '0';
    const taken = await createSnapshot(this.ctx, volumeDir, this.freeze);
    const restoreSize = parseQuantity(capacity) || 0;
    this.writeContentStatus(content, { ...taken, readyToUse: false, restoreSize });
    this.ctx.later(this.ctx.options.snapshotReadyDelayMs, () => {
      const current = getObject(this.ctx.api, GROUP, 'volumesnapshotcontents', undefined, name);
      if (!current) return;
      this.writeContentStatus(current, { ...statusOf(current), readyToUse: true });
      requeueSnapshot();
    });
  }

  private writeContentStatus(content: KubeObject, status: JsonObject): void {
    const current = getObject(
      this.ctx.api,
      GROUP,
      'volumesnapshotcontents',
      undefined,
      content.metadata.name!,
    );
    if (!current) return;
    this.ctx.api.writeStatus(
      this.type('volumesnapshotcontents'),
      current,
      status,
      'csi-snapshotter',
    );
  }

  private snapshotDeleted(snapshot: KubeObject): void {
    const name = statusOf(snapshot).boundVolumeSnapshotContentName;
    if (typeof name !== 'string') return;
    const content = getObject(this.ctx.api, GROUP, 'volumesnapshotcontents', undefined, name);
    if (!content || specOf(content).deletionPolicy !== 'Delete') return;
    this.ctx.api.remove(this.type('volumesnapshotcontents'), content, 'Background');
  }

  private async contentDeleted(content: KubeObject): Promise<void> {
    const handle = statusOf(content).snapshotHandle;
    if (
      specOf(content).driver === CSI_DRIVER &&
      typeof handle === 'string' &&
      specOf(content).deletionPolicy === 'Delete'
    )
      await deleteSnapshot(this.ctx, handle);
  }
}

/** Bytes as a binary-suffixed quantity when exact ("1Gi"), else plain. */
function quantityOf(bytes: number): string {
  for (const [suffix, factor] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const)
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  return String(bytes);
}
