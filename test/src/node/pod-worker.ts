/**
 * The kubelet's work for one pod: set up its volumes, pull images, run init containers in
 * order and then the containers, restart them per restartPolicy with back-off, and report
 * what happens in the pod's status (phase, conditions, container states, restart counts,
 * image digests). Deleting the pod stops its containers within the grace period; the pod
 * object goes once they have stopped.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { isObject, nowTimestamp, type JsonObject, type KubeObject } from '../server/json';
import { createBundle, type Bundle } from './bundle';
import { ContainerConfigError, containerArgs, containerEnv } from './container-env';
import { getObject, specOf, statusOf, typeOf, type NodeContext } from './context';
import { ImagePullError, type PulledImage } from './images';
import { ContainerLog } from './logs';
import { VolumeNotReady, containerMounts, preparePodVolumes, type PodVolumes } from './pod-volumes';
import type { NodeFaultState } from './node-faults';

type Obj = JsonObject;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const MAX_BACKOFF_MS = 300_000;
const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };

interface Termination {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
  signal?: number;
}

export interface Instance {
  id: string;
  bundle: Bundle;
  process: ChildProcess;
  stdin?: Writable;
  log: ContainerLog;
  startedAt?: string;
  /** Resolves true once runc has started the process, false if it never did. */
  started: Promise<boolean>;
  exited: Promise<void>;
  mountSources: string[];
}

export class ContainerState {
  image?: PulledImage;
  current?: Instance;
  restartCount = 0;
  attempts = 0;
  last?: Termination;
  previous?: Termination;
  /** Logs of the latest instances, newest last (the current one, and the one before). */
  logs: ContainerLog[] = [];
  waiting?: { reason: string; message?: string };
  /** No start before this time (restart or image pull back-off). */
  notBefore = 0;
  backOffMs = 0;
  /** An init container that ran to completion. */
  done = false;

  constructor(
    readonly spec: Obj,
    readonly init: boolean,
  ) {}

  get name(): string {
    return String(this.spec.name);
  }
}

