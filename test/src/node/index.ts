/**
 * The test cluster's node: a Ready Node object, a scheduler, a kubelet that runs pods as
 * runc containers from locally built images, the persistent volume controller with the
 * hostpath CSI driver and kind's local-path provisioner, the snapshot controller, the Job
 * controller, and the kubelet's streaming endpoints. Started by startTestCluster({ node:
 * true }); see test/README.md.
 */
import { cpus, release, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiServer, DeleteOptions } from '../server/api';
import type { Auth } from '../server/auth';
import type { PodLogs } from '../server/http';
import type { UpgradeTarget } from '../server/upgrade';
import { nowTimestamp, type JsonObject, type KubeObject } from '../server/json';
import type { ResourceType } from '../server/resources';
import {
  NODE_DEFAULTS,
  getObject,
  listObjects,
  specOf,
  statusOf,
  typeOf,
  type NodeContext,
  type NodeOptions,
} from './context';
import { CSI_DRIVER, LOCAL_PATH_PROVISIONER } from './csi';
import { ImageStore, normalizeReference } from './images';
import { JobController } from './job-controller';
import { Kubelet } from './kubelet';
import { NodeFaultState, type PodMatch } from './node-faults';
import { Runc } from './runc';
import { Scheduler } from './scheduler';
import { SnapshotController } from './snapshot-controller';
import { StreamServer, serveLog } from './streaming';
import { VolumeController } from './volume-controller';
import { createWorkdir } from './workdir';

export type { NodeOptions } from './context';
export type { PodMatch } from './node-faults';

/** The storage this node offers, by the names a kind cluster with the CSI hostpath driver uses. */
export const NODE_STORAGE = {
  /** The default StorageClass: kind's local-path provisioner, WaitForFirstConsumer, no snapshots. */
  defaultStorageClass: 'standard',
  /** The CSI hostpath driver's StorageClass (Immediate), which can be snapshotted and cloned. */
  csiStorageClass: 'csi-hostpath-sc',
  csiDriver: CSI_DRIVER,
  volumeSnapshotClass: 'csi-hostpath-snapclass',
} as const;

/** Faults a test injects into the node (also on TestCluster.faults). */
export interface NodeFaults {
  /** Kills a running container (the first one when none is named): it exits with 137. */
  killContainer(namespace: string, pod: string, container?: string): Promise<void>;
  /** Pulls of this image fail (ErrImagePull, then ImagePullBackOff) until reset. */
  missingImage(image: string): void;
  /** The node goes NotReady: its containers die, its pods turn unready, nothing new lands. */
  nodeNotReady(): Promise<void>;
  /** The node is Ready again: containers restart per their pods' restartPolicy. */
  nodeReady(): void;
  /** Containers matching `match` start after `delayMs`, or (without it) once released. */
  slowStart(match?: PodMatch, delayMs?: number): () => void;
  /** Containers matching `match` are killed (exit 137) the moment they start, until undone. */
  killOnStart(match: PodMatch): () => void;
  reset(): void;
}

/** The node: its kubelet endpoints for the API server (`pods/log`, exec and attach) and more. */
export interface TestNode extends PodLogs, UpgradeTarget {
  name: string;
  /** runc's state directory: `runc --root <it> list` shows the node's containers. */
  runcRoot: string;
  faults: NodeFaults;
  /** Stops every container and removes the node's files. */
  stop(): Promise<void>;
}

export interface NodeStartContext {
  api: ApiServer;
  auth: Auth;
  caPem: string;
  apiPort: () => number;
  kubeletVersion: string;
}

/** The repository root: the nearest folder up from here with the image definitions. */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'images')) && existsSync(join(dir, 'scripts/build-images.mjs')))
      return dir;
  throw new Error(`no images/ folder above ${__dirname}`);
}

