/**
 * The registry layer of the server: create, read, list, update, patch, apply and delete
 * of any served type, with the API server's rules for server-set metadata, optimistic
 * concurrency, dry-run, defaulting and validation, status subresources, managedFields
 * and deletion (finalizers, owner-reference cascading). HTTP lives in http.ts; this module
 * only speaks objects and ApiErrors.
 */
import { randomUUID } from 'node:crypto';
import { load as loadYaml } from 'js-yaml';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  fieldInvalid,
  fieldRequired,
  forbidden,
  type FieldError,
  invalid,
  notFound,
  STALE_OBJECT,
  unsupportedMediaType,
  type GroupResource,
} from './status';
import {
  apiVersionOf,
  clone,
  deepEqual,
  isObject,
  nowTimestamp,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  type ManagedFieldsEntry,
  OBJECT_META_FIELDS,
} from './json';
import { ObjectStore } from './store';
import { Registry, keyOf } from './registry';
import type { ResourceType } from './resources';
import { STRATEGIES, type Strategy, type StrategyContext } from './strategies';
import { applySchema, crdStrategy } from './crds';
import { validateObjectMeta } from './validation';
import {
  LAST_APPLIED,
  applyConfiguration,
  lastAppliedOf,
  updateManagedFields,
  type ManagerOptions,
} from './managed-fields';
import {
  PatchError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  parseJsonPatch,
} from './patch';
import { fieldPredicate, labelPredicate, selectedName, type Predicate } from './selectors';
import type { Lifecycle } from './lifecycle';

export interface WriteOptions {
  dryRun?: boolean;
  /** fieldValidation: Strict rejects fields a schema does not know, Warn reports them. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Collects the Warning headers the response carries. */
  warnings?: string[];
  fieldManager?: string;
  userAgent?: string;
  /** Seeding or a controller: status and server-set fields are kept as given. */
  system?: boolean;
  subresource?: 'status' | 'scale';
}

export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

export interface DeleteResult {
  object?: KubeObject;
  uid: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function gr(type: ResourceType): GroupResource {
  return { group: type.group, resource: type.resource };
}

export function apiVersionOfType(type: ResourceType): string {
  return apiVersionOf(type.group, type.version);
}

const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++)
    out += NAME_SUFFIX_CHARS[Math.floor(Math.random() * NAME_SUFFIX_CHARS.length)];
  return out;
}

/** The real default field manager: the user agent up to its first "/". */
function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '')
    .split('/')[0]
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 128);
  return prefix || 'unknown';
}

/** Key order of the Go types: apiVersion, kind, metadata (fields in ObjectMeta order), rest. */
function normalize(obj: KubeObject): KubeObject {
  const meta: Record<string, unknown> = {};
  for (const key of OBJECT_META_FIELDS)
    if (obj.metadata[key] !== undefined) meta[key] = obj.metadata[key];
  for (const [key, value] of Object.entries(obj.metadata))
    if (!(key in meta) && value !== undefined) meta[key] = value;
  const out: KubeObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: meta };
  for (const [key, value] of Object.entries(obj)) {
    if (
      key !== 'apiVersion' &&
      key !== 'kind' &&
      key !== 'metadata' &&
      key !== 'status' &&
      value !== undefined
    )
      out[key] = value;
  }
  if (obj.status !== undefined) out.status = obj.status;
  return out;
}

/** What metadata.generation tracks: the spec, or for custom resources everything but
 * metadata (and status, when it is a subresource). */
function specOf(type: ResourceType, obj: KubeObject): unknown {
  if (!type.custom) return obj.spec;
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return type.status ? rest : { ...rest, status };
}

export class ApiServer {
  readonly registry = new Registry();
  readonly store = new ObjectStore();
  lifecycle?: Lifecycle;
  /** The node's kubelet: takes over deletes of pods whose containers it must stop first. */
  gracefulDelete?: (
    type: ResourceType,
    obj: KubeObject,
    opts: DeleteOptions,
  ) => KubeObject | undefined;
  private nextIp = 2;
  private readonly usedIps = new Set<string>(['10.96.0.1']);
  private nextNodePort = 30000;

