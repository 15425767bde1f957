/**
 * JSON encoding of stored objects, cached per object: stored objects are immutable, so a
 * list of thousands of objects costs one string join instead of re-encoding each one.
 */
import type { KubeObject } from './json';

const full = new WeakMap<KubeObject, string>();
const bare = new WeakMap<KubeObject, string>();

export function objectJson(obj: KubeObject): string {
  let json = full.get(obj);
  if (json === undefined) {
    json = JSON.stringify(obj);
    full.set(obj, json);
  }
  return json;
}

/**
 * Built-in list items come without apiVersion and kind, as the API server encodes typed
 * lists; custom resource lists keep them.
 */
export function itemJson(obj: KubeObject, keepTypeMeta: boolean): string {
  if (keepTypeMeta) return objectJson(obj);
  let json = bare.get(obj);
  if (json === undefined) {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    json = JSON.stringify(rest);
    bare.set(obj, json);
  }
  return json;
}

export function listJson(
  kind: string,
  apiVersion: string,
  metadata: Record<string, unknown>,
  items: string[],
): string {
  return `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[${items.join(',')}]}`;
}
