/**
 * Loads manifests (YAML/JSON files, directories of them, or objects) into a cluster the way
 * they would look on a live one. Owner references may name their owner by kind and name
 * only — `{apiVersion, kind, name}` without `uid` — and get the owner's uid here, so
 * fixtures can describe controller-owned children (ReplicaSets, Pods, Jobs…) without
 * hard-coding uids. A PersistentVolume's spec.claimRef and an Event's involvedObject without
 * uid get the uid of the object they name.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { ApiServer } from './api';
import { clone, isObject, splitApiVersion, type KubeObject } from './json';
import type { Lifecycle } from './lifecycle';
import { sortedJson } from './managed-fields';

export type SeedInput = string | object;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Every manifest in the inputs, in order; directories are read recursively, sorted by name. */
export function readManifests(inputs: SeedInput[]): KubeObject[] {
  const out: KubeObject[] = [];
  const add = (doc: unknown, source: string) => {
    if (doc === null || doc === undefined) return;
    if (!isObject(doc)) throw new Error(`${source}: a manifest must be an object`);
    if (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      for (const item of doc.items) add(item, source);
      return;
    }
    if (!doc.apiVersion || !doc.kind)
      throw new Error(`${source}: manifest without apiVersion/kind`);
    out.push(clone(doc) as unknown as KubeObject);
  };
  for (const input of inputs) {
    if (typeof input !== 'string') {
      add(input, 'manifest');
      continue;
    }
    for (const file of manifestFiles(input)) {
      const text = readFileSync(file, 'utf8');
      const docs = extname(file) === '.json' ? [JSON.parse(text) as unknown] : loadAll(text);
      for (const doc of docs) add(doc, file);
    }
  }
  return out;
}

function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap(entry => {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) return manifestFiles(full);
      return ['.yaml', '.yml', '.json'].includes(extname(entry)) ? [full] : [];
    });
}

export interface SeedOptions {
  /** Record kubectl's last-applied-configuration annotation, as `kubectl apply -f` would. */
  lastApplied: boolean;
}

/** Seeds manifests: namespaces and CRDs first (CRDs established at once), then the rest. */
export function seed(
  api: ApiServer,
  lifecycle: Lifecycle,
  manifests: KubeObject[],
  opts: SeedOptions,
): KubeObject[] {
  const rank = (m: KubeObject) =>
    m.kind === 'Namespace' ? 0 : m.kind === 'CustomResourceDefinition' ? 1 : 2;
  const ordered = [...manifests].sort((a, b) => rank(a) - rank(b));
  const uids = new Map<string, string>();
  const identity = (group: string, kind: string, namespace: string, name: string) =>
    `${group}|${kind}|${namespace}|${name}`;
  for (const m of ordered) {
    if (!isObject(m.metadata)) m.metadata = {};
    m.metadata.uid ??= randomUUID();
    const { group } = splitApiVersion(m.apiVersion!);
    uids.set(
      identity(group, m.kind!, m.metadata.namespace ?? '', m.metadata.name ?? ''),
      m.metadata.uid,
    );
  }
  for (const m of ordered) {
    for (const [i, ref] of (m.metadata.ownerReferences ?? []).entries()) {
      if (ref.uid) continue;
      const { group } = splitApiVersion(ref.apiVersion);
      const uid =
        uids.get(identity(group, ref.kind, m.metadata.namespace ?? '', ref.name)) ??
        uids.get(identity(group, ref.kind, '', ref.name)) ??
        findLiveUid(api, group, ref.kind, m.metadata.namespace ?? '', ref.name);
      if (!uid) {
        throw new Error(
          `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}: owner ${ref.kind} ${ref.name} not found`,
        );
      }
      // Field order as the API server writes owner references.
      m.metadata.ownerReferences![i] = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        name: ref.name,
        uid,
        ...(ref.controller !== undefined ? { controller: ref.controller } : {}),
        ...(ref.blockOwnerDeletion !== undefined
          ? { blockOwnerDeletion: ref.blockOwnerDeletion }
          : {}),
      };
    }
  }
  for (const m of ordered) {
    // An Event names the object it is about; that object's uid is filled in the same way.
    const involved =
      m.kind === 'Event' ? (m as { involvedObject?: unknown }).involvedObject : undefined;
    if (isObject(involved) && !involved.uid && typeof involved.name === 'string') {
      const { group } = splitApiVersion(String(involved.apiVersion ?? 'v1'));
      const ns = String(involved.namespace ?? '');
      const uid =
        uids.get(identity(group, String(involved.kind), ns, involved.name)) ??
        uids.get(identity(group, String(involved.kind), '', involved.name)) ??
        findLiveUid(api, group, String(involved.kind), ns, involved.name);
      if (uid) involved.uid = uid;
    }
    // A bound PersistentVolume names its claim; the claim's uid is filled in the same way.
    const claimRef =
      m.kind === 'PersistentVolume' && isObject(m.spec) ? m.spec.claimRef : undefined;
    if (isObject(claimRef) && !claimRef.uid && typeof claimRef.name === 'string') {
      const uid =
        uids.get(
          identity('', 'PersistentVolumeClaim', String(claimRef.namespace ?? ''), claimRef.name),
        ) ??
        findLiveUid(
          api,
          '',
          'PersistentVolumeClaim',
          String(claimRef.namespace ?? ''),
          claimRef.name,
        );
      if (uid) claimRef.uid = uid;
    }
  }
  const out: KubeObject[] = [];
  for (const m of ordered) {
    const { group, version } = splitApiVersion(m.apiVersion!);
    const controlled = (m.metadata.ownerReferences ?? []).some(ref => ref.controller);
    if (opts.lastApplied && !controlled) addLastApplied(m);
    if (m.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') {
      out.push(lifecycle.installCrd(m, true));
      continue;
    }
    const type = api.registry.lookupKind(group, version, m.kind!);
    if (!type) throw new Error(`no resource type serves ${m.apiVersion} ${m.kind}`);
    const manager = controlled ? 'kube-controller-manager' : 'kubectl-client-side-apply';
    out.push(api.systemWrite(type, m, manager));
  }
  return out;
}

function findLiveUid(
  api: ApiServer,
  group: string,
  kind: string,
  namespace: string,
  name: string,
): string | undefined {
  const type = api.registry.lookupGroupKind(group, kind);
  if (!type) return undefined;
  const key = type.group ? `${type.resource}.${type.group}` : `${type.resource}.`;
  return api.store.get(key, type.namespaced ? namespace : '', name)?.metadata.uid;
}

/** kubectl's annotation: the manifest as applied, keys sorted, without status or itself. */
function addLastApplied(m: KubeObject): void {
  const { status: _status, ...applied } = clone(m);
  const meta = { ...applied.metadata };
  delete meta.uid;
  delete meta.creationTimestamp;
  delete meta.ownerReferences;
  const annotations = { ...(meta.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  meta.annotations = annotations;
  applied.metadata = meta;
  m.metadata.annotations = {
    ...(m.metadata.annotations ?? {}),
    [LAST_APPLIED]: `${sortedJson(applied)}\n`,
  };
}