export async function startNode(
  start: NodeStartContext,
  opts: NodeOptions = {},
): Promise<TestNode> {
  const options = { ...NODE_DEFAULTS, ...opts };
  const { api } = start;
  const images = new ImageStore(repositoryRoot());
  const workdir = await createWorkdir();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const tokens = new Map<string, string>();
  const ctx: NodeContext = {
    api,
    options,
    workdir,
    runc: new Runc(workdir.runc),
    images,
    apiHost: '127.0.0.1',
    apiPort: start.apiPort,
    caPem: start.caPem,
    serviceAccountToken(namespace, name) {
      const key = `${namespace}/${name}`;
      let token = tokens.get(key);
      if (!token) {
        token = randomBytes(24).toString('hex');
        tokens.set(key, token);
        start.auth.addToken(token, `system:serviceaccount:${namespace}:${name}`, false);
      }
      return token;
    },
    later(ms, fn) {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopped) fn();
      }, ms);
      timer.unref();
      timers.add(timer);
    },
    stopped: () => stopped,
  };
  const faultState = new NodeFaultState();
  const kubelet = new Kubelet(ctx, faultState);
  const freeze = async (path: string) => {
    const paused = kubelet.containersUsing(path);
    for (const instance of paused) await ctx.runc.pause(instance.id);
    return async () => {
      for (const instance of paused) await ctx.runc.resume(instance.id);
    };
  };
  const scheduler = new Scheduler(ctx, faultState);
  const volumes = new VolumeController(ctx, freeze);
  const snapshots = new SnapshotController(ctx, freeze);
  const jobs = new JobController(ctx);
  const streams = new StreamServer(api, kubelet, ctx.runc, workdir.dir);

  bootstrapObjects(api, options.name, start.kubeletVersion);
  const unsubscribe = api.store.subscribe(event => {
    // Controllers act after the write that woke them, never inside it.
    setImmediate(() => {
      if (stopped) return;
      scheduler.onEvent(event);
      kubelet.onEvent(event);
      volumes.onEvent(event);
      snapshots.onEvent(event);
      jobs.onEvent(event);
    });
  });
  api.gracefulDelete = (type, obj, deleteOptions) =>
    gracefulPodDelete(api, kubelet, options.name, type, obj, deleteOptions);
  for (const controller of [scheduler, kubelet, volumes, snapshots, jobs]) controller.start();

  const setNodeReady = (ready: boolean) => {
    const node = getObject(api, '', 'nodes', undefined, options.name);
    if (!node) return;
    const next = structuredClone(node);
    const taints = ready
      ? []
      : [
          { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: nowTimestamp() },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: nowTimestamp() },
        ];
    if (taints.length) specOf(next).taints = taints;
    else delete specOf(next).taints;
    next.status = { ...statusOf(node), conditions: nodeConditions(ready) };
    api.systemWrite(typeOf(api, '', 'nodes'), next, ready ? 'kubelet' : 'kube-controller-manager');
  };

  const faults: NodeFaults = {
    async killContainer(namespace, pod, container) {
      const worker = kubelet.worker(namespace, pod);
      const state = container
        ? worker?.containers.find(c => c.name === container)
        : worker?.containers.find(c => c.current);
      const instance = state?.current;
      if (!instance)
        throw new Error(`no running container ${container ?? ''} in pod ${namespace}/${pod}`);
      if (await instance.started) await ctx.runc.kill(instance.id, 'KILL');
      await instance.exited;
    },
    missingImage(image) {
      ctx.images.missing.add(normalizeReference(image));
    },
    async nodeNotReady() {
      faultState.ready = false;
      setNodeReady(false);
      await kubelet.nodeDown();
      // The node lifecycle controller marks the node's pods not ready.
      for (const pod of listObjects(api, '', 'pods')) {
        if (specOf(pod).nodeName !== options.name) continue;
        const conditions = Array.isArray(statusOf(pod).conditions)
          ? (statusOf(pod).conditions as JsonObject[])
          : [];
        const next = conditions.map(c =>
          c.type === 'Ready' || c.type === 'ContainersReady'
            ? { ...c, status: 'False', lastTransitionTime: nowTimestamp() }
            : c,
        );
        api.writeStatus(
          typeOf(api, '', 'pods'),
          pod,
          { ...statusOf(pod), conditions: next },
          'node-controller',
        );
      }
    },
    nodeReady() {
      faultState.ready = true;
      setNodeReady(true);
      kubelet.nodeUp();
      scheduler.requeuePending();
    },
    slowStart(match = () => true, delayMs) {
      return faultState.slowStart(match, delayMs);
    },
    killOnStart(match) {
      return faultState.killOnStart(match);
    },
    reset() {
      ctx.images.missing.clear();
      faultState.reset();
      if (!faultState.ready) faults.nodeReady();
    },
  };

  return {
    name: options.name,
    runcRoot: workdir.runc,
    faults,
    serveLog: (namespace, name, query, req, res) =>
      serveLog(api, kubelet, namespace, name, query, req, res),
    upgrade: (req, socket, head, namespace, name, subresource, query) =>
      streams.upgrade(req, socket, head, namespace, name, subresource, query),
    async stop() {
      if (stopped) return;
      faultState.reset();
      await kubelet.stop();
      stopped = true;
      unsubscribe();
      api.gracefulDelete = undefined;
      for (const timer of timers) clearTimeout(timer);
      for (const controller of [scheduler, volumes, snapshots, jobs]) controller.stop();
      streams.close();
      await workdir.cleanup();
    },
  };
}

