import { randomBytes } from 'node:crypto';
import { dump } from 'js-yaml';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IMAGES,
  must,
  pod,
  startPodCluster,
  type PodCluster,
  type PodStatus,
} from '../src/testing/pod-cluster';
import type { Snapshot } from '@kube-backup/core';
import type { KubeObject } from '../src/server';
import { createWorkspace, type Workspace } from './harness';

/**
 * What a volume-data suite runs against: a cluster whose pods run (the test cluster's
 * node, or a real cluster given KUBE_BACKUP_E2E_KUBECONFIG) and a repository its data
 * movers reach. On the test cluster the repository is a local folder the node mounts at
 * the same path; a real cluster needs one named for it:
 *
 * - `KUBE_BACKUP_E2E_REPOSITORY`: an `s3://…` location both this machine and the cluster
 *   reach (with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment), or
 * - `KUBE_BACKUP_E2E_REPOSITORY_DIR` and `KUBE_BACKUP_E2E_REPOSITORY_NODE_PATH`: a folder
 *   here and the path at which the nodes mount it (kind's extraMounts, NFS).
 *
 * Each suite gets a fresh repository under it, and `KUBE_BACKUP_E2E_FS_STORAGE_CLASS` (default
 * `standard`) names a class to map claims to.
 */
export interface VolumeSuite {
  cluster: PodCluster;
  work: Workspace;
  /** A storage class other than the snapshot-capable one, for storage-class mappings. */
  otherStorageClass: string;
  /** Creates a namespace for the test, deleted when the suite stops. */
  namespace(prefix: string): Promise<string>;
  /** Applies manifests in a namespace. */
  apply(namespace: string, ...manifests: object[]): Promise<void>;
  /** Runs a command in a pod's container and returns what it printed. */
  exec(namespace: string, pod: string, command: string[], container?: string): Promise<string>;
  /** Polls a command in a pod until `check` accepts its output. */
  execUntil(
    namespace: string,
    pod: string,
    command: string[],
    check: (output: string) => boolean,
  ): Promise<string>;
  /** Waits until a pod's phase is one of `phases`. */
  podPhase(namespace: string, pod: string, ...phases: string[]): Promise<PodStatus>;
  /**
   * Runs a pod that prints the checksum of every file under the claim's root (read-only)
   * and returns the lines, `<sha256>  ./path`, sorted by path.
   */
  checksums(namespace: string, claim: string): Promise<string[]>;
  /** Runs a test-app pod with the claim mounted read-only at /data; returns its output. */
  read(namespace: string, claim: string, command: string[]): Promise<string>;
  /** `create --volumes all` of a namespace, which must succeed; the snapshot it made. */
  backupAll(namespace: string): Promise<Snapshot>;
  /** Bytes the repository's volume data takes, where this machine can see it. */
  volumeDataBytes(): Promise<number | undefined>;
  /**
   * Kills the mover that copies a claim (read directly, by the fs method) once it has
   * started: the test cluster's node kills it the moment it starts; on a real cluster its
   * restic process is killed once it runs. Returns a function that stops it.
   */
  killMoverOf(namespace: string, claim: string): () => void;
  /**
   * Holds the mover of a claim (read directly, or through a clone of its snapshot) before
   * its container starts. Only the test cluster's node can: undefined elsewhere.
   */
  holdMoverOf(namespace: string, claim: string): (() => void) | undefined;
  /** Objects volume operations labelled and left, as `Kind namespace/name`. */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startVolumeSuite(name: string): Promise<VolumeSuite> {
  const cluster = await startPodCluster(name);
  const work = await createWorkspace(cluster.kubeconfig);
  Object.assign(work.env, await repositoryEnv(work.dir, cluster));
  delete work.env.KUBE_BACKUP_VOLUMES;
  await work.initRepository();
  const namespaces: string[] = [];
  const kubectl = cluster.kubectl;
  let readers = 0;

  const podPhase = async (namespace: string, pod: string, ...phases: string[]) => {
    for (;;) {
      const result = await kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'json']);
      if (result.code === 0) {
        const status = JSON.parse(result.stdout) as PodStatus;
        if (phases.includes(status.status?.phase ?? '')) return status;
      }
      await kubectl([
        'wait',
        '-n',
        namespace,
        `pod/${pod}`,
        `--for=jsonpath={.status.phase}=${phases[0]}`,
        '--timeout=5s',
      ]);
    }
  };
  const apply = async (namespace: string, ...manifests: object[]) => {
    const yaml = manifests.map(manifest => dump(manifest)).join('---\n');
    await must(kubectl(['apply', '-n', namespace, '-f', '-'], { input: yaml }));
  };
  const read = async (namespace: string, claim: string, command: string[]) => {
    const pod = `reader-${++readers}`;
    await apply(namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'reader',
            image: IMAGES.testApp,
            command,
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim, readOnly: true } }],
      },
    });
    const done = await podPhase(namespace, pod, 'Succeeded', 'Failed');
    const logs = await must(kubectl(['logs', '-n', namespace, pod]));
    if (done.status?.phase !== 'Succeeded') throw new Error(`reader failed: ${logs}`);
    await kubectl(['delete', 'pod', '-n', namespace, pod, '--wait=false']);
    return logs;
  };
  const exec = async (namespace: string, pod: string, command: string[], container?: string) =>
    must(
      kubectl([
        'exec',
        '-n',
        namespace,
        pod,
        ...(container ? ['-c', container] : []),
        '--',
        ...command,
      ]),
    );

  return {
    cluster,
    work,
    otherStorageClass: process.env.KUBE_BACKUP_E2E_FS_STORAGE_CLASS ?? 'standard',
    async namespace(prefix) {
      const namespace = `${prefix}-${randomBytes(3).toString('hex')}`;
      await must(kubectl(['create', 'namespace', namespace]));
      namespaces.push(namespace);
      return namespace;
    },
    apply,
    exec,
    async execUntil(namespace, pod, command, check) {
      for (let attempt = 0; ; attempt++) {
        const result = await kubectl(['exec', '-n', namespace, pod, '--', ...command]);
        if (result.code === 0 && check(result.stdout)) return result.stdout;
        if (attempt > 600)
          throw new Error(`${command.join(' ')} in ${pod}: ${result.stdout}${result.stderr}`);
      }
    },
    podPhase,
    async checksums(namespace, claim) {
      return (await read(namespace, claim, ['test-app', 'checksum', '/data']))
        .split('\n')
        .filter(Boolean);
    },
    read,
    async backupAll(namespace) {
      const result = await work.cli(['create', '-n', namespace, '--volumes', 'all', '-o', 'json']);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as Snapshot;
    },
    async volumeDataBytes() {
      const location = work.env.KUBE_BACKUP_REPOSITORY ?? '';
      if (!location.startsWith('file://')) return undefined;
      const files = await readdir(join(location.slice('file://'.length), 'volumes'), {
        recursive: true,
        withFileTypes: true,
      });
      let total = 0;
      for (const file of files)
        if (file.isFile()) total += (await stat(join(file.parentPath, file.name))).size;
      return total;
    },
    killMoverOf(namespace, claim) {
      const faults = cluster.server?.faults;
      if (faults?.killOnStart) return faults.killOnStart(moverOf(cluster, namespace, claim));
      let stopped = false;
      void (async () => {
        while (!stopped) {
          const pods = await kubectl([
            'get',
            'pods',
            '-n',
            namespace,
            '-l',
            'kube-backup.io/role=mover',
            '-o',
            'json',
          ]);
          const items =
            pods.code === 0 ? (JSON.parse(pods.stdout) as { items: KubeObject[] }).items : [];
          const running = items.find(
            pod =>
              moverOf(cluster, namespace, claim)(pod) &&
              (pod.status as { phase?: string } | undefined)?.phase === 'Running',
          );
          if (running) {
            await kubectl([
              'exec',
              '-n',
              namespace,
              running.metadata.name!,
              '--',
              'sh',
              '-c',
              'kill -9 $(pidof restic)',
            ]);
            stopped = true;
          }
        }
      })();
      return () => {
        stopped = true;
      };
    },
    holdMoverOf(namespace, claim) {
      return cluster.server?.faults.slowStart?.(moverOf(cluster, namespace, claim));
    },
    async leftovers() {
      const kinds = ['pods', 'secrets', 'persistentvolumeclaims', 'volumesnapshots', 'leases'];
      const found = await must(
        kubectl([
          'get',
          kinds.join(','),
          '-A',
          '-l',
          'kube-backup.io/operation',
          '-o',
          'jsonpath={range .items[*]}{.kind} {.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
        ]),
      );
      return found.split('\n').filter(Boolean);
    },
    async stop() {
      for (const namespace of namespaces)
        await kubectl(['delete', 'namespace', namespace, '--wait=false']);
      await cluster.stop();
      await work.cleanup();
    },
  };
}

