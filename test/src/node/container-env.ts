/**
 * What the kubelet computes for a container before it starts: its environment (image
 * defaults, the API server's service variables, envFrom, env with ConfigMap and Secret
 * keys and the downward API) and its command line (command/args over the image's
 * entrypoint/cmd, with $(VAR) references expanded).
 */
import { isObject, type JsonObject, type KubeObject } from '../server/json';
import type { ImageConfig } from './images';

export interface EnvSources {
  configMap(namespace: string, name: string): KubeObject | undefined;
  secret(namespace: string, name: string): KubeObject | undefined;
  /** KUBERNETES_SERVICE_HOST and friends. */
  serviceEnv: Record<string, string>;
  hostIP: string;
}

/** A container that cannot be configured: CreateContainerConfigError with this message. */
export class ContainerConfigError extends Error {}

type Obj = JsonObject;

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);

function keyOf(obj: KubeObject | undefined, key: string, secret: boolean): string | undefined {
  if (!obj) return undefined;
  const data = isObject(obj.data) ? obj.data : {};
  if (typeof data[key] === 'string')
    return secret ? Buffer.from(data[key], 'base64').toString('utf8') : data[key];
  const binary = isObject(obj.binaryData) ? obj.binaryData : {};
  if (typeof binary[key] === 'string') return Buffer.from(binary[key], 'base64').toString('utf8');
  return undefined;
}

function allKeys(obj: KubeObject, secret: boolean): Array<[string, string]> {
  const data = isObject(obj.data) ? obj.data : {};
  return Object.keys(data).map(k => [k, keyOf(obj, k, secret) ?? '']);
}

/** The downward API's fieldRef paths. */
function fieldValue(pod: KubeObject, path: string, hostIP: string): string {
  const annotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (annotation) {
    const map = pod.metadata[annotation[1] as 'labels' | 'annotations'] ?? {};
    return map[annotation[2]] ?? '';
  }
  const spec = isObject(pod.spec) ? pod.spec : {};
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return String(spec.nodeName ?? '');
    case 'spec.serviceAccountName':
      return String(spec.serviceAccountName ?? 'default');
    case 'status.hostIP':
    case 'status.hostIPs':
    case 'status.podIP':
    case 'status.podIPs':
      // Pods share the node's network.
      return hostIP;
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** Kubernetes' $(VAR) expansion: defined names expand, $$ escapes, others stay as written. */
export function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name?: string) => {
    if (match === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : match;
  });
}

export function containerEnv(
  pod: KubeObject,
  container: Obj,
  image: ImageConfig,
  sources: EnvSources,
): Map<string, string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const entry of image.Env ?? []) {
    const at = entry.indexOf('=');
    if (at > 0) vars.set(entry.slice(0, at), entry.slice(at + 1));
  }
  for (const [k, v] of Object.entries(sources.serviceEnv)) vars.set(k, v);
  for (const from of list(container.envFrom)) {
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    for (const [field, secret] of [
      ['configMapRef', false],
      ['secretRef', true],
    ] as const) {
      const ref = from[field];
      if (!isObject(ref)) continue;
      const name = String(ref.name ?? '');
      const obj = secret ? sources.secret(namespace, name) : sources.configMap(namespace, name);
      if (!obj) {
        if (ref.optional === true) continue;
        throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${name}" not found`);
      }
      for (const [k, v] of allKeys(obj, secret)) vars.set(`${prefix}${k}`, v);
    }
  }
  for (const env of list(container.env)) {
    const name = String(env.name ?? '');
    if (!name) continue;
    if (typeof env.value === 'string') {
      vars.set(name, expand(env.value, vars));
      continue;
    }
    const from = isObject(env.valueFrom) ? env.valueFrom : undefined;
    if (!from) {
      vars.set(name, '');
      continue;
    }
    for (const [field, secret] of [
      ['configMapKeyRef', false],
      ['secretKeyRef', true],
    ] as const) {
      const ref = from[field];
      if (!isObject(ref)) continue;
      const objName = String(ref.name ?? '');
      const key = String(ref.key ?? '');
      const obj = secret
        ? sources.secret(namespace, objName)
        : sources.configMap(namespace, objName);
      const value = keyOf(obj, key, secret);
      if (value !== undefined) vars.set(name, value);
      else if (ref.optional !== true) {
        throw new ContainerConfigError(
          obj
            ? `couldn't find key ${key} in ${secret ? 'Secret' : 'ConfigMap'} ${namespace}/${objName}`
            : `${secret ? 'secret' : 'configmap'} "${objName}" not found`,
        );
      }
    }
    if (isObject(from.fieldRef))
      vars.set(name, fieldValue(pod, String(from.fieldRef.fieldPath ?? ''), sources.hostIP));
    if (isObject(from.resourceFieldRef)) {
      const resource = String(from.resourceFieldRef.resource ?? '');
      const [kind, what] = resource.split('.');
      const resources = isObject(container.resources) ? container.resources : {};
      const values = isObject(resources[kind]) ? (resources[kind] as Obj) : {};
      vars.set(name, String(values[what] ?? '0'));
    }
  }
  return vars;
}

/** Kubernetes' rules for command and args over the image's Entrypoint and Cmd. */
export function containerArgs(
  container: Obj,
  image: ImageConfig,
  vars: Map<string, string>,
): string[] {
  const command = Array.isArray(container.command) ? container.command.map(String) : undefined;
  const args = Array.isArray(container.args) ? container.args.map(String) : undefined;
  let argv: string[];
  if (command) argv = [...command, ...(args ?? [])];
  else argv = [...(image.Entrypoint ?? []), ...(args ?? image.Cmd ?? [])];
  return argv.map(a => expand(a, vars));
}
