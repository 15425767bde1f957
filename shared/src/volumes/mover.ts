import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import type { KubeObject } from '../snapshot/types';
import {
  CREDENTIAL_KEYS,
  MOVER_CONTAINER,
  moverPod,
  type MoverRepository,
  type MoverScript,
} from './mover-pod';
import type { VolumeOperation } from './operation';
import { followPodLog } from './pod-log';
import { parseResticLine, type ResticEvent } from './restic-output';
import { getObject, waitForObject } from './watch-object';

export interface MoverSettings {
  image: string;
  repository: MoverRepository;
  /** What the credentials Secret holds: RESTIC_PASSWORD, and S3 credentials for S3. */
  credentials: Partial<Record<(typeof CREDENTIAL_KEYS)[number], string>>;
  /** How long a mover may take to start (scheduling, image pull). Default 5 minutes. */
  startTimeoutMs?: number;
}

export interface MoverTask {
  script: MoverScript;
  namespace: string;
  args: string[];
  env?: Record<string, string>;
  claim?: { name: string; readOnly: boolean };
  nodeName?: string;
}

export interface MoverProgress {
  bytesDone: number;
  totalBytes?: number;
  filesDone: number;
  totalFiles?: number;
}

export interface MoverOutcome {
  ok: boolean;
  /** The summary and snapshot listing restic printed. */
  events: ResticEvent[];
  /** Why it failed, or what restic could not read though it succeeded. */
  errors: string[];
  durationMs: number;
}

/** Waiting reasons after which a container will not start by itself. */
const HOPELESS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

interface ContainerStatus {
  name: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: unknown;
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
}

/**
 * Runs data movers: pods of the mover image that run restic against one claim. Each
 * namespace gets one short-lived Secret with the repository password (and S3
 * credentials), made when the first mover there starts and deleted by finish(). A mover
 * never throws for its own failure: its outcome says what went wrong, so one volume
 * failing leaves the others alone.
 */