/** A ReadWriteOnce claim of 1Gi in a class, with annotations. */
export function claimManifest(
  name: string,
  storageClass: string,
  annotations: Record<string, string> = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, annotations },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storageClass,
      resources: { requests: { storage: '1Gi' } },
    },
  };
}

/** A live application: a test-app pod that sleeps with a claim mounted at /data. */
export function appPod(name: string, claim: string): object {
  return pod(
    name,
    {
      name: 'app',
      image: IMAGES.testApp,
      command: ['test-app', 'sleep'],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    },
    { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] },
  );
}

/** A pod that runs a command of the test-app image with a claim at /data, and ends. */
export function writerPod(name: string, claim: string, command: string[]): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'writer',
          image: IMAGES.testApp,
          command,
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
    },
  };
}

/** Whether a pod is the mover of a claim: it mounts the claim, or a clone of its snapshot. */
function moverOf(cluster: PodCluster, namespace: string, claim: string) {
  return (pod: KubeObject): boolean => {
    if (pod.metadata.namespace !== namespace) return false;
    if (pod.metadata.labels?.['kube-backup.io/role'] !== 'mover') return false;
    const volumes = (
      pod.spec as { volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> }
    ).volumes;
    const mounted = volumes?.find(volume => volume.persistentVolumeClaim)?.persistentVolumeClaim
      ?.claimName;
    if (!mounted || mounted === claim) return mounted === claim;
    const store = cluster.server?.store;
    const clone = store?.get('v1', 'PersistentVolumeClaim', namespace, mounted);
    const source = (clone?.spec as { dataSource?: { kind?: string; name?: string } } | undefined)
      ?.dataSource;
    if (source?.kind !== 'VolumeSnapshot' || !source.name) return false;
    const snapshot = store?.get(
      'snapshot.storage.k8s.io/v1',
      'VolumeSnapshot',
      namespace,
      source.name,
    );
    return (
      (snapshot?.spec as { source?: { persistentVolumeClaimName?: string } } | undefined)?.source
        ?.persistentVolumeClaimName === claim
    );
  };
}

