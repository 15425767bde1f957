/**
 * Sets of field paths, as structured-merge-diff keeps them for managedFields (fieldsV1):
 * `f:name` for a struct or map field, `k:{"name":"web"}` for an item of a keyed list,
 * `v:"x"` for an item of a set, `i:0` for an atomic-list index. A node is a "member" when
 * the path itself is owned; fieldsV1 marks members that also have children with ".".
 *
 * Without OpenAPI schemas the shape of a value (struct, map, keyed list, atomic) comes from
 * patch-strategies.ts, which knows the built-in fields that matter.
 */
import { deepEqual, isObject, type JsonObject, type JsonValue } from './json';
import { isMapField, keyOf, mergeStrategy } from './patch-strategies';

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (!isObject(fields)) return set;
    for (const [key, value] of Object.entries(fields)) {
      if (key === '.') {
        set.member = true;
        continue;
      }
      const child = FieldSet.fromFieldsV1(value);
      if (!isObject(value) || Object.keys(value).length === 0) child.member = true;
      set.children.set(key, child);
    }
    return set;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    const keys = [...this.children.keys()].sort();
    if (this.member && keys.length > 0) out['.'] = {};
    for (const key of keys) out[key] = this.children.get(key)!.toFieldsV1();
    return out;
  }

  insert(path: string[]): void {
    let node = this as FieldSet;
    for (const element of path) {
      let next = node.children.get(element);
      if (!next) {
        next = new FieldSet();
        node.children.set(element, next);
      }
      node = next;
    }
    node.member = true;
  }

  has(path: string[]): boolean {
    return this.find(path)?.member ?? false;
  }

  private find(path: string[]): FieldSet | undefined {
    let node = this as FieldSet;
    for (const element of path) {
      const next = node.children.get(element);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  /** True when the path or anything below it is a member. */
  hasPrefix(path: string[]): boolean {
    return this.find(path) !== undefined;
  }

  empty(): boolean {
    return !this.member && this.children.size === 0;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || other.member;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      out.children.set(key, theirs ? child.union(theirs) : child.copy());
    }
    for (const [key, child] of other.children) {
      if (!this.children.has(key)) out.children.set(key, child.copy());
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      const diff = theirs ? child.difference(theirs) : child.copy();
      if (!diff.empty()) out.children.set(key, diff);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (!theirs) continue;
      const both = child.intersection(theirs);
      if (!both.empty()) out.children.set(key, both);
    }
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [key, child] of this.children) out.children.set(key, child.copy());
    return out;
  }

  /** Every member path, parents before children. */
  members(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    for (const [key, child] of this.children) out.push(...child.members([...prefix, key]));
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.member !== other.member || this.children.size !== other.children.size) return false;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (!theirs || !child.equals(theirs)) return false;
    }
    return true;
  }
}