  readonly strategyContext = (system: boolean): StrategyContext => ({
    system,
    allocateClusterIP: () => this.allocateIp(),
    allocateNodePort: () => this.nextNodePort++,
  });

  // ---- reads ---------------------------------------------------------------------------

  get(type: ResourceType, namespace: string, name: string): KubeObject {
    const obj = this.store.get(keyOf(type), type.namespaced ? namespace : '', name);
    if (!obj) throw notFound(gr(type), name);
    return this.present(type, obj);
  }

  /** A stored object as the requested version shows it (CRD versions share storage). */
  present(type: ResourceType, obj: KubeObject): KubeObject {
    const apiVersion = apiVersionOfType(type);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  list(type: ResourceType, namespace: string | undefined, query: ListQuery): ListResult {
    const key = keyOf(type);
    const ns = type.namespaced ? namespace : undefined;
    const predicates: Predicate[] = [];
    const byLabel = query.labelSelector ? labelPredicate(query.labelSelector) : undefined;
    if (byLabel) predicates.push(byLabel);
    const byField = query.fieldSelector ? fieldPredicate(query.fieldSelector, key) : undefined;
    if (byField) predicates.push(byField);
    const rv = this.store.resourceVersion;
    const after = query.continue ? decodeContinue(query.continue) : undefined;
    if (after && ns !== undefined) after.namespace = ns;
    const limit = query.limit && query.limit > 0 ? query.limit : 0;
    const items: KubeObject[] = [];

    const onlyName = selectedName(query.fieldSelector);
    if (onlyName !== undefined && ns !== undefined) {
      const obj = this.store.get(key, ns, onlyName);
      if (obj && predicates.every(p => p(obj))) items.push(this.present(type, obj));
      return { items, metadata: { resourceVersion: rv } };
    }

    let last: KubeObject | undefined;
    let more = false;
    let remaining = 0;
    for (const obj of this.store.iterate(key, ns, after)) {
      if (limit && items.length >= limit) {
        if (predicates.length > 0) {
          if (predicates.every(p => p(obj))) {
            more = true;
            break;
          }
          continue;
        }
        more = true;
        remaining++;
        continue;
      }
      if (predicates.every(p => p(obj))) {
        items.push(this.present(type, obj));
        last = obj;
      }
    }
    const metadata: ListResult['metadata'] = { resourceVersion: rv };
    if (more && last) {
      metadata.continue = encodeContinue(rv, last, ns === undefined && type.namespaced);
      if (predicates.length === 0) metadata.remainingItemCount = remaining;
    }
    return { items, metadata };
  }

  // ---- create --------------------------------------------------------------------------

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions,
  ): KubeObject {
    const obj = this.decode(type, body);
    this.matchNamespace(type, namespace, obj);
    if (obj.metadata.resourceVersion && !opts.system) {
      // What etcd3 storage answers; it surfaces as an untyped 500.
      throw new ApiError(500, '', 'resourceVersion should not be set on objects to be created');
    }
    if (obj.metadata.generateName && !obj.metadata.name) {
      obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    }
    return this.createObject(type, obj, opts);
  }

