/**
 * What the node's controllers share: the API server they act on (as controllers do,
 * through its registry layer), the node's directories and runtime, its options and
 * faults, and helpers for reading objects and timing work.
 */
import type { ApiServer } from '../server/api';
import type { JsonObject, KubeObject } from '../server/json';
import { keyOf } from '../server/registry';
import type { ResourceType } from '../server/resources';
import type { ImageStore } from './images';
import type { Runc } from './runc';
import type { NodeWorkdir } from './workdir';

export interface NodeOptions {
  /** The Node object's name (default `kube-test-node`). */
  name?: string;
  /** Base of the kubelet's restart back-off, doubled per restart up to 5 min (default 1000). */
  restartBackOffMs?: number;
  /** How long a failed image pull shows ErrImagePull before ImagePullBackOff (default 1000). */
  imagePullBackOffMs?: number;
  /** How long a new VolumeSnapshot takes to become readyToUse (default 100). */
  snapshotReadyDelayMs?: number;
}

export type ResolvedNodeOptions = Required<NodeOptions>;

export const NODE_DEFAULTS: ResolvedNodeOptions = {
  name: 'kube-test-node',
  restartBackOffMs: 1000,
  imagePullBackOffMs: 1000,
  snapshotReadyDelayMs: 100,
};

export interface NodeContext {
  api: ApiServer;
  options: ResolvedNodeOptions;
  workdir: NodeWorkdir;
  runc: Runc;
  images: ImageStore;
  /** The API server as pods reach it (host network): host and port. */
  apiHost: string;
  apiPort: () => number;
  caPem: string;
  /** A bearer token the server accepts for a service account (made on first use). */
  serviceAccountToken(namespace: string, name: string): string;
  /** Runs fn after ms unless the node has stopped. */
  later(ms: number, fn: () => void): void;
  stopped(): boolean;
}

/** A served type by group and plural (the snapshot types once their CRDs are served). */
export function typeOf(api: ApiServer, group: string, resource: string): ResourceType {
  const type = api.registry.all().find(t => t.group === group && t.resource === resource);
  if (!type) throw new Error(`the server does not serve ${resource}.${group}`);
  return type;
}

export function getObject(
  api: ApiServer,
  group: string,
  resource: string,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  const type = typeOf(api, group, resource);
  return api.store.get(keyOf(type), type.namespaced ? (namespace ?? '') : '', name);
}

export function listObjects(
  api: ApiServer,
  group: string,
  resource: string,
  namespace?: string,
): KubeObject[] {
  const type = typeOf(api, group, resource);
  return [...api.store.iterate(keyOf(type), namespace)];
}

export function specOf(obj: KubeObject | undefined): JsonObject {
  const spec = obj?.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec)
    ? (spec as JsonObject)
    : {};
}

export function statusOf(obj: KubeObject | undefined): JsonObject {
  const status = obj?.status;
  return status !== null && typeof status === 'object' && !Array.isArray(status)
    ? (status as JsonObject)
    : {};
}
