/**
 * The Job controller: keeps `parallelism` pods running until `completions` have succeeded,
 * counts failures (failed pods, and container restarts under restartPolicy OnFailure)
 * against `backoffLimit`, honours `activeDeadlineSeconds` and `suspend`, sets the
 * SuccessCriteriaMet/Complete or FailureTarget/Failed conditions, and deletes a finished
 * Job after `ttlSecondsAfterFinished`.
 */
import { randomBytes } from 'node:crypto';
import { isObject, nowTimestamp, type JsonObject, type KubeObject } from '../server/json';
import type { StoreEvent } from '../server/store';
import { getObject, listObjects, specOf, statusOf, typeOf, type NodeContext } from './context';
import { WorkQueue } from './work-queue';

const MANAGER = 'kube-controller-manager';
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(): string {
  return [...randomBytes(5)].map(b => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');
}

export class JobController {
  private readonly queue: WorkQueue;
  /** Jobs whose ttlSecondsAfterFinished deletion is scheduled. */
  private readonly expiring = new Set<string>();

  constructor(private readonly ctx: NodeContext) {
    this.queue = new WorkQueue(
      key => this.reconcile(key),
      (key, error) => console.error(`job controller: ${key}: ${String(error)}`),
    );
  }

  start(): void {
    for (const job of listObjects(this.ctx.api, 'batch', 'jobs'))
      this.queue.add(`${job.metadata.namespace}/${job.metadata.name}`);
  }

  stop(): void {
    this.queue.stop();
  }

  onEvent(event: StoreEvent): void {
    if (event.typeKey === 'jobs.batch' && event.type !== 'DELETED') {
      this.queue.add(`${event.object.metadata.namespace}/${event.object.metadata.name}`);
    } else if (event.typeKey === 'pods.') {
      const owner = (event.object.metadata.ownerReferences ?? []).find(
        r => r.controller && r.kind === 'Job' && r.apiVersion === 'batch/v1',
      );
      if (owner) this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    }
  }

  private pods(job: KubeObject): KubeObject[] {
    return listObjects(this.ctx.api, '', 'pods', job.metadata.namespace).filter(p =>
      (p.metadata.ownerReferences ?? []).some(r => r.uid === job.metadata.uid && r.controller),
    );
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const job = getObject(this.ctx.api, 'batch', 'jobs', namespace, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const spec = specOf(job);
    const status = statusOf(job);
    const conditions = Array.isArray(status.conditions) ? (status.conditions as JsonObject[]) : [];
    const finished = conditions.find(
      c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (finished)
      return this.expire(job, String(status.completionTime ?? finished.lastTransitionTime));
    const pods = this.pods(job);
    const phase = (p: KubeObject) => String(statusOf(p).phase ?? 'Pending');
    const succeeded = pods.filter(p => phase(p) === 'Succeeded').length;
    const failedPods = pods.filter(p => phase(p) === 'Failed').length;
    const restarts = pods.reduce(
      (n, p) =>
        n +
        (Array.isArray(statusOf(p).containerStatuses)
          ? (statusOf(p).containerStatuses as JsonObject[]).reduce(
              (m, c) => m + Number(c.restartCount ?? 0),
              0,
            )
          : 0),
      0,
    );
    const active = pods.filter(
      p => phase(p) !== 'Succeeded' && phase(p) !== 'Failed' && !p.metadata.deletionTimestamp,
    );
    const ready = active.filter(p =>
      ((statusOf(p).conditions ?? []) as JsonObject[]).some(
        c => c.type === 'Ready' && c.status === 'True',
      ),
    ).length;
    const completions = Number(spec.completions ?? 1);
    const parallelism = Number(spec.parallelism ?? 1);
    const backoffLimit = Number(spec.backoffLimit ?? 6);
    const startTime = String(status.startTime ?? nowTimestamp());
    const next: JsonObject = {
      ...status,
      startTime,
      active: active.length,
      ready,
      succeeded,
      failed: failedPods,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    for (const field of ['active', 'succeeded', 'failed'] as const)
      if (next[field] === 0) delete next[field];
    const deadline = Number(spec.activeDeadlineSeconds ?? 0);
    let failure: [string, string] | undefined;
    if (failedPods + restarts > backoffLimit)
      failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
    else if (deadline > 0 && Date.now() - Date.parse(startTime) >= deadline * 1000)
      failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
    const time = nowTimestamp();
    const condition = (type: string, reason?: string, message?: string): JsonObject => ({
      type,
      status: 'True',
      lastProbeTime: time,
      lastTransitionTime: time,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    });
    if (failure) {
      for (const pod of active) this.deletePod(pod);
      delete next.active;
      next.conditions = [
        ...conditions,
        condition('FailureTarget', failure[0], failure[1]),
        condition('Failed', failure[0], failure[1]),
      ];
    } else if (succeeded >= completions) {
      next.completionTime = time;
      next.conditions = [
        ...conditions,
        condition(
          'SuccessCriteriaMet',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        ),
        condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
      ];
    } else if (spec.suspend !== true) {
      const wanted = Math.min(parallelism, completions - succeeded) - active.length;
      for (let i = 0; i < wanted; i++) this.createPod(job);
      if (wanted > 0) next.active = active.length + wanted;
      if (deadline > 0) {
        const left = deadline * 1000 - (Date.now() - Date.parse(startTime));
        this.ctx.later(Math.max(left, 0), () => this.queue.add(key));
      }
    }
    this.ctx.api.writeStatus(typeOf(this.ctx.api, 'batch', 'jobs'), job, next, MANAGER);
    if (next.completionTime || failure) this.expire(job, time);
  }

  private createPod(job: KubeObject): void {
    const template = isObject(specOf(job).template) ? (specOf(job).template as JsonObject) : {};
    const meta = isObject(template.metadata) ? template.metadata : {};
    const name = job.metadata.name!;
    this.ctx.api.create(
      typeOf(this.ctx.api, '', 'pods'),
      job.metadata.namespace,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...structuredClone(meta),
          name: `${name}-${suffix()}`,
          namespace: job.metadata.namespace,
          creationTimestamp: undefined,
          ownerReferences: [
            {
              apiVersion: 'batch/v1',
              kind: 'Job',
              name,
              uid: job.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: structuredClone(isObject(template.spec) ? template.spec : {}),
      },
      { fieldManager: MANAGER },
    );
  }

  private deletePod(pod: KubeObject): void {
    try {
      this.ctx.api.delete(
        typeOf(this.ctx.api, '', 'pods'),
        pod.metadata.namespace!,
        pod.metadata.name!,
        {},
      );
    } catch {
      // Already gone.
    }
  }

  /** ttlSecondsAfterFinished: the finished Job (and its pods) are deleted after it. */
  private expire(job: KubeObject, finishedAt: string): void {
    const ttl = specOf(job).ttlSecondsAfterFinished;
    if (typeof ttl !== 'number' || this.expiring.has(job.metadata.uid!)) return;
    this.expiring.add(job.metadata.uid!);
    const left = ttl * 1000 - (Date.now() - Date.parse(finishedAt));
    this.ctx.later(Math.max(left, 0), () => {
      const current = getObject(
        this.ctx.api,
        'batch',
        'jobs',
        job.metadata.namespace,
        job.metadata.name!,
      );
      if (current && current.metadata.uid === job.metadata.uid)
        this.ctx.api.remove(typeOf(this.ctx.api, 'batch', 'jobs'), current, 'Background');
    });
  }
}
