/**
 * Which lists of built-in types merge by key instead of being replaced. This mirrors the
 * `patchStrategy:"merge" patchMergeKey:"…"` tags (strategic merge patch) and the
 * `listType=map`/`listMapKey` markers (server-side apply) of the Kubernetes Go types for
 * the fields that real manifests use; any other list is atomic.
 */
import { isObject, type JsonValue } from './json';

export interface ListStrategy {
  /** Merge keys, most significant first. */
  keys: string[];
  /** A list of scalars merged as a set (metadata.finalizers). */
  primitive: boolean;
}

const BY_FIELD: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
  resourceClaims: ['name'],
  schedulingGates: ['name'],
  secrets: ['name'],
  addresses: ['type'],
};

const CONTAINER_LISTS = /(^|\.)(containers|initContainers|ephemeralContainers)\.ports$/;
const PRIMITIVE_SETS = new Set(['metadata.finalizers']);

/** Strategy for the list at `path` (dotted field names, no indexes); undefined = atomic. */
export function mergeStrategy(
  path: string,
  ..._samples: Array<JsonValue[] | undefined>
): ListStrategy | undefined {
  if (PRIMITIVE_SETS.has(path)) return { keys: [], primitive: true };
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (field === 'ports') {
    if (CONTAINER_LISTS.test(path))
      return { keys: ['containerPort', 'protocol'], primitive: false };
    if (path === 'spec.ports') return { keys: ['port', 'protocol'], primitive: false };
    return undefined;
  }
  // Lists under custom resources or unknown places are atomic; only the well-known
  // locations of the built-in fields merge.
  if (field === 'conditions' && !path.startsWith('status')) return undefined;
  if (field === 'secrets' && path !== 'secrets') return undefined;
  if (field === 'addresses' && path !== 'status.addresses') return undefined;
  const keys = BY_FIELD[field];
  return keys ? { keys, primitive: false } : undefined;
}

/** Map-typed fields (string keys chosen by users) rather than structs, for field sets. */
const MAP_FIELDS = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'matchLabels',
  'nodeSelector',
  'limits',
  'requests',
  'capacity',
  'allocatable',
  'parameters',
  'hard',
  'used',
]);

export function isMapField(path: string): boolean {
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (MAP_FIELDS.has(field)) return true;
  // Service spec.selector is a plain map; workload selectors are LabelSelector structs.
  return path === 'spec.selector' || path === 'selector';
}

/** Values of the merge keys of one list item, as used in `k:{…}` field paths. */
export function keyOf(item: JsonValue, keys: string[]): Record<string, JsonValue> | undefined {
  if (!isObject(item)) return undefined;
  const key: Record<string, JsonValue> = {};
  for (const name of keys) {
    if (item[name] !== undefined) key[name] = item[name];
  }
  return Object.keys(key).length > 0 ? key : undefined;
}
