/**
 * The kubelet's volume manager: makes each pod volume a directory on the host (emptyDir,
 * configMap, secret, projected and downwardAPI files written once, a claim's bound
 * PersistentVolume, a hostPath), adds the service account's token, CA and namespace as
 * real pods get them, and turns volumeMounts into bind mounts (read-only where the mount
 * or the claim says so).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isObject, type JsonObject, type KubeObject } from '../server/json';
import type { BindMount } from './bundle';
import { getObject, specOf, statusOf, type NodeContext } from './context';
import { volumePath } from './csi';

type Obj = JsonObject;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_VOLUME = 'kube-api-access';

/** A volume that cannot be set up yet: the pod waits in ContainerCreating. */
export class VolumeNotReady extends Error {}

export interface PodVolumes {
  /** Volume name → host directory (or file). */
  paths: Map<string, string>;
  /** Claim name → read-only? for claims the pod mounts. */
  readOnlyClaims: Set<string>;
  hostsFile: string;
}

interface FileItem {
  path: string;
  content: Buffer;
  mode?: number;
}

function dataOf(obj: KubeObject, secret: boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const data = isObject(obj.data) ? obj.data : {};
  for (const [k, v] of Object.entries(data))
    out.set(k, secret ? Buffer.from(String(v), 'base64') : Buffer.from(String(v)));
  const binary = isObject(obj.binaryData) ? obj.binaryData : {};
  for (const [k, v] of Object.entries(binary)) out.set(k, Buffer.from(String(v), 'base64'));
  return out;
}

async function writeItems(dir: string, items: FileItem[], defaultMode: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const item of items) {
    const file = join(dir, item.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, item.content);
    await chmod(file, item.mode ?? defaultMode);
  }
}

/** configMap/secret source → files (all keys, or the listed items). */
function keyItems(
  ctx: NodeContext,
  namespace: string,
  source: Obj,
  secret: boolean,
): FileItem[] | undefined {
  const name = String((secret ? source.secretName : source.name) ?? source.name ?? '');
  const obj = getObject(ctx.api, '', secret ? 'secrets' : 'configmaps', namespace, name);
  if (!obj) {
    if (source.optional === true) return [];
    throw new VolumeNotReady(`${secret ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const data = dataOf(obj, secret);
  const items = list(source.items);
  if (items.length === 0) return [...data].map(([path, content]) => ({ path, content }));
  return items.map(item => {
    const key = String(item.key ?? '');
    const content = data.get(key);
    if (!content)
      throw new VolumeNotReady(
        `couldn't find key ${key} in ${secret ? 'Secret' : 'ConfigMap'} ${namespace}/${name}`,
      );
    return {
      path: String(item.path ?? key),
      content,
      mode: typeof item.mode === 'number' ? item.mode : undefined,
    };
  });
}

function downwardItems(pod: KubeObject, source: Obj): FileItem[] {
  return list(source.items).map(item => {
    const ref = isObject(item.fieldRef) ? String(item.fieldRef.fieldPath ?? '') : '';
    let value = '';
    if (ref === 'metadata.name') value = pod.metadata.name ?? '';
    else if (ref === 'metadata.namespace') value = pod.metadata.namespace ?? '';
    else if (ref === 'metadata.uid') value = pod.metadata.uid ?? '';
    else if (ref === 'metadata.labels' || ref === 'metadata.annotations') {
      const map = pod.metadata[ref === 'metadata.labels' ? 'labels' : 'annotations'] ?? {};
      value = Object.entries(map)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join('\n');
    }
    return { path: String(item.path ?? ''), content: Buffer.from(value) };
  });
}

/** The host directory of a claim's bound PersistentVolume. */
function claimPath(ctx: NodeContext, namespace: string, claimName: string): string {
  const claim = getObject(ctx.api, '', 'persistentvolumeclaims', namespace, claimName);
  if (!claim) throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" not found`);
  const volumeName = specOf(claim).volumeName;
  if (statusOf(claim).phase !== 'Bound' || typeof volumeName !== 'string')
    throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" is not bound`);
  const pv = getObject(ctx.api, '', 'persistentvolumes', undefined, volumeName);
  if (!pv) throw new VolumeNotReady(`persistentvolume "${volumeName}" not found`);
  return persistentVolumePath(ctx, pv);
}

export function persistentVolumePath(ctx: NodeContext, pv: KubeObject): string {
  const spec = specOf(pv);
  if (isObject(spec.hostPath)) return String(spec.hostPath.path);
  if (isObject(spec.local)) return String(spec.local.path);
  if (isObject(spec.csi)) {
    const path = volumePath(ctx, spec.csi);
    if (path) return path;
    throw new VolumeNotReady(
      `driver name ${String(spec.csi.driver)} not found in the list of registered CSI drivers`,
    );
  }
  throw new VolumeNotReady(`persistentvolume "${pv.metadata.name}" has no source this node mounts`);
}

function automountToken(ctx: NodeContext, pod: KubeObject): boolean {
  const spec = specOf(pod);
  if (typeof spec.automountServiceAccountToken === 'boolean')
    return spec.automountServiceAccountToken;
  const sa = getObject(
    ctx.api,
    '',
    'serviceaccounts',
    pod.metadata.namespace,
    String(spec.serviceAccountName ?? 'default'),
  );
  return sa?.automountServiceAccountToken !== false;
}

