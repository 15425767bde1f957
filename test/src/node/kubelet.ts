/**
 * The kubelet: runs a worker for every pod bound to this node, resyncs waiting pods when
 * what they wait for changes (claims, volumes, ConfigMaps, Secrets, service accounts),
 * and answers the streaming endpoints and the snapshotter with the containers it runs.
 */
import type { KubeObject } from '../server/json';
import type { StoreEvent } from '../server/store';
import { listObjects, specOf, type NodeContext } from './context';
import type { NodeFaultState } from './node-faults';
import { PodWorker, type ContainerState, type Instance } from './pod-worker';

const RESYNC_TYPES = new Set([
  'persistentvolumeclaims.',
  'persistentvolumes.',
  'configmaps.',
  'secrets.',
  'serviceaccounts.',
]);

export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly faults: NodeFaultState,
  ) {}

  start(): void {
    for (const pod of listObjects(this.ctx.api, '', 'pods')) this.podChanged(pod);
  }

  onEvent(event: StoreEvent): void {
    if (event.typeKey === 'pods.') {
      if (event.type === 'DELETED') void this.workers.get(event.object.metadata.uid!)?.sync();
      else this.podChanged(event.object);
    } else if (RESYNC_TYPES.has(event.typeKey)) {
      for (const worker of this.workers.values()) if (!worker.isTerminal()) void worker.sync();
    }
  }

  private podChanged(pod: KubeObject): void {
    if (specOf(pod).nodeName !== this.ctx.options.name) return;
    const uid = pod.metadata.uid!;
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = new PodWorker(
        this.ctx,
        this.faults,
        uid,
        pod.metadata.namespace!,
        pod.metadata.name!,
        specOf(pod),
      );
      this.workers.set(uid, worker);
      void worker.sync().then(() => this.forget(worker!));
      return;
    }
    void worker.sync().then(() => this.forget(worker!));
  }

  private forget(worker: PodWorker): void {
    if (worker.gone && this.workers.get(worker.uid) === worker) this.workers.delete(worker.uid);
  }

  /** The live worker of a pod (by namespace and name). */
  worker(namespace: string, name: string): PodWorker | undefined {
    for (const worker of this.workers.values())
      if (worker.namespace === namespace && worker.name === name && !worker.gone) return worker;
    return undefined;
  }

  container(namespace: string, pod: string, container: string): ContainerState | undefined {
    return this.worker(namespace, pod)?.containers.find(c => c.name === container);
  }

  /** Running containers that mount a host path (or something under it). */
  containersUsing(path: string): Instance[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.workers.values()].flatMap(w =>
      w.running().filter(i => i.mountSources.some(s => s === path || s.startsWith(prefix))),
    );
  }

  /** A crash of the node: every container dies; workers restart them when it is back. */
  async nodeDown(): Promise<void> {
    await Promise.all([...this.workers.values()].map(w => w.nodeDown()));
  }

  nodeUp(): void {
    for (const worker of this.workers.values()) void worker.sync();
  }

  /** Does a pod delete wait for this kubelet to stop containers? */
  hasRunningContainers(uid: string): boolean {
    const worker = this.workers.get(uid);
    return worker !== undefined && worker.running().length > 0;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map(w => w.terminate(0)));
  }
}