export class MoverRunner {
  private readonly secrets = new Map<string, Promise<string>>();
  private count = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly operation: VolumeOperation,
    private readonly settings: MoverSettings,
  ) {}

  async run(
    task: MoverTask,
    onProgress?: (progress: MoverProgress) => void,
  ): Promise<MoverOutcome> {
    const started = Date.now();
    const failed = (message: string): MoverOutcome => ({
      ok: false,
      events: [],
      errors: [message],
      durationMs: Date.now() - started,
    });
    const name = `${this.operation.prefix}-mover-${++this.count}`;
    const pods = `/api/v1/namespaces/${encodeURIComponent(task.namespace)}/pods`;
    try {
      await this.create(name, task);
    } catch (error) {
      if (error instanceof KubeApiError) return failed(`cannot start a mover: ${error.message}`);
      throw error;
    }
    try {
      const problem = await this.waitToStart(pods, name);
      if (problem) return failed(problem);
      const events: ResticEvent[] = [];
      const errors: string[] = [];
      const texts: string[] = [];
      const onLine = (line: string) => {
        const event = parseResticLine(line);
        if (!event) return;
        if (event.type === 'status') onProgress?.(event);
        else if (event.type === 'error') errors.push(event.message);
        else if (event.type === 'text') texts.push(event.line);
        else events.push(event);
      };
      const ended = await this.follow(task.namespace, name, onLine);
      const end = ended && terminated(ended);
      if (!end) return failed(`mover ${name} disappeared before it finished`);
      if (!events.some(event => event.type === 'summary' || event.type === 'empty-volume')) {
        // A followed log can end early; what the container printed is still there.
        events.length = 0;
        errors.length = 0;
        texts.length = 0;
        for (const line of (await this.readLog(task.namespace, name)).split('\n')) onLine(line);
      }
      if (end.exitCode !== 0 && !(task.script === 'backup' && end.exitCode === 3)) {
        return failed(exitMessage(end, texts, errors));
      }
      return { ok: true, events, errors, durationMs: Date.now() - started };
    } finally {
      await this.client
        .request({ method: 'DELETE', path: `${pods}/${name}`, query: { gracePeriodSeconds: 0 } })
        .catch(() => undefined);
    }
  }

  /**
   * Starts a mover that only waits, for restic commands run in it through `pods/exec`
   * (reading volume data where this machine cannot reach the repository). It throws
   * when the mover cannot start; `stop` deletes it.
   */
  async startIdle(namespace: string): Promise<{ pod: string; stop(): Promise<void> }> {
    const name = `${this.operation.prefix}-mover-${++this.count}`;
    const pods = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const stop = async () => {
      await this.client
        .request({ method: 'DELETE', path: `${pods}/${name}`, query: { gracePeriodSeconds: 0 } })
        .catch(() => undefined);
    };
    try {
      await this.create(name, { script: 'idle', namespace, args: [] });
      const problem = await this.waitToStart(pods, name);
      if (problem) throw new UserError('volume-repository-unreachable', problem);
    } catch (error) {
      await stop();
      if (error instanceof KubeApiError) {
        throw new UserError(
          'volume-repository-unreachable',
          `cannot start a mover: ${error.message}`,
        );
      }
      throw error;
    }
    return { pod: name, stop };
  }

  private async create(name: string, task: MoverTask): Promise<void> {
    const credentials = await this.credentialsIn(task.namespace);
    await this.client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(task.namespace)}/pods`,
      body: moverPod({
        name,
        namespace: task.namespace,
        image: this.settings.image,
        labels: this.operation.labels('mover'),
        credentials,
        repository: this.settings.repository,
        script: task.script,
        args: task.args,
        env: task.env,
        claim: task.claim,
        nodeName: task.nodeName,
      }),
    });
  }

  /**
   * Takes the operation's Lease and makes the credentials Secret in a namespace ahead of
   * its movers, so a failure to create them surfaces before any work there starts.
   */
  async prepare(namespace: string): Promise<void> {
    await this.credentialsIn(namespace);
  }

  /** Removes the credentials Secrets. */
  async finish(): Promise<void> {
    const made = [...this.secrets.entries()];
    this.secrets.clear();
    await Promise.allSettled(
      made.map(async ([namespace, name]) =>
        this.client.request({
          method: 'DELETE',
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${await name}`,
        }),
      ),
    );
  }

  private credentialsIn(namespace: string): Promise<string> {
    let secret = this.secrets.get(namespace);
    if (!secret) {
      secret = (async () => {
        await this.operation.enter(namespace);
        const name = `${this.operation.prefix}-credentials`;
        await this.client.request({
          method: 'POST',
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name, namespace, labels: this.operation.labels('credentials') },
            type: 'Opaque',
            stringData: this.settings.credentials,
          },
        });
        return name;
      })();
      secret.catch(() => this.secrets.delete(namespace));
      this.secrets.set(namespace, secret);
    }
    return secret;
  }

  /** Waits until the container runs or has ended; says why when it never will. */
  private async waitToStart(pods: string, name: string): Promise<string | undefined> {
    let problem: string | undefined;
    try {
      await waitForObject(
        this.client,
        { collection: pods, name },
        pod => {
          if (!pod) {
            problem = `mover ${name} was deleted before it started`;
            return true;
          }
          const state = containerStatus(pod)?.state;
          const waiting = state?.waiting;
          if (waiting?.reason && HOPELESS.has(waiting.reason)) {
            problem = `mover ${name} cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
            return true;
          }
          return state?.running !== undefined || state?.terminated !== undefined;
        },
        { timeoutMs: this.settings.startTimeoutMs ?? 300_000, what: `mover ${name} to start` },
      );
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      const pod = await getObject(this.client, `${pods}/${name}`).catch(() => undefined);
      problem = `${error.message}${pod ? ` (${pendingReason(pod)})` : ''}`;
    }
    return problem;
  }

  /**
   * Follows a mover's log until its container has ended, and returns the pod as it ended.
   * A log stream can end before the container does (a proxy's idle timeout, say): then
   * only the lines since are followed again.
   */
  private async follow(
    namespace: string,
    name: string,
    onLine: (line: string) => void,
  ): Promise<KubeObject | undefined> {
    const pods = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    for (let again = false; ; again = true) {
      await followPodLog(
        this.client,
        { namespace, pod: name, container: MOVER_CONTAINER },
        onLine,
        { newOnly: again },
      ).catch(() => undefined);
      try {
        // The kubelet reports the end shortly after the stream closes.
        return await waitForObject(
          this.client,
          { collection: pods, name },
          pod => pod === undefined || terminated(pod) !== undefined,
          { timeoutMs: 10_000, what: `mover ${namespace}/${name} to end` },
        );
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
      }
    }
  }

  private async readLog(namespace: string, pod: string): Promise<string> {
    const response = await this.client
      .stream({
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
        query: { container: MOVER_CONTAINER },
      })
      .catch(() => undefined);
    if (!response) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}

function containerStatus(pod: KubeObject): ContainerStatus | undefined {
  const statuses = (pod.status as { containerStatuses?: ContainerStatus[] } | undefined)
    ?.containerStatuses;
  return statuses?.find(status => status.name === MOVER_CONTAINER);
}

function terminated(pod: KubeObject): { exitCode: number; reason?: string } | undefined {
  const end = containerStatus(pod)?.state?.terminated;
  if (end) return { exitCode: end.exitCode ?? 1, reason: end.reason };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded') return { exitCode: 0 };
  if (phase === 'Failed') return { exitCode: 1, reason: 'Failed' };
  return undefined;
}

function exitMessage(
  end: { exitCode: number; reason?: string },
  texts: string[],
  errors: string[],
): string {
  if (end.exitCode === 137) return 'the mover was killed (exit code 137)';
  const fatal = [...texts].reverse().find(line => /^fatal:/i.test(line));
  const said =
    fatal?.replace(/^fatal:\s*/i, '') ?? errors[errors.length - 1] ?? texts[texts.length - 1];
  return `the mover failed with exit code ${end.exitCode}${said ? `: ${said}` : end.reason ? ` (${end.reason})` : ''}`;
}

function pendingReason(pod: KubeObject): string {
  const status = pod.status as
    | { phase?: string; conditions?: Array<{ type?: string; status?: string; message?: string }> }
    | undefined;
  const unscheduled = status?.conditions?.find(
    c => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (unscheduled?.message) return `not scheduled: ${unscheduled.message}`;
  const waiting = containerStatus(pod)?.state?.waiting;
  return waiting?.reason
    ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`
    : `phase ${status?.phase ?? 'unknown'}`;
}