export class PodWorker {
  readonly containers: ContainerState[];
  private readonly dir: string;
  private volumes?: PodVolumes;
  private chain: Promise<void> = Promise.resolve();
  private podWaiting?: { reason: string; message: string };
  private startTime?: string;
  private failed = false;
  private terminating?: Promise<void>;
  private conditionTimes = new Map<string, { status: string; time: string }>();
  gone = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly faults: NodeFaultState,
    readonly uid: string,
    readonly namespace: string,
    readonly name: string,
    spec: Obj,
  ) {
    this.dir = join(ctx.workdir.pods, uid);
    this.containers = [
      ...list(spec.initContainers).map(c => new ContainerState(c, true)),
      ...list(spec.containers).map(c => new ContainerState(c, false)),
    ];
  }

  /** Queues a sync; syncs of one pod never overlap. */
  sync(): Promise<void> {
    this.chain = this.chain.then(
      () => this.doSync(),
      () => this.doSync(),
    );
    return this.chain.catch(error => {
      console.error(`kubelet: pod ${this.namespace}/${this.name}: ${String(error)}`);
    });
  }

  private pod(): KubeObject | undefined {
    const pod = getObject(this.ctx.api, '', 'pods', this.namespace, this.name);
    return pod && pod.metadata.uid === this.uid ? pod : undefined;
  }

  private get restartPolicy(): string {
    return String(specOf(this.pod()).restartPolicy ?? 'Always');
  }

  running(): Instance[] {
    return this.containers.flatMap(c => (c.current ? [c.current] : []));
  }

  private async doSync(): Promise<void> {
    if (this.gone || this.ctx.stopped()) return;
    const pod = this.pod();
    if (!pod) {
      await this.removed();
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      await this.terminate(Number(pod.metadata.deletionGracePeriodSeconds ?? 30));
      const current = this.pod();
      if (current) this.ctx.api.remove(typeOf(this.ctx.api, '', 'pods'), current, 'Background');
      await this.removed();
      return;
    }
    if (!this.faults.ready) return;
    if (this.isTerminal()) {
      this.publish();
      return;
    }
    this.startTime ??= nowTimestamp();
    if (!this.volumes) {
      try {
        await mkdir(this.dir, { recursive: true });
        this.volumes = await preparePodVolumes(this.ctx, pod, this.dir);
        this.podWaiting = undefined;
      } catch (error) {
        if (!(error instanceof VolumeNotReady)) throw error;
        this.podWaiting = { reason: 'ContainerCreating', message: error.message };
        this.publish();
        return;
      }
    }
    const inits = this.containers.filter(c => c.init);
    for (const init of inits) {
      if (init.done) continue;
      if (!init.current) await this.maybeStart(pod, init);
      this.publish();
      return;
    }
    for (const container of this.containers.filter(c => !c.init)) {
      if (!container.current) await this.maybeStart(pod, container);
    }
    this.publish();
  }

  /** Starts a container unless it has finished for good or is backing off. */
  private async maybeStart(pod: KubeObject, c: ContainerState): Promise<void> {
    if (c.last && !this.restarts(c)) return;
    const wait = c.notBefore - Date.now();
    if (wait > 0) {
      this.ctx.later(wait, () => void this.sync());
      return;
    }
    if (!c.image) {
      try {
        c.image = await this.ctx.images.pull(String(c.spec.image ?? ''));
      } catch (error) {
        if (!(error instanceof ImagePullError)) throw error;
        this.imagePullFailed(c, error.message);
        return;
      }
    }
    await this.start(pod, c);
  }

  private imagePullFailed(c: ContainerState, message: string): void {
    const image = String(c.spec.image ?? '');
    c.waiting = { reason: 'ErrImagePull', message: `Failed to pull image "${image}": ${message}` };
    const backOff = this.ctx.options.imagePullBackOffMs;
    c.notBefore = Date.now() + 2 * backOff;
    this.ctx.later(backOff, () => {
      if (c.image || this.gone) return;
      c.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
      this.publish();
    });
    this.ctx.later(2 * backOff, () => void this.sync());
  }

  /** Would this container run again after its last exit? */
  private restarts(c: ContainerState): boolean {
    if (!c.last) return true;
    if (c.init && c.last.exitCode === 0) return false;
    const policy = this.restartPolicy;
    if (policy === 'Always') return true;
    if (policy === 'OnFailure') return c.last.exitCode !== 0;
    return false;
  }

  private async start(pod: KubeObject, c: ContainerState): Promise<void> {
    const image = c.image!;
    let args: string[];
    let env: string[];
    try {
      const vars = containerEnv(pod, c.spec, image.config, {
        configMap: (ns, n) => getObject(this.ctx.api, '', 'configmaps', ns, n),
        secret: (ns, n) => getObject(this.ctx.api, '', 'secrets', ns, n),
        serviceEnv: this.serviceEnv(),
        hostIP: '127.0.0.1',
      });
      args = containerArgs(c.spec, image.config, vars);
      env = [...vars].map(([k, v]) => `${k}=${v}`);
      if (args.length === 0) throw new ContainerConfigError('no command specified');
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      c.waiting = { reason: 'CreateContainerConfigError', message: error.message };
      return;
    }
    const mounts = containerMounts(c.spec, this.volumes!);
    for (const m of mounts) if (!existsSync(m.source)) await mkdir(m.source, { recursive: true });
    // Report ContainerCreating while a slow start holds the container.
    this.publish();
    await this.faults.beforeStart(pod, c.name);
    if (this.gone || this.pod()?.metadata.deletionTimestamp || !this.faults.ready) return;
    const security = isObject(c.spec.securityContext) ? c.spec.securityContext : {};
    const podSecurity = isObject(specOf(pod).securityContext)
      ? (specOf(pod).securityContext as Obj)
      : {};
    const attempt = ++c.attempts;
    if (c.last) c.restartCount++;
    const id = `${this.ctx.workdir.id}-${this.uid.slice(0, 8)}-${c.name}-${attempt}`;
    const bundle = await createBundle(
      join(this.dir, 'containers', `${c.name}-${attempt}`),
      image.layers,
      {
        args,
        env,
        cwd: String(c.spec.workingDir ?? image.config.WorkingDir ?? '') || '/',
        uid: Number(security.runAsUser ?? podSecurity.runAsUser ?? 0),
        gid: Number(security.runAsGroup ?? podSecurity.runAsGroup ?? 0),
        privileged: security.privileged === true,
      },
      mounts,
      pod.metadata.name!,
    );
    const stdinWanted = c.spec.stdin === true;
    const child = this.ctx.runc.run(id, bundle.dir, bundle.pidFile, stdinWanted);
    const log = new ContainerLog();
    c.logs = [...c.logs.slice(-1), log];
    log.attach(child.stdout!, 'stdout');
    log.attach(child.stderr!, 'stderr');
    let closed = false;
    let handled: () => void = () => undefined;
    // Settles once the exit is recorded and the bundle is gone, not merely when runc exits.
    const exited = new Promise<void>(resolve => (handled = resolve));
    const instance: Instance = {
      id,
      bundle,
      process: child,
      stdin: stdinWanted ? (child.stdin ?? undefined) : undefined,
      log,
      exited,
      mountSources: mounts.map(m => m.source),
      started: new Promise<boolean>(resolve => {
        const poll = () => {
          if (existsSync(bundle.pidFile)) resolve(true);
          else if (closed) resolve(false);
          else setTimeout(poll, 5);
        };
        poll();
      }),
    };
    c.current = instance;
    c.waiting = undefined;
    child.on('close', (code, signal) => {
      closed = true;
      void instance.started
        .then(started => this.exited(c, instance, started, code, signal))
        .finally(handled);
    });
    if (await instance.started) {
      instance.startedAt = nowTimestamp();
      if (this.faults.killsOnStart(pod, c.name)) await this.ctx.runc.kill(id, 'KILL');
    }
  }

  private async exited(
    c: ContainerState,
    instance: Instance,
    started: boolean,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    const exitCode = code ?? 128 + (SIGNALS[signal ?? 'SIGKILL'] ?? 9);
    const finishedAt = nowTimestamp();
    const termination: Termination = started
      ? {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt: instance.startedAt ?? finishedAt,
          finishedAt,
          containerID: `runc://${instance.id}`,
        }
      : {
          exitCode: 128,
          reason: 'StartError',
          message: instance.log.read({ tailLines: 5 }).trim(),
          startedAt: '1970-01-01T00:00:00Z',
          finishedAt,
          containerID: `runc://${instance.id}`,
        };
    c.previous = c.last;
    c.last = termination;
    c.current = undefined;
    await instance.bundle.remove();
    if (c.init && exitCode === 0) c.done = true;
    else if (this.restarts(c)) {
      c.backOffMs = c.backOffMs
        ? Math.min(c.backOffMs * 2, MAX_BACKOFF_MS)
        : this.ctx.options.restartBackOffMs;
      c.notBefore = Date.now() + c.backOffMs;
      c.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(c.backOffMs / 1000)}s restarting failed container=${c.name} pod=${this.name}_${this.namespace}(${this.uid})`,
      };
    } else if (c.init) this.failed = true;
    if (!this.terminating) void this.sync();
  }

  private serviceEnv(): Record<string, string> {
    const host = this.ctx.apiHost;
    const port = String(this.ctx.apiPort());
    return {
      KUBERNETES_SERVICE_HOST: host,
      KUBERNETES_SERVICE_PORT: port,
      KUBERNETES_SERVICE_PORT_HTTPS: port,
      KUBERNETES_PORT: `tcp://${host}:${port}`,
      KUBERNETES_PORT_443_TCP: `tcp://${host}:${port}`,
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: port,
      KUBERNETES_PORT_443_TCP_ADDR: host,
    };
  }

  /** Phase from the containers' states, as the kubelet's getPhase decides it. */
  private phase(): string {
    if (this.failed) return 'Failed';
    const inits = this.containers.filter(c => c.init);
    const main = this.containers.filter(c => !c.init);
    if (inits.some(c => !c.done)) return 'Pending';
    if (main.some(c => c.current)) return 'Running';
    const finished = main.every(c => c.last && !this.restarts(c));
    if (finished) return main.every(c => c.last!.exitCode === 0) ? 'Succeeded' : 'Failed';
    return main.some(c => c.last) ? 'Running' : 'Pending';
  }

  isTerminal(): boolean {
    const phase = this.phase();
    return phase === 'Succeeded' || phase === 'Failed';
  }

  private containerStatus(c: ContainerState, initializing: boolean): Obj {
    const running = c.current?.startedAt !== undefined;
    const terminated = (t: Termination): Obj => ({ ...t }) as unknown as Obj;
    let state: Obj;
    let lastState: Obj = {};
    if (running) {
      state = { running: { startedAt: c.current!.startedAt! } };
      if (c.last) lastState = { terminated: terminated(c.last) };
    } else if (c.last && (c.init ? c.done || !this.restarts(c) : !this.restarts(c))) {
      state = { terminated: terminated(c.last) };
      if (c.previous) lastState = { terminated: terminated(c.previous) };
    } else {
      const waiting = c.waiting ??
        this.podWaiting ?? { reason: initializing ? 'PodInitializing' : 'ContainerCreating' };
      state = {
        waiting: {
          reason: waiting.reason,
          ...(waiting.message ? { message: waiting.message } : {}),
        },
      };
      if (c.last) lastState = { terminated: terminated(c.last) };
    }
    const status: Obj = {
      name: c.name,
      state,
      lastState,
      ready: running && !c.init,
      restartCount: c.restartCount,
      image: c.image?.reference ?? String(c.spec.image ?? ''),
      imageID: c.image?.imageID ?? '',
    };
    const containerID = c.current ? `runc://${c.current.id}` : c.last?.containerID;
    if (containerID) status.containerID = containerID;
    status.started = running;
    return status;
  }

  private condition(type: string, status: boolean, reason?: string, message?: string): Obj {
    const value = status ? 'True' : 'False';
    const previous = this.conditionTimes.get(type);
    const time = previous?.status === value ? previous.time : nowTimestamp();
    this.conditionTimes.set(type, { status: value, time });
    return {
      type,
      status: value,
      lastProbeTime: null,
      lastTransitionTime: time,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  }

  /** Writes the pod's status when it changed. */
  publish(): void {
    if (this.gone || this.terminating) return;
    const pod = this.pod();
    if (!pod || pod.metadata.deletionTimestamp) return;
    const phase = this.phase();
    const inits = this.containers.filter(c => c.init);
    const main = this.containers.filter(c => !c.init);
    const initialized = inits.every(c => c.done);
    const unready = main.filter(c => !c.current?.startedAt).map(c => c.name);
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    const readyReason = terminal
      ? 'PodCompleted'
      : unready.length
        ? 'ContainersNotReady'
        : undefined;
    const readyMessage =
      !terminal && unready.length
        ? `containers with unready status: [${unready.join(' ')}]`
        : undefined;
    const pendingInits = inits.filter(c => !c.done).map(c => c.name);
    const scheduled = list(statusOf(pod).conditions).find(c => c.type === 'PodScheduled');
    const conditions = [
      this.condition('PodReadyToStartContainers', this.volumes !== undefined && !terminal),
      this.condition(
        'Initialized',
        initialized,
        initialized
          ? terminal && inits.length
            ? 'PodCompleted'
            : undefined
          : 'ContainersNotInitialized',
        initialized ? undefined : `containers with incomplete status: [${pendingInits.join(' ')}]`,
      ),
      this.condition('Ready', !terminal && unready.length === 0, readyReason, readyMessage),
      this.condition(
        'ContainersReady',
        !terminal && unready.length === 0,
        readyReason,
        readyMessage,
      ),
      scheduled ?? this.condition('PodScheduled', true),
    ];
    const status: Obj = {
      phase,
      conditions,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: '127.0.0.1',
      podIPs: [{ ip: '127.0.0.1' }],
      startTime: this.startTime ?? nowTimestamp(),
    };
    if (inits.length > 0)
      status.initContainerStatuses = inits.map(c => this.containerStatus(c, false));
    status.containerStatuses = main
      .map(c => this.containerStatus(c, !initialized))
      .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
    status.qosClass = 'BestEffort';
    this.ctx.api.writeStatus(typeOf(this.ctx.api, '', 'pods'), pod, status, 'kubelet');
  }

  /** Stops every container: SIGTERM, then SIGKILL after the grace period. */
  terminate(graceSeconds: number): Promise<void> {
    this.terminating ??= (async () => {
      const running = this.running();
      await Promise.all(running.map(i => this.stopInstance(i, graceSeconds)));
    })();
    return this.terminating;
  }

  async stopInstance(instance: Instance, graceSeconds: number): Promise<void> {
    if (!(await instance.started)) return instance.exited;
    if (graceSeconds > 0) {
      await this.ctx.runc.kill(instance.id, 'TERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>(resolve => {
        timer = setTimeout(() => resolve('timeout'), graceSeconds * 1000);
      });
      const result = await Promise.race([instance.exited.then(() => 'exited' as const), graceOver]);
      clearTimeout(timer);
      if (result === 'exited') return;
    }
    await this.ctx.runc.kill(instance.id, 'KILL');
    await instance.exited;
  }

  /** The node went down: its containers die with it (exit 137) and the kubelet says nothing. */
  async nodeDown(): Promise<void> {
    await Promise.all(
      this.running().map(async i => {
        if (await i.started) await this.ctx.runc.kill(i.id, 'KILL');
        await i.exited;
      }),
    );
  }

  /** The pod object is gone: stop everything and remove its files. */
  private async removed(): Promise<void> {
    if (this.gone) return;
    await this.terminate(0);
    this.gone = true;
    for (const c of this.containers) await c.current?.bundle.remove();
    await rm(this.dir, { recursive: true, force: true });
  }
}
