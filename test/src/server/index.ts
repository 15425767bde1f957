/**
 * A Kubernetes API server for tests: real HTTPS, real discovery and REST semantics, state in
 * memory. Start one per test file with startTestCluster(); point kubectl or any client at
 * its kubeconfig. See test/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './api';
import { Auth } from './auth';
import { Faults, type RequestSummary } from './faults';
import { RequestHandler, type RequestRecord } from './http';
import { clone, splitApiVersion, type KubeObject } from './json';
import { kubeconfigYaml, writeKubeconfigFile, type KubeconfigUser } from './kubeconfig';
import { Lifecycle } from './lifecycle';
import { keyOf } from './registry';
import { readManifests, seed, type SeedInput } from './seed';
import { tlsMaterial } from './tls';
import { Watches } from './watch';
import { NODE_STORAGE, startNode, type NodeFaults, type NodeOptions, type TestNode } from '../node';
import { serveUpgrade } from './upgrade';

export interface TestClusterOptions {
  /** YAML/JSON files, directories of them, or manifest objects, loaded before start. */
  seed?: SeedInput[];
  /** How long a new CRD takes to become Established and served (default 200 ms). */
  crdEstablishDelayMs?: number;
  /** How long a deleted namespace stays Terminating (default 0: its contents go at once). */
  namespaceTerminationDelayMs?: number;
  /** How soon objects whose owners are all missing are garbage-collected (default 100 ms). */
  garbageCollectionDelayMs?: number;
  /** HTTPS with a throwaway CA (default true); false serves plain HTTP. */
  tls?: boolean;
  /** Listen port (default: any free port). */
  port?: number;
  /** gitVersion reported by /version (default v1.32.4). */
  version?: string;
  /** Keep a log of every request in `requests` (default false). */
  recordRequests?: boolean;
  /**
   * Run a node: pods run as runc containers, claims get volumes on disk, snapshots,
   * Jobs, exec and logs work (default false: nothing runs, at no cost). See test/README.md.
   */
  node?: boolean | NodeOptions;
}

export interface KubeconfigOptions {
  contextName?: string;
  token?: string;
  namespace?: string;
}

export interface TestClusterStore {
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  count(): number;
  /** Creates or replaces one object as a controller would (server fields set, status kept). */
  apply(manifest: object): KubeObject;
  /** Removes one object, with owner-reference cascading; true when it existed. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean;
}

export interface TestClusterFaults extends Partial<NodeFaults> {
  /** The next `n` requests matching `match` (default: any) get 429 with Retry-After: 1. */
  throttle(n: number, match?: (req: RequestSummary) => boolean): void;
  /** The next list request carrying a continue token gets 410 Gone (reason Expired). */
  expireNextContinue(): void;
  /** Every request by `token` on `resource` (`secrets`, `deployments.apps`) gets 403. */
  forbid(token: string, resource: string): void;
  /** Clears throttles, expirations and forbidden resources. */
  reset(): void;
}

export interface TestCluster {
  /** https://127.0.0.1:PORT */
  url: string;
  /** Admin token (user "admin"). */
  token: string;
  /** Token of user "viewer": get, list and watch only. */
  readOnlyToken: string;
  /** PEM CA certificate file (undefined without TLS). */
  caFile: string | undefined;
  /** Kubeconfig with contexts "kube-test" (admin, current) and "kube-test-viewer". */
  kubeconfigPath: string;
  writeKubeconfig(path: string, opts?: KubeconfigOptions): Promise<void>;
  store: TestClusterStore;
  faults: TestClusterFaults;
  /** Every request, when started with recordRequests: true. */
  requests: RequestRecord[];
  /** The node, when started with `node`: its name, runc state directory and storage names. */
  node?: { name: string; runcRoot: string; storage: typeof NODE_STORAGE };
  stop(): Promise<void>;
}

