/**
 * metadata.managedFields: which manager owns which fields, updated on every write the way
 * the API server's field manager does it — plain writes (operation Update) take ownership
 * of what they changed, server-side apply (operation Apply) owns exactly what it applied,
 * drops what it no longer applies and conflicts with other owners.
 */
import { ApiError } from './status';
import {
  compare,
  FieldSet,
  formatPath,
  mergeApplied,
  removePath,
  toFieldSet,
  type ShapeOptions,
} from './field-set';
import { clone, isObject, type JsonObject, type KubeObject, type ManagedFieldsEntry } from './json';

export interface ManagerOptions extends ShapeOptions {
  manager: string;
  apiVersion: string;
  /** `status` or `scale` for writes through a subresource. */
  subresource?: string;
  /** Main-resource writes of types with a status subresource leave status to /status. */
  ignoreStatus: boolean;
  time: string;
}

interface Managed {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

function identity(entry: ManagedFieldsEntry): string {
  return JSON.stringify([
    entry.manager ?? '',
    entry.operation ?? '',
    entry.operation === 'Apply' ? '' : (entry.apiVersion ?? ''),
    entry.subresource ?? '',
  ]);
}

function describe(entry: ManagedFieldsEntry): string {
  let text = JSON.stringify(entry.manager ?? '');
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') text += ` using ${entry.apiVersion}`;
  return text;
}

/** `'reset'` for the documented `[{}]` that clears managedFields. */
function decode(entries: unknown): Managed[] | 'reset' | undefined {
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  if (entries.every(e => isObject(e) && Object.keys(e).length === 0)) return 'reset';
  const out: Managed[] = [];
  for (const raw of entries) {
    if (!isObject(raw)) return undefined;
    const entry = raw as unknown as ManagedFieldsEntry;
    out.push({
      entry: { ...entry, fieldsV1: undefined },
      set: FieldSet.fromFieldsV1(entry.fieldsV1),
    });
  }
  return out;
}

function encode(managed: Managed[]): ManagedFieldsEntry[] | undefined {
  const live = managed.filter(m => !m.set.empty());
  if (live.length === 0) return undefined;
  const seconds = (t?: string): number => (t ? Date.parse(t) / 1000 : 0);
  live.sort((a, b) => {
    const p = a.entry;
    const q = b.entry;
    if (p.operation !== q.operation) return (p.operation ?? '') < (q.operation ?? '') ? -1 : 1;
    if (seconds(p.time) !== seconds(q.time)) return seconds(p.time) - seconds(q.time);
    if (p.manager !== q.manager) return (p.manager ?? '') < (q.manager ?? '') ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return (p.apiVersion ?? '') < (q.apiVersion ?? '') ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : 1;
  });
  return live.map(({ entry, set }) => {
    const out: ManagedFieldsEntry = {
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      time: entry.time,
      fieldsType: 'FieldsV1',
      fieldsV1: set.toFieldsV1(),
    };
    if (entry.subresource) out.subresource = entry.subresource;
    return out;
  });
}

const IDENTITY_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'managedFields',
];

/** The part of an object whose fields have owners. */
function managedView(obj: KubeObject | undefined, opts: ManagerOptions): JsonObject {
  if (!obj) return {};
  const view: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (opts.subresource === 'status' && key !== 'status') continue;
    if (opts.ignoreStatus && key === 'status') continue;
    if (key === 'metadata' && isObject(value)) {
      const meta: JsonObject = {};
      for (const [k, v] of Object.entries(value)) if (!IDENTITY_METADATA.includes(k)) meta[k] = v;
      if (Object.keys(meta).length > 0) view.metadata = meta;
      continue;
    }
    view[key] = value as JsonObject;
  }
  return view;
}

function entryFor(opts: ManagerOptions, operation: 'Apply' | 'Update'): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation,
    apiVersion: opts.apiVersion,
    time: opts.time,
  };
  if (opts.subresource) entry.subresource = opts.subresource;
  return entry;
}

/**
 * managedFields after a create, update or patch. Ownership starts from what the request
 * carried (a client may rewrite managedFields on purpose) or else from the live object.
 */
export function updateManagedFields(
  live: KubeObject | undefined,
  next: KubeObject,
  opts: ManagerOptions,
): ManagedFieldsEntry[] | undefined {
  const requested = decode(next.metadata.managedFields);
  if (requested === 'reset') return undefined;
  const managed =
    (opts.subresource ? undefined : requested) ??
    (decode(live?.metadata.managedFields) as Managed[] | undefined) ??
    [];
  const cmp = compare(managedView(live, opts), managedView(next, opts), opts);
  const changed = cmp.added.union(cmp.modified);
  const mine = entryFor(opts, 'Update');
  const id = identity(mine);
  let own: Managed | undefined;
  for (const m of managed) {
    if (identity(m.entry) === id) {
      own = m;
      continue;
    }
    m.set = m.set.difference(changed).difference(cmp.removed);
  }
  const before = own?.set;
  const set = (before ?? new FieldSet()).difference(cmp.removed).union(changed);
  if (own) {
    own.set = set;
    if (!before!.equals(set)) own.entry = { ...own.entry, time: opts.time };
  } else {
    managed.push({ entry: mine, set });
  }
  return encode(managed);
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[] | undefined;
}