  private createObject(
    type: ResourceType,
    obj: KubeObject,
    opts: WriteOptions,
    managed?: ManagedFieldsEntry[] | null,
  ): KubeObject {
    const meta = obj.metadata;
    const system = opts.system === true;
    if (!system || !meta.uid) meta.uid = randomUUID();
    if (!system || !meta.creationTimestamp) meta.creationTimestamp = nowTimestamp();
    delete meta.resourceVersion;
    if (!system) {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (type.generation && (!system || meta.generation === undefined)) meta.generation = 1;
    if (!type.generation) delete meta.generation;
    const strategy = this.strategyFor(type);
    if (type.status && (!system || obj.status === undefined)) {
      const status = strategy.initialStatus?.(obj);
      if (status) obj.status = status;
      else delete obj.status;
    }
    const ctx = this.strategyContext(system);
    const errors = [...(strategy.prepareCreate?.(obj, ctx) ?? [])];
    errors.push(...validateObjectMeta(meta, type.namespaced, type.nameRule));
    errors.push(...(strategy.validate?.(obj, ctx) ?? []));
    if (type.custom) errors.push(...this.checkSchema(type, obj, opts));
    if (errors.length > 0) throw invalid(type.group, type.kind, meta.name ?? '', errors);
    const name = meta.name!;
    const namespace = type.namespaced ? meta.namespace! : '';
    if (type.namespaced) this.requireNamespace(type, namespace, name, system);
    const key = keyOf(type);
    if (this.store.get(key, namespace, name)) throw alreadyExists(gr(type), name);
    const managedFields =
      managed === undefined
        ? updateManagedFields(undefined, obj, this.managerOptions(type, opts, 'Update'))
        : (managed ?? undefined);
    if (managedFields) meta.managedFields = managedFields;
    else delete meta.managedFields;
    const stored = normalize(obj);
    if (opts.dryRun) return stored;
    stored.metadata.resourceVersion = this.store.nextResourceVersion();
    this.store.put(key, stored, 'ADDED');
    this.lifecycle?.created(type, stored);
    return stored;
  }

  // ---- update --------------------------------------------------------------------------

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): KubeObject {
    const obj = this.decode(type, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    this.matchNamespace(type, namespace, obj);
    const old = this.get(type, namespace ?? '', name);
    const rv = obj.metadata.resourceVersion;
    if (!rv && type.custom && !opts.subresource) {
      throw invalid(type.group, type.kind, name, [
        fieldInvalid('metadata.resourceVersion', '0x0', 'must be specified for an update'),
      ]);
    }
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(gr(type), name, STALE_OBJECT);
    return this.updateObject(type, old, obj, opts, undefined, true);
  }

  /**
   * `next` may share structure with stored objects (merge patches and apply copy only
   * what they change); it is copied before anything edits it unless `owned`.
   */
  private updateObject(
    type: ResourceType,
    old: KubeObject,
    next: KubeObject,
    opts: WriteOptions,
    managed?: ManagedFieldsEntry[] | null,
    owned = false,
  ): KubeObject {
    const om = old.metadata;
    let obj = owned ? next : clone(next);
    if (opts.subresource === 'status') {
      obj = { ...clone(old), status: obj.status };
      obj.metadata.managedFields = next.metadata.managedFields;
      if (obj.status === undefined) delete obj.status;
    } else if (type.status && !opts.system) {
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
    }
    const meta = obj.metadata;
    meta.name = om.name;
    meta.namespace = om.namespace;
    meta.uid = om.uid;
    meta.creationTimestamp = om.creationTimestamp;
    meta.resourceVersion = om.resourceVersion;
    if (om.deletionTimestamp) {
      meta.deletionTimestamp = om.deletionTimestamp;
      meta.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (type.generation) meta.generation = om.generation ?? 1;
    else delete meta.generation;
    obj.apiVersion = apiVersionOfType(type);
    obj.kind = type.kind;

    const strategy = this.strategyFor(type);
    const ctx = this.strategyContext(opts.system === true);
    strategy.prepareUpdate?.(obj, old, ctx);
    const errors = [
      ...validateObjectMeta(meta, type.namespaced, type.nameRule),
      ...(strategy.validate?.(obj, ctx) ?? []),
      ...(strategy.validateUpdate?.(obj, old, ctx) ?? []),
    ];
    if (type.custom) errors.push(...this.checkSchema(type, obj, opts));
    if (errors.length > 0) throw invalid(type.group, type.kind, meta.name!, errors);
    if (type.generation && !deepEqual(specOf(type, old), specOf(type, obj))) {
      meta.generation = (om.generation ?? 1) + 1;
    }
    const managedFields =
      managed === undefined
        ? updateManagedFields(old, obj, this.managerOptions(type, opts, 'Update', opts.subresource))
        : (managed ?? undefined);
    if (managedFields) meta.managedFields = managedFields;
    else delete meta.managedFields;

    const stored = normalize(obj);
    const oldPresented = this.present(type, old);
    if (deepEqual(stored, oldPresented)) return oldPresented;
    if (opts.dryRun) return stored;
    const key = keyOf(type);
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
      // The last finalizer is gone: the object goes now.
      this.store.remove(key, meta.namespace ?? '', meta.name!);
      this.lifecycle?.deleted(type, old);
      return stored;
    }
    stored.metadata.resourceVersion = this.store.nextResourceVersion();
    this.store.put(key, stored, 'MODIFIED');
    this.lifecycle?.updated(type, old, stored);
    return stored;
  }

  /** A controller's write of an object's status (e.g. a CRD becoming Established). */
  writeStatus(
    type: ResourceType,
    old: KubeObject,
    status: JsonObject,
    manager: string,
  ): KubeObject {
    const next = { ...clone(old), status };
    const opts: WriteOptions = { system: true, fieldManager: manager, subresource: 'status' };
    return this.updateObject(type, old, next, opts, undefined, true);
  }

  /** Create or replace as a controller or seeder would: server fields set, status kept. */
  systemWrite(type: ResourceType, obj: KubeObject, manager: string): KubeObject {
    if (!type.namespaced) delete obj.metadata.namespace;
    const ns = type.namespaced ? (obj.metadata.namespace ?? '') : '';
    const old = this.store.get(keyOf(type), ns, obj.metadata.name ?? '');
    const opts: WriteOptions = { system: true, fieldManager: manager };
    if (!old) return this.createObject(type, obj, opts);
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    return this.updateObject(type, old, obj, opts, undefined, true);
  }

  // ---- patch and apply -----------------------------------------------------------------

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    body: string,
    opts: WriteOptions & { force?: boolean },
  ): { object: KubeObject; created: boolean } {
    if (patchType === 'apply') return this.apply(type, namespace, name, body, opts);
    if (opts.force !== undefined) {
      throw invalid('meta.k8s.io', 'PatchOptions', '', [
        {
          type: 'FieldValueForbidden',
          field: 'force',
          detail: 'Forbidden: may not be specified for non-apply patch',
        },
      ]);
    }
    if (patchType === 'strategic' && type.custom) {
      throw unsupportedMediaType([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]);
    }
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(body) as JsonValue;
    } catch (error) {
      throw badRequest(`error decoding patch: ${(error as Error).message}`);
    }
    const current =
      opts.subresource === 'scale'
        ? this.getScale(type, namespace ?? '', name)
        : this.get(type, namespace ?? '', name);
    let patched: JsonValue;
    try {
      const base = current as unknown as JsonValue;
      if (patchType === 'json') patched = applyJsonPatch(base, parseJsonPatch(parsed));
      else if (patchType === 'merge') patched = applyMergePatch(base, parsed);
      else patched = applyStrategicMergePatch(base, parsed);
    } catch (error) {
      if (error instanceof PatchError) {
        if (error.code === 400) throw badRequest(error.message);
        throw new ApiError(
          422,
          'Invalid',
          'the server rejected our request due to an error in our request',
          {},
        );
      }
      throw error;
    }
    if (!isObject(patched)) throw badRequest('the patched object is not a JSON object');
    if (opts.subresource === 'scale') {
      return {
        object: this.writeScale(type, namespace ?? '', name, patched, opts, current),
        created: false,
      };
    }
    const next = patched as unknown as KubeObject;
    if (!isObject(next.metadata)) next.metadata = {};
    if (
      next.metadata.resourceVersion !== undefined &&
      next.metadata.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(gr(type), name, STALE_OBJECT);
    }
    if (next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    this.checkTypeMeta(type, next as unknown as JsonObject);
    this.checkMetadataMaps(type, next.metadata as JsonObject);
    const old = this.store.get(keyOf(type), type.namespaced ? (namespace ?? '') : '', name)!;
    // A JSON patch works on a full copy; merge patches share untouched parts with `old`.
    const owned = patchType === 'json';
    return { object: this.updateObject(type, old, next, opts, undefined, owned), created: false };
  }

