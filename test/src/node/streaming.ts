/**
 * The kubelet's streaming endpoints as the API server serves them: `pods/log` (plain text,
 * container, follow, previous, tailLines, timestamps, sinceSeconds, limitBytes) and
 * `pods/exec` / `pods/attach` over WebSocket with the `v5.channel.k8s.io` and
 * `v4.channel.k8s.io` protocols: one byte of channel (0 stdin, 1 stdout, 2 stderr,
 * 3 error, 4 resize, 255 close in v5) before each message, and the exit status as a v1
 * Status on the error channel.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiServer } from '../server/api';
import { isObject, type KubeObject } from '../server/json';
import { ApiError, badRequest } from '../server/status';
import { rejectUpgrade } from '../server/upgrade';
import { specOf } from './context';
import type { Kubelet } from './kubelet';
import type { ContainerState } from './pod-worker';
import type { Runc } from './runc';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;

function podOf(api: ApiServer, namespace: string, name: string): KubeObject {
  const type = api.registry.lookup('', 'v1', 'pods')!;
  return api.get(type, namespace, name);
}

function containerNames(pod: KubeObject, field: 'containers' | 'initContainers'): string[] {
  const list = specOf(pod)[field];
  return Array.isArray(list) ? list.filter(isObject).map(c => String(c.name)) : [];
}

/** The container a request means: the named one, or the only one. */
function chooseContainer(pod: KubeObject, requested: string | null): string {
  const containers = containerNames(pod, 'containers');
  const inits = containerNames(pod, 'initContainers');
  const name = pod.metadata.name!;
  if (requested) {
    if (![...containers, ...inits].includes(requested))
      throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const preferred = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (preferred && containers.includes(preferred)) return preferred;
  if (containers.length === 1) return containers[0];
  throw badRequest(
    `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]` +
      (inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''),
  );
}

/** Why there is nothing to read yet, as the kubelet words it. */
function waitingError(pod: KubeObject, container: string, state?: ContainerState): ApiError {
  const reason = state?.waiting?.reason ?? 'ContainerCreating';
  const why =
    reason === 'ErrImagePull'
      ? 'trying and failing to pull image'
      : reason === 'ImagePullBackOff'
        ? "image can't be pulled"
        : reason;
  return badRequest(
    `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${why}`,
  );
}

/** A pod bound to a node that is not this one: its kubelet cannot be reached. */
function unreachable(pod: KubeObject, path: string): ApiError {
  const node = String(specOf(pod).nodeName ?? '');
  if (!node) return badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return new ApiError(
    500,
    'InternalError',
    `Get "https://${node}:10250/${path}": dial tcp: lookup ${node}: no such host`,
  );
}

export function serveLog(
  api: ApiServer,
  kubelet: Kubelet,
  namespace: string,
  name: string,
  query: URLSearchParams,
  _req: IncomingMessage,
  res: ServerResponse,
): number {
  const pod = podOf(api, namespace, name);
  const container = chooseContainer(pod, query.get('container'));
  const worker = kubelet.worker(namespace, name);
  if (!worker) throw unreachable(pod, `containerLogs/${namespace}/${name}/${container}`);
  const state = worker.containers.find(c => c.name === container);
  const previous = query.get('previous') === 'true';
  const log = previous ? state?.logs.at(-2) : state?.logs.at(-1);
  if (!log) {
    if (previous)
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    throw waitingError(pod, container, state);
  }
  const int = (key: string) => {
    const value = query.get(key);
    if (value === null) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n))
      throw badRequest(`${key}: Invalid value: "${value}": must be an integer`);
    return n;
  };
  const sinceTime = query.get('sinceTime');
  const opts = {
    tailLines: int('tailLines'),
    timestamps: query.get('timestamps') === 'true',
    sinceSeconds: int('sinceSeconds'),
    sinceTime: sinceTime ? new Date(sinceTime) : undefined,
  };
  let budget = int('limitBytes') ?? Infinity;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  const write = (text: string): boolean => {
    if (budget <= 0) return false;
    const chunk = Buffer.from(text).subarray(0, budget);
    budget -= chunk.length;
    res.write(chunk);
    return budget > 0;
  };
  if (query.get('follow') !== 'true') {
    write(log.read(opts));
    res.end();
    return 200;
  }
  const stop = log.follow(
    opts,
    text => {
      if (!write(text)) {
        stop?.();
        res.end();
      }
    },
    () => res.end(),
  );
  // (A request's own 'close' comes once its body is read, not when the client leaves.)
  res.on('close', () => stop());
  return 200;
}