/** `.spec.template.spec.containers[name="web"].image`, as conflict messages print paths. */
export function formatPath(path: string[]): string {
  return path
    .map(element => {
      const body = element.slice(2);
      switch (element[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, JsonValue>;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

// ---- shapes ---------------------------------------------------------------------------

type Shape =
  | { type: 'leaf' }
  | { type: 'struct' }
  | { type: 'map' }
  | { type: 'keyed'; keys: string[] }
  | { type: 'set' };

export interface ShapeOptions {
  /** Custom resources: outside metadata every object is a struct and every list atomic. */
  custom: boolean;
}

function isLabelSelector(value: JsonObject): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every(k => k === 'matchLabels' || k === 'matchExpressions');
}

function shapeOf(dotted: string, value: JsonValue | undefined, opts: ShapeOptions): Shape {
  if (Array.isArray(value)) {
    if (opts.custom && !dotted.startsWith('metadata.')) return { type: 'leaf' };
    const strategy = mergeStrategy(dotted);
    if (!strategy) return { type: 'leaf' };
    return strategy.primitive ? { type: 'set' } : { type: 'keyed', keys: strategy.keys };
  }
  if (isObject(value)) {
    if (Object.keys(value).length === 0) return { type: 'leaf' };
    if (dotted === 'metadata.labels' || dotted === 'metadata.annotations') return { type: 'map' };
    if (opts.custom && !dotted.startsWith('metadata')) return { type: 'struct' };
    // LabelSelector and IntOrString-like structs are atomic in the Go types.
    if (/(^|\.)([a-zA-Z]*Selector|selector)$/.test(dotted) && isLabelSelector(value)) {
      return { type: 'leaf' };
    }
    return isMapField(dotted) ? { type: 'map' } : { type: 'struct' };
  }
  return { type: 'leaf' };
}

function join(dotted: string, field: string): string {
  return dotted ? `${dotted}.${field}` : field;
}

/** Key values for a keyed-list item, with the server's default for `protocol`. */
function itemKey(item: JsonValue, keys: string[]): Record<string, JsonValue> | undefined {
  const key = keyOf(item, keys);
  if (!key) return undefined;
  if (keys.includes('protocol') && key.protocol === undefined) key.protocol = 'TCP';
  return key;
}

export function keyElement(item: JsonValue, keys: string[]): string | undefined {
  const key = itemKey(item, keys);
  if (!key) return undefined;
  const sorted = Object.keys(key)
    .sort()
    .map(k => `${JSON.stringify(k)}:${JSON.stringify(key[k])}`);
  return `k:{${sorted.join(',')}}`;
}

function valueElement(value: JsonValue): string {
  return `v:${JSON.stringify(value)}`;
}

// ---- ToFieldSet -----------------------------------------------------------------------

/** The fields an applied configuration specifies (structured-merge-diff ToFieldSet). */
export function toFieldSet(value: JsonObject, opts: ShapeOptions): FieldSet {
  const set = new FieldSet();
  walkStruct(value, [], '', set, opts);
  return set;
}

function walkStruct(
  value: JsonObject,
  path: string[],
  dotted: string,
  set: FieldSet,
  opts: ShapeOptions,
): void {
  for (const [key, child] of Object.entries(value)) {
    walkValue(child, [...path, `f:${key}`], join(dotted, key), set, opts);
  }
}

function walkValue(
  value: JsonValue,
  path: string[],
  dotted: string,
  set: FieldSet,
  opts: ShapeOptions,
): void {
  const shape = shapeOf(dotted, value, opts);
  switch (shape.type) {
    case 'leaf':
      set.insert(path);
      return;
    case 'struct':
      walkStruct(value as JsonObject, path, dotted, set, opts);
      return;
    case 'map':
      for (const [key, child] of Object.entries(value as JsonObject)) {
        const childPath = [...path, `f:${key}`];
        walkValue(child, childPath, join(dotted, key), set, opts);
        set.insert(childPath);
      }
      return;
    case 'set':
      for (const item of value as JsonValue[]) set.insert([...path, valueElement(item)]);
      return;
    case 'keyed':
      for (const item of value as JsonValue[]) {
        const element = keyElement(item, shape.keys);
        if (!element || !isObject(item)) {
          set.insert(path);
          continue;
        }
        const itemPath = [...path, element];
        set.insert(itemPath);
        walkStruct(item, itemPath, dotted, set, opts);
      }
  }
}

// ---- Compare --------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

/** Field-level difference between two versions of an object (structured-merge-diff Compare). */
export function compare(before: JsonObject, after: JsonObject, opts: ShapeOptions): Comparison {
  const c: Comparison = {
    added: new FieldSet(),
    removed: new FieldSet(),
    modified: new FieldSet(),
  };
  compareStruct(before, after, [], '', c, opts);
  return c;
}

function compareStruct(
  before: JsonObject | undefined,
  after: JsonObject | undefined,
  path: string[],
  dotted: string,
  c: Comparison,
  opts: ShapeOptions,
): void {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    compareValue(before?.[key], after?.[key], [...path, `f:${key}`], join(dotted, key), c, opts);
  }
}

function compareValue(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  path: string[],
  dotted: string,
  c: Comparison,
  opts: ShapeOptions,
): void {
  const beforeShape = before === undefined ? undefined : shapeOf(dotted, before, opts);
  const afterShape = after === undefined ? undefined : shapeOf(dotted, after, opts);
  const shape = afterShape ?? beforeShape!;
  if (beforeShape && afterShape && beforeShape.type !== afterShape.type) {
    // A value that changed shape (a map emptied, say) is one modified leaf.
    c.modified.insert(path);
    return;
  }
  switch (shape.type) {
    case 'leaf':
      if (before === undefined) c.added.insert(path);
      else if (after === undefined) c.removed.insert(path);
      else if (!deepEqual(before, after)) c.modified.insert(path);
      return;
    case 'struct':
      compareStruct(before as JsonObject, after as JsonObject, path, dotted, c, opts);
      return;
    case 'map': {
      const b = (before ?? {}) as JsonObject;
      const a = (after ?? {}) as JsonObject;
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
        const childPath = [...path, `f:${key}`];
        compareValue(b[key], a[key], childPath, join(dotted, key), c, opts);
        if (b[key] === undefined) c.added.insert(childPath);
        else if (a[key] === undefined) c.removed.insert(childPath);
      }
      if (before === undefined) c.added.insert(path);
      else if (after === undefined) c.removed.insert(path);
      return;
    }
    case 'set': {
      const b = (before ?? []) as JsonValue[];
      const a = (after ?? []) as JsonValue[];
      for (const item of a)
        if (!b.some(x => deepEqual(x, item))) c.added.insert([...path, valueElement(item)]);
      for (const item of b)
        if (!a.some(x => deepEqual(x, item))) c.removed.insert([...path, valueElement(item)]);
      return;
    }
    case 'keyed': {
      const index = (list: JsonValue[] | undefined): Map<string, JsonObject> => {
        const m = new Map<string, JsonObject>();
        for (const item of list ?? []) {
          const element = keyElement(item, shape.keys);
          if (element && isObject(item)) m.set(element, item);
        }
        return m;
      };
      const b = index(before as JsonValue[] | undefined);
      const a = index(after as JsonValue[] | undefined);
      for (const element of new Set([...b.keys(), ...a.keys()])) {
        const itemPath = [...path, element];
        compareStruct(b.get(element), a.get(element), itemPath, dotted, c, opts);
        if (!b.has(element)) c.added.insert(itemPath);
        else if (!a.has(element)) c.removed.insert(itemPath);
      }
    }
  }
}

// ---- merge and removal for apply -------------------------------------------------------

/** The live object with an applied configuration merged in (structured-merge-diff Merge). */
export function mergeApplied(
  live: JsonValue | undefined,
  config: JsonValue,
  dotted: string,
  opts: ShapeOptions,
): JsonValue {
  if (isObject(config) && Object.keys(config).length === 0) {
    // An empty object claims the field without replacing what is there.
    return isObject(live) ? live : {};
  }
  const shape = shapeOf(dotted, config, opts);
  if (shape.type === 'struct' || shape.type === 'map') {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [key, value] of Object.entries(config as JsonObject)) {
      if (value === null) {
        delete out[key];
        continue;
      }
      out[key] = mergeApplied(out[key], value, join(dotted, key), opts);
    }
    return out;
  }
  if (shape.type === 'set') {
    const out = Array.isArray(live) ? [...live] : [];
    for (const item of config as JsonValue[])
      if (!out.some(x => deepEqual(x, item))) out.push(item);
    return out;
  }
  if (shape.type === 'keyed') {
    const out = Array.isArray(live) ? [...live] : [];
    for (const item of config as JsonValue[]) {
      const element = keyElement(item, shape.keys);
      const at = element ? out.findIndex(x => keyElement(x, shape.keys) === element) : -1;
      if (at >= 0) out[at] = mergeApplied(out[at], item, dotted, { ...opts });
      else out.push(mergeApplied(undefined, item, dotted, opts));
    }
    return out;
  }
  return config;
}

/** Removes the value at a field path; returns false when it was not there. */
export function removePath(root: JsonObject, path: string[]): boolean {
  const parents: Array<{ container: JsonObject | JsonValue[]; key: string | number }> = [];
  let node: JsonValue = root;
  for (const element of path) {
    const body = element.slice(2);
    if (element.startsWith('f:')) {
      if (!isObject(node) || !(body in node)) return false;
      parents.push({ container: node, key: body });
      node = node[body];
    } else if (Array.isArray(node)) {
      const list: JsonValue[] = node;
      let index: number;
      if (element.startsWith('i:')) index = Number(body);
      else if (element.startsWith('v:'))
        index = list.findIndex(x => deepEqual(x, JSON.parse(body)));
      else {
        const key = JSON.parse(body) as Record<string, JsonValue>;
        index = list.findIndex(x => {
          if (!isObject(x)) return false;
          return Object.entries(key).every(([k, v]) =>
            deepEqual(x[k] ?? (k === 'protocol' ? 'TCP' : undefined), v),
          );
        });
      }
      if (index < 0 || index >= list.length) return false;
      parents.push({ container: list, key: index });
      node = list[index];
    } else {
      return false;
    }
  }
  const last = parents.pop();
  if (!last) return false;
  if (Array.isArray(last.container)) last.container.splice(last.key as number, 1);
  else delete last.container[last.key as string];
  // Emptied maps disappear, as omitempty fields do in the Go types.
  for (let i = parents.length - 1; i >= 0; i--) {
    const { container, key } = parents[i];
    const value = Array.isArray(container) ? container[key as number] : container[key as string];
    if (!isObject(value) || Object.keys(value).length > 0 || Array.isArray(container)) break;
    delete container[key as string];
  }
  return true;
}