export type { KubeObject, NodeOptions, RequestRecord, RequestSummary, SeedInput };
export { NODE_STORAGE };

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const useTls = opts.tls !== false;
  const tls = useTls ? await tlsMaterial() : undefined;
  const api = new ApiServer();
  const lifecycle = new Lifecycle(api, {
    crdEstablishDelayMs: opts.crdEstablishDelayMs ?? 200,
    namespaceTerminationDelayMs: opts.namespaceTerminationDelayMs ?? 0,
    garbageCollectionDelayMs: opts.garbageCollectionDelayMs ?? 100,
    caPem: tls?.caPem ?? '',
  });
  lifecycle.bootstrap();

  const auth = new Auth();
  const token = randomBytes(24).toString('hex');
  const readOnlyToken = randomBytes(24).toString('hex');
  auth.addToken(token, 'admin', false);
  auth.addToken(readOnlyToken, 'viewer', true);

  const faults = new Faults();
  const watches = new Watches(api);
  const requests: RequestRecord[] = [];
  let address = '127.0.0.1:0';
  let node: TestNode | undefined;
  const gitVersion = opts.version ?? 'v1.32.4';
  const handler = new RequestHandler(api, auth, faults, watches, {
    gitVersion,
    podLogs: () => node,
    recordRequests: opts.recordRequests === true,
    requests,
    serverAddress: () => address,
  });
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) =>
    handler.handle(req, res);
  const server = tls
    ? https.createServer({ cert: tls.certPem, key: tls.keyPem }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 30_000;
  server.on('upgrade', (req, socket, head) =>
    serveUpgrade(api, auth, () => node, req, socket, head),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${useTls ? 'https' : 'http'}://${address}`;
  if (opts.node) {
    node = await startNode(
      {
        api,
        auth,
        caPem: tls?.caPem ?? '',
        apiPort: () => Number(address.split(':')[1]),
        kubeletVersion: gitVersion,
      },
      opts.node === true ? {} : opts.node,
    );
  }

  if (opts.seed && opts.seed.length > 0)
    seed(api, lifecycle, readManifests(opts.seed), { lastApplied: true });

  const dir = mkdtempSync(join(tmpdir(), 'kube-test-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const users: KubeconfigUser[] = [
    { name: 'admin', token, context: 'kube-test' },
    { name: 'viewer', token: readOnlyToken, context: 'kube-test-viewer' },
  ];
  await writeKubeconfigFile(kubeconfigPath, kubeconfigYaml(url, tls?.caPem, users, 'kube-test'));

  const typeOf = (apiVersion: string, kind: string) => {
    const { group, version } = splitApiVersion(apiVersion);
    const type = api.registry.lookupKind(group, version, kind);
    if (!type) throw new Error(`no resource type serves ${apiVersion} ${kind}`);
    return type;
  };

  let stopped = false;
  return {
    url,
    token,
    readOnlyToken,
    caFile: tls?.caFile,
    kubeconfigPath,
    async writeKubeconfig(path, k = {}) {
      const userToken = k.token ?? token;
      const name = userToken === token ? 'admin' : userToken === readOnlyToken ? 'viewer' : 'user';
      const context = k.contextName ?? 'kube-test';
      await writeKubeconfigFile(
        path,
        kubeconfigYaml(
          url,
          tls?.caPem,
          [{ name, token: userToken, context, namespace: k.namespace }],
          context,
        ),
      );
    },
    store: {
      get(apiVersion, kind, namespace, name) {
        const type = typeOf(apiVersion, kind);
        const obj = api.store.get(keyOf(type), type.namespaced ? (namespace ?? '') : '', name);
        return obj && clone(api.present(type, obj));
      },
      list(apiVersion, kind, namespace) {
        const type = typeOf(apiVersion, kind);
        return [...api.store.iterate(keyOf(type), type.namespaced ? namespace : undefined)].map(o =>
          clone(api.present(type, o)),
        );
      },
      count: () => api.store.count(),
      apply(manifest) {
        const [obj] = seed(api, lifecycle, readManifests([manifest]), { lastApplied: false });
        return clone(obj);
      },
      remove(apiVersion, kind, namespace, name) {
        const type = typeOf(apiVersion, kind);
        const obj = api.store.get(keyOf(type), type.namespaced ? (namespace ?? '') : '', name);
        if (!obj) return false;
        api.remove(type, obj, 'Background');
        return true;
      },
    },
    faults: {
      throttle: (n, match) => faults.throttle(n, match),
      expireNextContinue: () => faults.expireNextContinue(),
      forbid: (t, resource) => auth.forbid(t, resource),
      ...nodeFaults(node),
      reset() {
        faults.reset();
        node?.faults.reset();
        auth.allow(token);
        auth.allow(readOnlyToken);
      },
    },
    requests,
    node: node && { name: node.name, runcRoot: node.runcRoot, storage: NODE_STORAGE },
    async stop() {
      if (stopped) return;
      stopped = true;
      await node?.stop();
      lifecycle.stop();
      watches.closeAll();
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The node's faults, bound to it; absent without a node. */
function nodeFaults(node: TestNode | undefined): Partial<NodeFaults> {
  if (!node) return {};
  const { reset: _reset, ...faults } = node.faults;
  return faults;
}
