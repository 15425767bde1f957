/**
 * The scheduler: binds pods that name no node (and use the default scheduler) to this
 * node, when it is Ready, their nodeSelector matches it and their claims are bound. For
 * claims of WaitForFirstConsumer classes it selects the node on the claim, so the
 * provisioner makes the volume, and binds the pod once they are bound. A pod that cannot
 * be placed stays Pending with PodScheduled=False and the scheduler's reason.
 */
import { isObject, nowTimestamp, type JsonObject, type KubeObject } from '../server/json';
import type { StoreEvent } from '../server/store';
import { getObject, listObjects, specOf, statusOf, typeOf, type NodeContext } from './context';
import type { NodeFaultState } from './node-faults';
import { SELECTED_NODE } from './volume-controller';
import { WorkQueue } from './work-queue';

const PREEMPTION =
  'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

export class Scheduler {
  private readonly queue: WorkQueue;

  constructor(
    private readonly ctx: NodeContext,
    private readonly faults: NodeFaultState,
  ) {
    this.queue = new WorkQueue(
      key => this.schedule(key),
      (key, error) => console.error(`scheduler: ${key}: ${String(error)}`),
    );
  }

  start(): void {
    this.requeuePending();
  }

  stop(): void {
    this.queue.stop();
  }

  onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED') return;
    if (event.typeKey === 'pods.') {
      if (this.unscheduled(event.object))
        this.queue.add(`${event.object.metadata.namespace}/${event.object.metadata.name}`);
    } else if (
      event.typeKey === 'persistentvolumeclaims.' ||
      event.typeKey === 'nodes.' ||
      event.typeKey === 'storageclasses.storage.k8s.io'
    ) {
      this.requeuePending();
    }
  }

  requeuePending(): void {
    for (const pod of listObjects(this.ctx.api, '', 'pods'))
      if (this.unscheduled(pod)) this.queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  private unscheduled(pod: KubeObject): boolean {
    const spec = specOf(pod);
    return (
      !spec.nodeName &&
      !pod.metadata.deletionTimestamp &&
      (spec.schedulerName ?? 'default-scheduler') === 'default-scheduler'
    );
  }

  private async schedule(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const pod = getObject(this.ctx.api, '', 'pods', namespace, name);
    if (!pod || !this.unscheduled(pod)) return;
    const blocked = this.blocker(pod);
    if (blocked === 'wait') return;
    if (blocked) return this.unschedulable(pod, blocked);
    const bound = structuredClone(pod);
    specOf(bound).nodeName = this.ctx.options.name;
    const conditions = Array.isArray(statusOf(pod).conditions)
      ? (statusOf(pod).conditions as JsonObject[]).filter(c => c.type !== 'PodScheduled')
      : [];
    bound.status = {
      ...statusOf(pod),
      phase: 'Pending',
      conditions: [
        ...conditions,
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: nowTimestamp(),
        },
      ],
    };
    this.ctx.api.systemWrite(typeOf(this.ctx.api, '', 'pods'), bound, 'kube-scheduler');
  }

  /** Why the pod cannot go to the node now: a message, 'wait' (volumes binding), or none. */
  private blocker(pod: KubeObject): string | 'wait' | undefined {
    const node = getObject(this.ctx.api, '', 'nodes', undefined, this.ctx.options.name);
    if (!node || !this.faults.ready)
      return `0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. ${PREEMPTION}`;
    const selector = specOf(pod).nodeSelector;
    if (isObject(selector)) {
      const labels = node.metadata.labels ?? {};
      if (Object.entries(selector).some(([k, v]) => labels[k] !== v))
        return `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. ${PREEMPTION}`;
    }
    let waiting = false;
    for (const volume of Array.isArray(specOf(pod).volumes)
      ? (specOf(pod).volumes as JsonObject[])
      : []) {
      const source = isObject(volume.persistentVolumeClaim)
        ? volume.persistentVolumeClaim
        : undefined;
      if (!source) continue;
      const claimName = String(source.claimName ?? '');
      const claim = getObject(
        this.ctx.api,
        '',
        'persistentvolumeclaims',
        pod.metadata.namespace,
        claimName,
      );
      if (!claim)
        return `0/1 nodes are available: persistentvolumeclaim "${claimName}" not found. ${PREEMPTION}`;
      if (statusOf(claim).phase === 'Bound') continue;
      const className = specOf(claim).storageClassName;
      const storageClass =
        typeof className === 'string' && className
          ? getObject(this.ctx.api, 'storage.k8s.io', 'storageclasses', undefined, className)
          : undefined;
      if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer')
        return `0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${PREEMPTION}`;
      waiting = true;
      if (!claim.metadata.annotations?.[SELECTED_NODE]) {
        const copy = structuredClone(claim);
        copy.metadata.annotations = {
          ...copy.metadata.annotations,
          [SELECTED_NODE]: this.ctx.options.name,
        };
        this.ctx.api.systemWrite(
          typeOf(this.ctx.api, '', 'persistentvolumeclaims'),
          copy,
          'kube-scheduler',
        );
      }
    }
    return waiting ? 'wait' : undefined;
  }

  private unschedulable(pod: KubeObject, message: string): void {
    const conditions = Array.isArray(statusOf(pod).conditions)
      ? (statusOf(pod).conditions as JsonObject[])
      : [];
    const existing = conditions.find(c => c.type === 'PodScheduled');
    if (existing?.message === message) return;
    this.ctx.api.writeStatus(
      typeOf(this.ctx.api, '', 'pods'),
      pod,
      {
        ...statusOf(pod),
        phase: 'Pending',
        conditions: [
          ...conditions.filter(c => c.type !== 'PodScheduled'),
          {
            type: 'PodScheduled',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: nowTimestamp(),
            reason: 'Unschedulable',
            message,
          },
        ],
      },
      'kube-scheduler',
    );
  }
}