/**
 * Server-side apply of `config` onto `live` (undefined when creating). Throws the 409
 * Conflict the API server returns when another manager owns a field being changed.
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  config: KubeObject,
  opts: ManagerOptions & { force: boolean },
): ApplyResult {
  const managed = (decode(live?.metadata.managedFields) as Managed[] | undefined) ?? [];
  const configView = managedView(config, opts);
  const base = live ?? ({ metadata: {} } as KubeObject);
  // mergeApplied copies what it changes and shares the rest with the live object.
  let merged = mergeApplied(base as unknown as JsonObject, configView, '', opts) as JsonObject;

  const mine = entryFor(opts, 'Apply');
  const id = identity(mine);
  const ownIndex = managed.findIndex(m => identity(m.entry) === id);
  const lastSet = ownIndex >= 0 ? managed[ownIndex].set : undefined;
  const newSet = toFieldSet(configView, opts);
  const others = managed.filter((_, i) => i !== ownIndex);

  if (lastSet) {
    // Fields this manager applied before and applies no more go away, unless someone
    // else also owns them (or something beneath them).
    const dropped = lastSet
      .difference(newSet)
      .members()
      .reverse()
      .filter(path => !newSet.hasPrefix(path) && !others.some(m => m.set.hasPrefix(path)));
    if (dropped.length > 0) {
      // Removal edits in place, so it works on a private copy.
      merged = clone(merged);
      for (const path of dropped) removePath(merged, path);
    }
  }

  const cmp = compare(
    managedView(live, opts),
    managedView(merged as unknown as KubeObject, opts),
    opts,
  );
  const changed = cmp.added.union(cmp.modified);
  const conflicts: Array<{ entry: ManagedFieldsEntry; path: string[] }> = [];
  for (const m of others) {
    for (const path of m.set.intersection(changed).members())
      conflicts.push({ entry: m.entry, path });
  }
  if (conflicts.length > 0 && !opts.force && !upgradingFromClientSideApply(live, conflicts, opts)) {
    throw conflictError(conflicts);
  }
  for (const m of others) m.set = m.set.difference(changed).difference(cmp.removed);

  const objectChanged = !cmp.added.empty() || !cmp.modified.empty() || !cmp.removed.empty();
  const entry: ManagedFieldsEntry =
    ownIndex >= 0 && !objectChanged && lastSet!.equals(newSet)
      ? { ...managed[ownIndex].entry, apiVersion: opts.apiVersion }
      : mine;
  const result = [...others, { entry, set: newSet }];
  return { object: merged as unknown as KubeObject, managedFields: encode(result) };
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * `kubectl apply --server-side` (manager "kubectl") on an object that client-side apply
 * manages: conflicts on fields the last-applied configuration set, and that nobody has
 * changed since, are taken over instead of reported — the API server's upgrade path.
 */
function upgradingFromClientSideApply(
  live: KubeObject | undefined,
  conflicts: Array<{ path: string[] }>,
  opts: ManagerOptions,
): boolean {
  const annotation = live?.metadata.annotations?.[LAST_APPLIED];
  if (opts.manager !== 'kubectl' || !live || !annotation) return false;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(annotation);
  } catch {
    return false;
  }
  if (!isObject(lastApplied)) return false;
  const lastView = managedView(lastApplied as unknown as KubeObject, opts);
  const changedSince = compare(lastView, managedView(live, opts), opts).modified;
  const allowed = toFieldSet(lastView, opts).difference(changedSince);
  return conflicts.every(c => allowed.has(c.path));
}

/** What kubectl's server-side apply leaves in an existing last-applied annotation. */
export function lastAppliedOf(config: KubeObject): string {
  const copy = clone(config);
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return `${sortedJson(copy)}\n`;
}

/** JSON with object keys sorted, as Go encodes maps. */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${sortedJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function conflictError(conflicts: Array<{ entry: ManagedFieldsEntry; path: string[] }>): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describe(conflicts[0].entry)}: ${formatPath(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, { entry: ManagedFieldsEntry; paths: string[] }>();
    for (const c of conflicts) {
      const key = identity(c.entry);
      const group = byManager.get(key) ?? { entry: c.entry, paths: [] };
      group.paths.push(formatPath(c.path));
      byManager.set(key, group);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      const group = byManager.get(key)!;
      lines.push(`conflicts with ${describe(group.entry)}:`);
      for (const path of group.paths) lines.push(`- ${path}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map(c => ({
      type: 'FieldManagerConflict',
      message: `conflict with ${describe(c.entry)}`,
      field: formatPath(c.path),
    })),
  });
}
