/**
 * The three client patch formats: RFC 6902 JSON patch, RFC 7386 merge patch, and
 * Kubernetes strategic merge patch. None of them mutates its input.
 */
import { clone, deepEqual, isObject, type JsonObject, type JsonValue } from './json';
import { mergeStrategy } from './patch-strategies';

export class PatchError extends Error {
  /** 400 for a malformed patch document, 422 when a well-formed patch cannot apply. */
  constructor(
    message: string,
    readonly code: 400 | 422,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

// ---- RFC 6902 -------------------------------------------------------------------------

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`, 422);
  return pointer
    .slice(1)
    .split('/')
    .map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function containerAt(doc: JsonValue, tokens: string[], op: string, pointer: string): JsonValue {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const index = Number(token);
      if (!/^\d+$/.test(token) || index >= node.length) {
        throw new PatchError(
          `${op} operation does not apply: doc is missing path: "${pointer}"`,
          422,
        );
      }
      node = node[index];
    } else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) {
      node = node[token];
    } else {
      throw new PatchError(
        `${op} operation does not apply: doc is missing path: "${pointer}"`,
        422,
      );
    }
  }
  return node;
}

function getAt(doc: JsonValue, pointer: string, op: string): JsonValue {
  return containerAt(doc, parsePointer(pointer), op, pointer);
}

function removeAt(doc: JsonValue, pointer: string, op: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError(`${op} operation cannot remove the root`, 422);
  const parent = containerAt(doc, tokens.slice(0, -1), op, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!/^\d+$/.test(last) || index >= parent.length) {
      throw new PatchError(
        `${op} operation does not apply: doc is missing path: "${pointer}"`,
        422,
      );
    }
    return parent.splice(index, 1)[0];
  }
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return value;
  }
  throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}"`, 422);
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue, replace: boolean): JsonValue {
  const op = replace ? 'replace' : 'add';
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = containerAt(doc, tokens.slice(0, -1), op, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (last === '-' && !replace) {
      parent.push(value);
      return doc;
    }
    const index = Number(last);
    const max = replace ? parent.length - 1 : parent.length;
    if (!/^\d+$/.test(last) || index > max) {
      throw new PatchError(
        `${op} operation does not apply: doc is missing path: "${pointer}"`,
        422,
      );
    }
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
    return doc;
  }
  if (!isObject(parent)) {
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}"`, 422);
  }
  if (replace && !Object.prototype.hasOwnProperty.call(parent, last)) {
    throw new PatchError(`replace operation does not apply: doc is missing key: ${pointer}`, 422);
  }
  parent[last] = value;
  return doc;
}

export function parseJsonPatch(body: unknown): JsonPatchOp[] {
  if (!Array.isArray(body)) {
    throw new PatchError(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      400,
    );
  }
  return body.map(op => {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new PatchError('invalid JSON patch operation', 400);
    }
    return op as unknown as JsonPatchOp;
  });
}