export async function preparePodVolumes(
  ctx: NodeContext,
  pod: KubeObject,
  podDir: string,
): Promise<PodVolumes> {
  const namespace = pod.metadata.namespace ?? 'default';
  const spec = specOf(pod);
  const paths = new Map<string, string>();
  const readOnlyClaims = new Set<string>();
  const volumesDir = join(podDir, 'volumes');
  for (const volume of list(spec.volumes)) {
    const name = String(volume.name ?? '');
    const dir = join(volumesDir, name);
    if (isObject(volume.emptyDir)) {
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o777);
    } else if (isObject(volume.configMap) || isObject(volume.secret)) {
      const secret = isObject(volume.secret);
      const source = (secret ? volume.secret : volume.configMap) as Obj;
      const mode = typeof source.defaultMode === 'number' ? source.defaultMode : 0o644;
      await writeItems(dir, keyItems(ctx, namespace, source, secret) ?? [], mode);
    } else if (isObject(volume.downwardAPI)) {
      await writeItems(dir, downwardItems(pod, volume.downwardAPI), 0o644);
    } else if (isObject(volume.projected)) {
      const items: FileItem[] = [];
      for (const source of list(volume.projected.sources)) {
        if (isObject(source.configMap))
          items.push(...(keyItems(ctx, namespace, source.configMap, false) ?? []));
        if (isObject(source.secret))
          items.push(...(keyItems(ctx, namespace, source.secret, true) ?? []));
        if (isObject(source.downwardAPI)) items.push(...downwardItems(pod, source.downwardAPI));
        if (isObject(source.serviceAccountToken)) {
          items.push({
            path: String(source.serviceAccountToken.path ?? 'token'),
            content: Buffer.from(tokenFor(ctx, pod)),
          });
        }
      }
      const mode =
        typeof volume.projected.defaultMode === 'number' ? volume.projected.defaultMode : 0o644;
      await writeItems(dir, items, mode);
    } else if (isObject(volume.persistentVolumeClaim)) {
      const claimName = String(volume.persistentVolumeClaim.claimName ?? '');
      paths.set(name, claimPath(ctx, namespace, claimName));
      if (volume.persistentVolumeClaim.readOnly === true) readOnlyClaims.add(name);
      continue;
    } else if (isObject(volume.hostPath)) {
      const path = String(volume.hostPath.path ?? '');
      const type = String(volume.hostPath.type ?? '');
      if (type === 'DirectoryOrCreate') await mkdir(path, { recursive: true });
      else if (type === 'Directory' && !existsSync(path))
        throw new VolumeNotReady(`hostPath type check failed: ${path} is not a directory`);
      paths.set(name, path);
      continue;
    } else {
      throw new VolumeNotReady(`volume "${name}" is of a type this node does not mount`);
    }
    paths.set(name, dir);
  }
  if (automountToken(ctx, pod) && !paths.has(TOKEN_VOLUME)) {
    const dir = join(volumesDir, TOKEN_VOLUME);
    await writeItems(
      dir,
      [
        { path: 'token', content: Buffer.from(tokenFor(ctx, pod)) },
        { path: 'ca.crt', content: Buffer.from(ctx.caPem) },
        { path: 'namespace', content: Buffer.from(namespace) },
      ],
      0o644,
    );
    paths.set(TOKEN_VOLUME, dir);
  }
  const hostsFile = join(podDir, 'etc-hosts');
  await writeFile(
    hostsFile,
    `# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t${pod.metadata.name}\n`,
  );
  return { paths, readOnlyClaims, hostsFile };
}

function tokenFor(ctx: NodeContext, pod: KubeObject): string {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = String(specOf(pod).serviceAccountName ?? 'default');
  if (!getObject(ctx.api, '', 'serviceaccounts', namespace, name))
    throw new VolumeNotReady(`serviceaccount "${name}" not found`);
  return ctx.serviceAccountToken(namespace, name);
}

/** A container's bind mounts: its volumeMounts, the token directory, /etc/hosts. */
export function containerMounts(container: Obj, volumes: PodVolumes): BindMount[] {
  const mounts: BindMount[] = [];
  for (const mount of list(container.volumeMounts)) {
    const name = String(mount.name ?? '');
    const source = volumes.paths.get(name);
    if (!source) throw new VolumeNotReady(`volume "${name}" is not defined in the pod`);
    const subPath = typeof mount.subPath === 'string' && mount.subPath ? mount.subPath : undefined;
    mounts.push({
      source: subPath ? join(source, subPath) : source,
      destination: String(mount.mountPath ?? ''),
      readOnly: mount.readOnly === true || volumes.readOnlyClaims.has(name),
    });
  }
  const token = volumes.paths.get(TOKEN_VOLUME);
  if (token && !mounts.some(m => m.destination === SERVICE_ACCOUNT_DIR))
    mounts.push({ source: token, destination: SERVICE_ACCOUNT_DIR, readOnly: true });
  if (!mounts.some(m => m.destination === '/etc/hosts'))
    mounts.push({ source: volumes.hostsFile, destination: '/etc/hosts', readOnly: false });
  return mounts;
}