/** The repository the suite's CLI uses, and how the cluster's movers reach it. */
async function repositoryEnv(dir: string, cluster: PodCluster): Promise<NodeJS.ProcessEnv> {
  const run = randomBytes(4).toString('hex');
  if (cluster.server) {
    const path = join(dir, 'repository');
    return { KUBE_BACKUP_REPOSITORY: `file://${path}`, KUBE_BACKUP_REPOSITORY_NODE_PATH: path };
  }
  const s3 = process.env.KUBE_BACKUP_E2E_REPOSITORY;
  if (s3) {
    const url = new URL(s3);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/kube-backup-e2e-${run}`;
    return { KUBE_BACKUP_REPOSITORY: url.href };
  }
  const local = process.env.KUBE_BACKUP_E2E_REPOSITORY_DIR;
  const nodePath = process.env.KUBE_BACKUP_E2E_REPOSITORY_NODE_PATH;
  if (!local || !nodePath) {
    throw new Error(
      'volume suites on a real cluster need KUBE_BACKUP_E2E_REPOSITORY (s3://…), or KUBE_BACKUP_E2E_REPOSITORY_DIR and KUBE_BACKUP_E2E_REPOSITORY_NODE_PATH',
    );
  }
  await mkdir(join(local, run), { recursive: true });
  return {
    KUBE_BACKUP_REPOSITORY: `file://${join(local, run)}`,
    KUBE_BACKUP_REPOSITORY_NODE_PATH: join(nodePath, run),
  };
}