  private apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: string,
    opts: WriteOptions & { force?: boolean },
  ): { object: KubeObject; created: boolean } {
    if (!opts.fieldManager) {
      throw invalid('meta.k8s.io', 'PatchOptions', '', [
        fieldRequired('fieldManager', 'is required for apply patch'),
      ]);
    }
    let parsed: unknown;
    try {
      // Clients mostly send JSON (valid YAML); parsing it as JSON is much cheaper.
      parsed = body.trimStart().startsWith('{') ? parseJsonOrYaml(body) : loadYaml(body);
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    if (!isObject(parsed))
      throw badRequest('error decoding YAML: the applied configuration is not an object');
    if (!parsed.kind) throw badRequest("Object 'Kind' is missing in the applied configuration");
    if (!parsed.apiVersion)
      throw badRequest("Object 'apiVersion' is missing in the applied configuration");
    this.checkTypeMeta(type, parsed);
    const config = parsed as unknown as KubeObject;
    if (!isObject(config.metadata)) config.metadata = {};
    if (config.metadata.managedFields !== undefined)
      throw badRequest('metadata.managedFields must be nil');
    this.checkMetadataMaps(type, config.metadata as JsonObject);
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(config.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    this.matchNamespace(type, namespace, config);
    const subresource = opts.subresource === 'status' ? 'status' : undefined;
    const managerOpts = {
      ...this.managerOptions(type, opts, 'Apply', subresource),
      force: opts.force === true,
    };
    const key = keyOf(type);
    const ns = type.namespaced ? (namespace ?? '') : '';
    const old = this.store.get(key, ns, name);
    if (!old) {
      if (subresource) throw notFound(gr(type), name);
      const result = applyConfiguration(undefined, config, managerOpts);
      const obj = result.object;
      obj.apiVersion = apiVersionOfType(type);
      obj.kind = type.kind;
      obj.metadata.name = name;
      if (type.namespaced) obj.metadata.namespace = ns;
      if (config.metadata.generateName) obj.metadata.generateName = config.metadata.generateName;
      return {
        object: this.createObject(type, obj, opts, result.managedFields ?? null),
        created: true,
      };
    }
    const rv = config.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(gr(type), name, STALE_OBJECT);
    const result = applyConfiguration(this.present(type, old), config, managerOpts);
    let next = result.object;
    if (managerOpts.manager === 'kubectl' && old.metadata.annotations?.[LAST_APPLIED]) {
      // Server-side apply by kubectl keeps an existing client-side annotation in step.
      next = {
        ...next,
        metadata: {
          ...next.metadata,
          annotations: { ...next.metadata.annotations, [LAST_APPLIED]: lastAppliedOf(config) },
        },
      };
    }
    if (subresource) {
      // Apply to /status changes only status.
      const merged: KubeObject = { ...clone(old), status: next.status };
      return {
        object: this.updateObject(type, old, merged, opts, result.managedFields ?? null),
        created: false,
      };
    }
    return {
      object: this.updateObject(type, old, next, opts, result.managedFields ?? null),
      created: false,
    };
  }

  // ---- scale subresource ---------------------------------------------------------------

  getScale(type: ResourceType, namespace: string, name: string): KubeObject {
    const obj = this.get(type, namespace, name);
    const scale = type.scale!;
    const read = (path: string | undefined): unknown => {
      if (!path) return undefined;
      let node: unknown = obj;
      for (const part of path.replace(/^\./, '').split('.'))
        node = isObject(node) ? node[part] : undefined;
      return node;
    };
    const status: JsonObject = { replicas: Number(read(scale.statusReplicasPath) ?? 0) };
    const selector = isObject(obj.spec) ? obj.spec.selector : undefined;
    if (!type.custom && isObject(selector) && isObject(selector.matchLabels)) {
      status.selector = Object.entries(selector.matchLabels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
    } else if (typeof read(scale.labelSelectorPath) === 'string') {
      status.selector = read(scale.labelSelectorPath) as string;
    }
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: Number(read(scale.specReplicasPath) ?? 0) },
      status,
    };
  }

  updateScale(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request is not a Scale object');
    const current = this.getScale(type, namespace, name);
    return this.writeScale(type, namespace, name, body, opts, current);
  }

  private writeScale(
    type: ResourceType,
    namespace: string,
    name: string,
    scale: JsonObject,
    opts: WriteOptions,
    current: KubeObject,
  ): KubeObject {
    const meta = isObject(scale.metadata) ? scale.metadata : {};
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(gr(type), name, STALE_OBJECT);
    }
    const replicas = isObject(scale.spec) ? scale.spec.replicas : undefined;
    if (typeof replicas !== 'number' || replicas < 0) {
      throw invalid('autoscaling', 'Scale', name, [
        fieldInvalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0'),
      ]);
    }
    const old = this.store.get(keyOf(type), type.namespaced ? namespace : '', name)!;
    const next = clone(this.present(type, old));
    const path = type.scale!.specReplicasPath.replace(/^\./, '').split('.');
    let node = next as unknown as JsonObject;
    for (const part of path.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as JsonObject;
    }
    node[path[path.length - 1]] = replicas;
    this.updateObject(type, old, next, { ...opts, subresource: 'scale' }, undefined, true);
    return this.getScale(type, namespace, name);
  }

  // ---- delete --------------------------------------------------------------------------

  /**
   * Deletes an object. `object` is set when the type's registry answers with the object
   * (custom resources, pods, namespaces, anything held by finalizers); otherwise the
   * client gets a Success Status naming `uid`.
   */
  delete(type: ResourceType, namespace: string, name: string, opts: DeleteOptions): DeleteResult {
    const result = this.deleteObject(type, namespace, name, opts);
    return { object: result.object, uid: result.uid };
  }

  private deleteObject(
    type: ResourceType,
    namespace: string,
    name: string,
    opts: DeleteOptions,
  ): DeleteResult {
    const key = keyOf(type);
    const ns = type.namespaced ? namespace : '';
    const old = this.store.get(key, ns, name);
    if (!old) throw notFound(gr(type), name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        gr(type),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        gr(type),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    const uid = old.metadata.uid!;
    const graceful = this.gracefulDelete?.(type, old, opts);
    if (graceful) return { object: this.present(type, graceful), uid };
    if (this.lifecycle?.handlesDelete(type))
      return { object: this.lifecycle.delete(type, old, opts), uid };
    const returnsObject =
      type.custom || type.resource === 'pods' || type.group === 'apiextensions.k8s.io';
    if (old.metadata.deletionTimestamp) return { object: this.present(type, old), uid };
    const policy = opts.propagationPolicy ?? 'Background';
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && this.store.dependentsOf(old.metadata.uid!).length > 0) {
      finalizers.push('foregroundDeletion');
    }
    if (opts.dryRun) return { object: returnsObject ? this.present(type, old) : undefined, uid };
    if (finalizers.length > 0 && (old.metadata.finalizers ?? []).length > 0) {
      // Finalizers hold the object: it only gets a deletionTimestamp.
      const marked = this.markDeleting(type, old, finalizers);
      return { object: this.present(type, marked), uid };
    }
    const deleted = this.remove(type, old, policy);
    if (finalizers.includes('foregroundDeletion')) {
      // What the client sees of a foreground deletion: the owner, marked and waiting.
      const object = this.present(type, {
        ...deleted,
        metadata: {
          ...deleted.metadata,
          deletionTimestamp: nowTimestamp(),
          deletionGracePeriodSeconds: 0,
          finalizers,
        },
      });
      return { object, uid };
    }
    if (type.resource === 'pods' && !type.group) {
      const object = {
        ...deleted,
        metadata: {
          ...deleted.metadata,
          deletionTimestamp: nowTimestamp(),
          deletionGracePeriodSeconds: 30,
        },
      };
      return { object, uid };
    }
    return { object: returnsObject ? this.present(type, deleted) : undefined, uid };
  }

  markDeleting(
    type: ResourceType,
    old: KubeObject,
    finalizers: string[],
    gracePeriodSeconds = 0,
  ): KubeObject {
    const marked = {
      ...old,
      metadata: {
        ...old.metadata,
        deletionTimestamp: nowTimestamp(),
        deletionGracePeriodSeconds: gracePeriodSeconds,
        finalizers,
        resourceVersion: this.store.nextResourceVersion(),
      },
    };
    const stored = normalize(marked);
    this.store.put(keyOf(type), stored, 'MODIFIED');
    return stored;
  }

  /** Removes an object now and lets its dependents follow per the propagation policy. */
  remove(
    type: ResourceType,
    obj: KubeObject,
    policy: 'Foreground' | 'Background' | 'Orphan',
  ): KubeObject {
    const uid = obj.metadata.uid!;
    if (policy === 'Orphan') this.orphanDependents(uid);
    if (policy === 'Foreground') this.collectDependents(uid, 'Foreground');
    this.store.remove(keyOf(type), obj.metadata.namespace ?? '', obj.metadata.name!);
    this.lifecycle?.deleted(type, obj);
    if (policy === 'Background') this.collectDependents(uid, 'Background');
    return obj;
  }

  /** The garbage collector: dependents whose owners are all gone go too. */
  private collectDependents(uid: string, policy: 'Foreground' | 'Background'): void {
    for (const at of this.store.dependentsOf(uid)) {
      const dependent = this.store.get(at.typeKey, at.namespace, at.name);
      const type = dependent && this.typeOfStored(at.typeKey, dependent);
      if (!dependent || !type) continue;
      const others = (dependent.metadata.ownerReferences ?? []).filter(
        ref => ref.uid !== uid && this.store.getByUid(ref.uid),
      );
      if (others.length > 0) {
        this.rewriteOwners(at.typeKey, dependent, others);
        continue;
      }
      if (this.store.get(at.typeKey, at.namespace, at.name)) this.remove(type, dependent, policy);
    }
  }

  private orphanDependents(uid: string): void {
    for (const at of this.store.dependentsOf(uid)) {
      const dependent = this.store.get(at.typeKey, at.namespace, at.name);
      if (!dependent) continue;
      const refs = (dependent.metadata.ownerReferences ?? []).filter(ref => ref.uid !== uid);
      this.rewriteOwners(at.typeKey, dependent, refs);
    }
  }

  private rewriteOwners(
    typeKey: string,
    obj: KubeObject,
    refs: KubeObject['metadata']['ownerReferences'],
  ): void {
    const metadata = { ...obj.metadata, resourceVersion: this.store.nextResourceVersion() };
    if (refs && refs.length > 0) metadata.ownerReferences = refs;
    else delete metadata.ownerReferences;
    this.store.put(typeKey, { ...obj, metadata }, 'MODIFIED');
  }

  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    query: ListQuery,
    opts: DeleteOptions,
  ): KubeObject[] {
    const { items } = this.list(type, namespace, {
      labelSelector: query.labelSelector,
      fieldSelector: query.fieldSelector,
    });
    const deleted: KubeObject[] = [];
    for (const item of items) {
      if (!this.store.get(keyOf(type), item.metadata.namespace ?? '', item.metadata.name!))
        continue;
      this.delete(type, item.metadata.namespace ?? '', item.metadata.name!, opts);
      deleted.push(item);
    }
    return deleted;
  }

  // ---- helpers -------------------------------------------------------------------------

  /** The served type a stored object belongs to (its own version, else any served one). */
  typeOfStored(typeKey: string, obj: KubeObject): ResourceType | undefined {
    const [group, version] = (obj.apiVersion ?? '').includes('/')
      ? (obj.apiVersion ?? '').split('/')
      : ['', obj.apiVersion ?? ''];
    const type = this.registry.lookupKind(group, version, obj.kind ?? '');
    if (type && keyOf(type) === typeKey) return type;
    return this.registry.all().find(t => keyOf(t) === typeKey);
  }

  /**
   * A custom resource against its schema: pruned, defaulted, validated. Unknown fields
   * are a strict decoding error (400) under fieldValidation=Strict, a warning under Warn.
   */
  private checkSchema(type: ResourceType, obj: KubeObject, opts: WriteOptions): FieldError[] {
    const { errors, unknown } = applySchema(obj, type.schema);
    if (unknown.length > 0 && opts.fieldValidation === 'Strict') {
      throw badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.map(p => `unknown field "${p}"`).join(', ')}`,
      );
    }
    if (unknown.length > 0 && opts.fieldValidation === 'Warn') {
      opts.warnings?.push(...unknown.map(p => `unknown field "${p}"`));
    }
    return errors;
  }

  strategyFor(type: ResourceType): Strategy {
    if (type.custom) return {};
    if (type.group === 'apiextensions.k8s.io') return crdStrategy;
    return STRATEGIES[keyOf(type)] ?? {};
  }

  managerOptions(
    type: ResourceType,
    opts: WriteOptions,
    operation: 'Apply' | 'Update',
    subresource?: string,
  ): ManagerOptions {
    return {
      manager:
        operation === 'Apply'
          ? opts.fieldManager!
          : (opts.fieldManager ?? managerFromUserAgent(opts.userAgent)),
      apiVersion: apiVersionOfType(type),
      subresource,
      ignoreStatus: type.status && subresource !== 'status',
      custom: type.custom,
      time: nowTimestamp(),
    };
  }

  /** Checks a request body's apiVersion/kind against the endpoint and copies it. */
  decode(type: ResourceType, body: unknown): KubeObject {
    if (!isObject(body)) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): couldn't get version/kind; json parse error: the body is not a JSON object`,
      );
    }
    if (!body.kind) {
      if (type.custom) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
      body.kind = type.kind;
    }
    if (!body.apiVersion) {
      if (type.custom)
        throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(body)}'`);
      body.apiVersion = apiVersionOfType(type);
    }
    this.checkTypeMeta(type, body);
    if (body.metadata === undefined || body.metadata === null) body.metadata = {};
    if (!isObject(body.metadata)) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): metadata must be an object`,
      );
    }
    this.checkMetadataMaps(type, body.metadata);
    return body as unknown as KubeObject;
  }

  /** Go decodes labels and annotations as map[string]string: other values fail decoding. */
  private checkMetadataMaps(type: ResourceType, metadata: JsonObject): void {
    for (const field of ['labels', 'annotations'] as const) {
      const map = metadata[field];
      if (map === undefined || map === null) continue;
      const bad = isObject(map) ? Object.values(map).find(v => typeof v !== 'string') : map;
      if (bad !== undefined) {
        const got = Array.isArray(bad) ? 'array' : bad === null ? 'null' : typeof bad;
        throw badRequest(
          `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${got} into Go struct field ObjectMeta.metadata.${field} of type ${isObject(map) ? 'string' : 'map[string]string'}`,
        );
      }
    }
  }

  private checkTypeMeta(type: ResourceType, body: JsonObject): void {
    const expected = apiVersionOfType(type);
    if (body.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (body.kind !== type.kind) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): no kind "${String(body.kind)}" is registered for version "${expected}"`,
      );
    }
  }

  /** EnsureObjectNamespaceMatchesRequestNamespace. */
  private matchNamespace(type: ResourceType, namespace: string | undefined, obj: KubeObject): void {
    const meta = obj.metadata;
    if (!type.namespaced) {
      delete meta.namespace;
      return;
    }
    if (!meta.namespace) meta.namespace = namespace;
    else if (namespace && meta.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }

  private requireNamespace(
    type: ResourceType,
    namespace: string,
    name: string,
    system: boolean,
  ): void {
    const ns = this.store.get('namespaces.', '', namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (!system && isObject(ns.status) && ns.status.phase === 'Terminating') {
      const error = forbidden(
        gr(type),
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
      error.details!.causes = [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ];
      throw error;
    }
  }

  private allocateIp(): string {
    for (;;) {
      const n = this.nextIp++;
      const ip = `10.96.${(n >> 8) & 255}.${n & 255}`;
      if ((n & 255) !== 0 && (n & 255) !== 255 && !this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }
}

function parseJsonOrYaml(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return loadYaml(body);
  }
}

// ---- continue tokens ---------------------------------------------------------------------

function encodeContinue(rv: string, last: KubeObject, allNamespaces: boolean): string {
  const start = allNamespaces
    ? `${last.metadata.namespace}/${last.metadata.name}`
    : String(last.metadata.name);
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: `${start}\u0000` }),
  ).toString('base64url');
}

export function decodeContinue(token: string): { namespace: string; name: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: string;
      start?: string;
    };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.start !== 'string') throw new Error('bad');
    const start = parsed.start.replace(/\u0000$/, '');
    const slash = start.indexOf('/');
    return slash < 0
      ? { namespace: '', name: start }
      : { namespace: start.slice(0, slash), name: start.slice(slash + 1) };
  } catch {
    throw badRequest(
      `continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
    );
  }
}