/**
 * A pod whose containers run here is not removed at once: it is marked with a
 * deletionTimestamp and its grace period, and the kubelet removes it once they stopped.
 * A grace period of 0 (force) removes it now; the kubelet then kills the containers.
 */
function gracefulPodDelete(
  api: ApiServer,
  kubelet: Kubelet,
  nodeName: string,
  type: ResourceType,
  pod: KubeObject,
  opts: DeleteOptions,
): KubeObject | undefined {
  if (type.resource !== 'pods' || type.group || opts.dryRun) return undefined;
  if (specOf(pod).nodeName !== nodeName || !kubelet.hasRunningContainers(pod.metadata.uid!))
    return undefined;
  const grace = opts.gracePeriodSeconds ?? Number(specOf(pod).terminationGracePeriodSeconds ?? 30);
  if (grace <= 0 || pod.metadata.deletionTimestamp) {
    if (grace > 0) return pod;
    api.remove(type, pod, opts.propagationPolicy ?? 'Background');
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: nowTimestamp(),
        deletionGracePeriodSeconds: 0,
      },
    };
  }
  return api.markDeleting(type, pod, pod.metadata.finalizers ?? [], grace);
}

function nodeConditions(ready: boolean): JsonObject[] {
  const time = nowTimestamp();
  const pressure = (type: string, reason: string, message: string): JsonObject => ({
    type,
    status: 'False',
    lastHeartbeatTime: time,
    lastTransitionTime: time,
    reason,
    message,
  });
  return [
    pressure(
      'MemoryPressure',
      'KubeletHasSufficientMemory',
      'kubelet has sufficient memory available',
    ),
    pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      lastHeartbeatTime: time,
      lastTransitionTime: time,
      reason: ready ? 'KubeletReady' : 'KubeletNotReady',
      message: ready ? 'kubelet is posting ready status' : 'container runtime is down',
    },
  ];
}

/** The Node, its CSI driver and the storage and snapshot classes a kind cluster has. */
function bootstrapObjects(api: ApiServer, name: string, kubeletVersion: string): void {
  const memoryKi = `${Math.floor(totalmem() / 1024)}Ki`;
  const resources = {
    cpu: String(cpus().length),
    memory: memoryKi,
    pods: '110',
    'ephemeral-storage': '100Gi',
  };
  api.systemWrite(
    typeOf(api, '', 'nodes'),
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': 'amd64',
        },
      },
      spec: {},
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: nodeConditions(true),
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64',
          bootID: '',
          containerRuntimeVersion: 'runc://1.1',
          kernelVersion: release(),
          kubeProxyVersion: kubeletVersion,
          kubeletVersion,
          machineID: '',
          operatingSystem: 'linux',
          osImage: 'kube-test-node',
          systemUUID: '',
        },
      },
    },
    'kubelet',
  );
  api.systemWrite(
    typeOf(api, 'storage.k8s.io', 'csidrivers'),
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: CSI_DRIVER },
      spec: {
        attachRequired: false,
        podInfoOnMount: true,
        volumeLifecycleModes: ['Persistent'],
        fsGroupPolicy: 'File',
        requiresRepublish: false,
        storageCapacity: false,
        seLinuxMount: false,
      },
    },
    'csi-hostpathplugin',
  );
  const storageClass = typeOf(api, 'storage.k8s.io', 'storageclasses');
  api.systemWrite(
    storageClass,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: NODE_STORAGE.defaultStorageClass,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: LOCAL_PATH_PROVISIONER,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    'kubeadm',
  );
  api.systemWrite(
    storageClass,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: NODE_STORAGE.csiStorageClass },
      provisioner: CSI_DRIVER,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
    },
    'kubectl-client-side-apply',
  );
  api.systemWrite(
    typeOf(api, 'snapshot.storage.k8s.io', 'volumesnapshotclasses'),
    {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: NODE_STORAGE.volumeSnapshotClass },
      driver: CSI_DRIVER,
      deletionPolicy: 'Delete',
    },
    'kubectl-client-side-apply',
  );
}