export class StreamServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: protocols => PROTOCOLS.find(p => protocols.has(p)) ?? false,
  });

  constructor(
    private readonly api: ApiServer,
    private readonly kubelet: Kubelet,
    private readonly runc: Runc,
    private readonly tmpDir: string,
  ) {}

  /** An exec or attach upgrade, already authenticated and authorized. */
  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    namespace: string,
    name: string,
    subresource: 'exec' | 'attach',
    query: URLSearchParams,
  ): void {
    let state: ContainerState;
    let container: string;
    try {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map(p => p.trim());
      if (!offered.some(p => PROTOCOLS.includes(p)))
        throw badRequest(
          `unable to upgrade: none of the offered protocols (${offered.join(', ')}) is supported: ${PROTOCOLS.join(', ')}`,
        );
      const pod = podOf(this.api, namespace, name);
      container = chooseContainer(pod, query.get('container'));
      const worker = this.kubelet.worker(namespace, name);
      if (!worker) throw unreachable(pod, `${subresource}/${namespace}/${name}/${container}`);
      const found = worker.containers.find(c => c.name === container);
      if (!found?.current?.startedAt) throw badRequest(`container not found ("${container}")`);
      state = found;
      if (subresource === 'exec' && query.getAll('command').length === 0)
        throw badRequest('you must specify at least 1 command');
    } catch (error) {
      rejectUpgrade(socket, error instanceof ApiError ? error : badRequest(String(error)));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, ws => {
      if (subresource === 'exec') this.exec(ws, state, query);
      else this.attach(ws, state, query);
    });
  }

  private exec(ws: WebSocket, state: ContainerState, query: URLSearchParams): void {
    const instance = state.current!;
    const command = query.getAll('command');
    const wantsStdin = query.get('stdin') === 'true' || query.get('stdin') === '1';
    const tty = query.get('tty') === 'true' || query.get('tty') === '1';
    const id = randomBytes(6).toString('hex');
    const logFile = join(this.tmpDir, `exec-${id}.log`);
    const pidFile = join(this.tmpDir, `exec-${id}.pid`);
    const child = this.runc.exec(instance.id, command, { stdin: wantsStdin, logFile, pidFile });
    const send = (channel: number, data: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
    };
    child.stdout?.on('data', (d: Buffer) => send(STDOUT, d));
    child.stderr?.on('data', (d: Buffer) => send(tty ? STDOUT : STDERR, d));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const message = isBinary ? data : Buffer.from(data.toString(), 'utf8');
      if (message.length === 0) return;
      if (message[0] === STDIN) child.stdin?.write(message.subarray(1));
      else if (message[0] === CLOSE && message[1] === STDIN) child.stdin?.end();
    });
    ws.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) {
        // The client went away: the process it ran goes too (it may have just exited).
        const pid = Number(readText(pidFile));
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        child.kill('SIGKILL');
      }
    });
    child.stdin?.on('error', () => undefined);
    child.on('close', code => {
      const runcError = /level=error msg="(.*)"/.exec(readText(logFile))?.[1];
      rmSync(logFile, { force: true });
      rmSync(pidFile, { force: true });
      let status: object;
      if (code === 0) status = { metadata: {}, status: 'Success' };
      else if (runcError && code === 255)
        status = {
          metadata: {},
          status: 'Failure',
          message: `Internal error occurred: error executing command in container: failed to exec in container: OCI runtime exec failed: ${runcError.replace(/\\"/g, '"')}: unknown`,
          reason: 'InternalError',
          details: { causes: [{ message: runcError.replace(/\\"/g, '"') }] },
          code: 500,
        };
      else
        status = {
          metadata: {},
          status: 'Failure',
          message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code ?? 137}`,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(code ?? 137) }] },
        };
      send(ERROR, Buffer.from(JSON.stringify(status)));
      ws.close(1000);
    });
  }

  private attach(ws: WebSocket, state: ContainerState, query: URLSearchParams): void {
    const instance = state.current!;
    const wantsStdin = query.get('stdin') === 'true' || query.get('stdin') === '1';
    const send = (channel: number, data: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
    };
    const stop = instance.log.follow(
      { tailLines: 0 },
      text => send(STDOUT, Buffer.from(text)),
      () => {
        send(ERROR, Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })));
        ws.close(1000);
      },
    );
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      if (data[0] === STDIN && wantsStdin) instance.stdin?.write(data.subarray(1));
      else if (data[0] === CLOSE && data[1] === STDIN && wantsStdin) instance.stdin?.end();
    });
    ws.on('close', () => stop());
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
