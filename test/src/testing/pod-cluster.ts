/**
 * The cluster a suite that runs pods works against: the test cluster with its node, or a
 * real cluster when KUBE_BACKUP_E2E_KUBECONFIG names one (its images loaded from the OCI
 * archives, a snapshot-capable CSI StorageClass and VolumeSnapshotClass named by
 * KUBE_BACKUP_E2E_STORAGE_CLASS / KUBE_BACKUP_E2E_SNAPSHOT_CLASS, by default those of the
 * CSI hostpath driver). Each suite works in a namespace of its own, deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dump } from 'js-yaml';
import { NODE_STORAGE, startTestCluster, type TestCluster } from '../server';
import { kubectlRunner, type Kubectl, type KubectlResult } from './kubectl';

export const IMAGES = {
  busybox: 'busybox',
  testApp: 'kube-backup/test-app:latest',
  mover: 'kube-backup/mover:latest',
};

export interface PodCluster {
  kubeconfig: string;
  namespace: string;
  kubectl: Kubectl;
  /** A StorageClass whose volumes can be snapshotted and cloned. */
  storageClass: string;
  snapshotClass: string;
  /** Only for the test cluster: fault injection and its internals. */
  server?: TestCluster;
  /** Applies manifests (objects) in the suite's namespace. */
  apply(...manifests: object[]): Promise<void>;
  /** The object as JSON, or undefined when it does not exist. */
  get<T = Record<string, unknown>>(resource: string, name: string): Promise<T | undefined>;
  /** Polls an object until `check` says yes; fails with the last state after the deadline. */
  until<T = Record<string, unknown>>(
    resource: string,
    name: string,
    check: (obj: T) => boolean,
    timeoutMs?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

export async function startPodCluster(name: string): Promise<PodCluster> {
  const real = process.env.KUBE_BACKUP_E2E_KUBECONFIG;
  const server = real ? undefined : await startTestCluster({ node: true });
  const kubeconfig = real ?? server!.kubeconfigPath;
  const kubectl = kubectlRunner(kubeconfig);
  const namespace = `${name}-${randomBytes(3).toString('hex')}`;
  await must(kubectl(['create', 'namespace', namespace]));
  const get = async <T>(resource: string, objName: string): Promise<T | undefined> => {
    const result = await kubectl(['get', '-n', namespace, resource, objName, '-o', 'json']);
    if (result.code !== 0) {
      if (/NotFound|not found/.test(result.stderr)) return undefined;
      throw new Error(`kubectl get ${resource} ${objName}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  };
  return {
    kubeconfig,
    namespace,
    kubectl,
    server,
    storageClass: process.env.KUBE_BACKUP_E2E_STORAGE_CLASS ?? NODE_STORAGE.csiStorageClass,
    snapshotClass: process.env.KUBE_BACKUP_E2E_SNAPSHOT_CLASS ?? NODE_STORAGE.volumeSnapshotClass,
    async apply(...manifests) {
      const yaml = manifests.map(m => dump(m)).join('---\n');
      await must(kubectl(['apply', '-n', namespace, '-f', '-'], { input: yaml }));
    },
    get,
    async until<T>(
      resource: string,
      objName: string,
      check: (obj: T) => boolean,
      timeoutMs = 180_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      let last: T | undefined;
      for (;;) {
        last = await get<T>(resource, objName);
        if (last !== undefined && check(last)) return last;
        if (Date.now() > deadline)
          throw new Error(
            `${resource}/${objName} did not get there: ${JSON.stringify(last, null, 1)}`,
          );
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await kubectl(['delete', 'namespace', namespace, '--wait=false']);
      const runcRoot = server?.node?.runcRoot;
      await server?.stop();
      // Nothing may outlive the cluster: no runc state, so no containers.
      if (runcRoot && existsSync(runcRoot)) throw new Error(`${runcRoot} is left after stop`);
    },
  };
}

export async function must(result: Promise<KubectlResult>): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** A pod manifest with one container. */
export function pod(
  name: string,
  container: Record<string, unknown>,
  spec: Record<string, unknown> = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      ...spec,
      containers: [{ name: 'main', image: IMAGES.busybox, ...container }],
    },
  };
}

export function claim(
  name: string,
  storageClass: string,
  extra: Record<string, unknown> = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storageClass,
      resources: { requests: { storage: '1Gi' } },
      ...extra,
    },
  };
}

export interface PodStatus {
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount: number;
      imageID: string;
      image: string;
      state: Record<string, { reason?: string; exitCode?: number; message?: string }>;
      lastState: Record<string, { reason?: string; exitCode?: number }>;
    }>;
    initContainerStatuses?: Array<{ name: string; state: Record<string, { exitCode?: number }> }>;
  };
}

export const phaseIs =
  (...phases: string[]) =>
  (p: PodStatus): boolean =>
    phases.includes(p.status?.phase ?? '');