export function applyJsonPatch(target: JsonValue, ops: JsonPatchOp[]): JsonValue {
  let doc = clone(target);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, clone(op.value ?? null), false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, clone(op.value ?? null), true);
        break;
      case 'remove':
        removeAt(doc, op.path, 'remove');
        break;
      case 'move': {
        const value = removeAt(doc, op.from ?? '', 'move');
        doc = addAt(doc, op.path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, clone(getAt(doc, op.from ?? '', 'copy')), false);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, op.path, 'test'), op.value ?? null)) {
          throw new PatchError(`testing value ${op.path} failed: test failed`, 422);
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`, 400);
    }
  }
  return doc;
}

// ---- RFC 7386 -------------------------------------------------------------------------

export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}

// ---- strategic merge patch ------------------------------------------------------------

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';

/**
 * Strategic merge patch of `target` by `patch`. `path` names the field being merged (e.g.
 * `spec.template.spec.containers`); list merge keys come from patch-strategies.ts, which
 * mirrors the patchStrategy/patchMergeKey tags of the built-in Go types.
 */
export function applyStrategicMergePatch(
  target: JsonValue,
  patch: JsonValue,
  path = '',
): JsonValue {
  if (!isObject(patch)) throw new PatchError('invalid JSON document', 400);
  return mergeMap(isObject(target) ? target : {}, patch, path);
}

function mergeMap(target: JsonObject, patch: JsonObject, path: string): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const replaced: JsonObject = {};
    for (const [key, value] of Object.entries(patch)) {
      if (key !== DIRECTIVE) replaced[key] = clone(value);
    }
    return replaced;
  }
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge') {
    throw new PatchError(`Unknown patch type: ${String(directive)}`, 400);
  }

  let result: JsonObject = { ...target };
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain))
      throw new PatchError('invalid patch: $retainKeys must be a list', 400);
    const keep = new Set(retain.map(String));
    for (const key of Object.keys(patch)) {
      if (!key.startsWith('$') && patch[key] !== null && !keep.has(key)) {
        throw new PatchError(
          'The $retainKeys directive must contain every field in the patch that is not null',
          422,
        );
      }
    }
    result = Object.fromEntries(Object.entries(result).filter(([key]) => keep.has(key)));
  }

  const orders = new Map<string, JsonValue[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(SET_ORDER)) {
      if (!Array.isArray(value)) throw new PatchError('invalid $setElementOrder list', 400);
      orders.set(key.slice(SET_ORDER.length), value);
    }
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(value)) throw new PatchError('invalid $deleteFromPrimitiveList', 400);
      const current = result[field];
      if (Array.isArray(current)) {
        result[field] = current.filter(item => !value.some(v => deepEqual(v, item)));
      }
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, childPath);
    } else if (isObject(value)) {
      const current = result[key];
      result[key] = mergeMap(isObject(current) ? current : {}, value, childPath);
    } else {
      result[key] = value;
    }
  }

  for (const [field, order] of orders) {
    const list = result[field];
    if (Array.isArray(list))
      result[field] = applyOrder(list, order, `${path ? `${path}.` : ''}${field}`);
  }
  return result;
}

function mergeList(current: JsonValue | undefined, patch: JsonValue[], path: string): JsonValue[] {
  const existing = Array.isArray(current) ? current : [];
  if (
    patch.some(
      item => isObject(item) && item[DIRECTIVE] === 'replace' && Object.keys(item).length === 1,
    )
  ) {
    return clone(patch.filter(item => !(isObject(item) && item[DIRECTIVE] === 'replace')));
  }
  const strategy = mergeStrategy(path, patch, existing);
  if (!strategy) return clone(patch);
  if (strategy.primitive) {
    const merged = [...existing];
    for (const item of patch) if (!merged.some(m => deepEqual(m, item))) merged.push(clone(item));
    return merged;
  }
  const keys = strategy.keys;
  const result = [...existing];
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`invalid list item in ${path}`, 400);
    const index = result.findIndex(candidate => sameKey(candidate, item, keys));
    if (item[DIRECTIVE] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const before = result[index];
      result[index] = mergeMap(isObject(before) ? before : {}, item, path);
    } else {
      result.push(mergeMap({}, item, path));
    }
  }
  return result;
}

function sameKey(candidate: JsonValue, item: JsonObject, keys: string[]): boolean {
  if (!isObject(candidate)) return false;
  // Items match on the first merge key; secondary keys (protocol) only disambiguate when
  // the patch states them, as the Go implementation does.
  return keys.every((key, i) => {
    if (i > 0 && item[key] === undefined) return true;
    return deepEqual(candidate[key], item[key] ?? null);
  });
}

/** $setElementOrder: listed items first in the given order, then the rest as they were. */
function applyOrder(list: JsonValue[], order: JsonValue[], path: string): JsonValue[] {
  const strategy = mergeStrategy(path, order, list);
  const position = (item: JsonValue): number =>
    order.findIndex(o =>
      strategy && !strategy.primitive && isObject(o)
        ? sameKey(item, o, strategy.keys.slice(0, 1))
        : deepEqual(o, item),
    );
  const indexed = list.map((item, i) => ({ item, i, p: position(item) }));
  const listed = indexed.filter(e => e.p >= 0).sort((a, b) => a.p - b.p);
  const rest = indexed.filter(e => e.p < 0);
  return [...listed, ...rest].map(e => e.item);
}
