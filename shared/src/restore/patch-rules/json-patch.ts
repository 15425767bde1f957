import type { JsonPatchOperation } from '../types';
import { deepEqual } from '../../util/deep-equal';

/** A JSON patch that does not apply to a document, with the operation's own words. */
export class JsonPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

type Container = Record<string, unknown> | unknown[];

/** RFC 6901: `/a/b~1c` is ['a', 'b/c']. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** Walks to the parent of the pointer's last token. */
function parentOf(doc: unknown, tokens: string[], pointer: string): Container {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    node = childOf(node, token, pointer);
  }
  if (!isContainer(node)) throw new JsonPatchError(`${pointer}: parent is not an object or array`);
  return node;
}

function childOf(node: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(node)) {
    const index = arrayIndex(token, node.length - 1, pointer);
    return node[index];
  }
  if (isContainer(node) && Object.prototype.hasOwnProperty.call(node, token)) {
    return (node as Record<string, unknown>)[token];
  }
  throw new JsonPatchError(`${pointer}: path not found`);
}

function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) > max) {
    throw new JsonPatchError(`${pointer}: index "${token}" is out of range`);
  }
  return Number(token);
}

function get(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const token of parsePointer(pointer)) node = childOf(node, token, pointer);
  return node;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, parent.length, pointer);
    parent.splice(index, 0, value);
  } else {
    parent[last] = value;
  }
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError('cannot remove the whole object');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(last, parent.length - 1, pointer), 1);
  } else {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) {
      throw new JsonPatchError(`${pointer}: path not found`);
    }
    delete parent[last];
  }
  return doc;
}

function replace(doc: unknown, pointer: string, value: unknown): unknown {
  get(doc, pointer);
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else parent[last] = value;
  return doc;
}

/**
 * Applies an RFC 6902 patch to a copy of the document. Operations apply in order and the
 * patch is all or nothing: the first that fails throws, naming its index.
 */
export function applyJsonPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  let doc: unknown = structuredClone(document);
  operations.forEach((operation, index) => {
    try {
      switch (operation.op) {
        case 'add':
          doc = add(doc, operation.path, structuredClone(operation.value));
          break;
        case 'remove':
          doc = remove(doc, operation.path);
          break;
        case 'replace':
          doc = replace(doc, operation.path, structuredClone(operation.value));
          break;
        case 'move': {
          if (operation.path.startsWith(`${operation.from}/`)) {
            throw new JsonPatchError(`cannot move ${operation.from} into itself`);
          }
          const value = get(doc, operation.from);
          doc = add(remove(doc, operation.from), operation.path, value);
          break;
        }
        case 'copy':
          doc = add(doc, operation.path, structuredClone(get(doc, operation.from)));
          break;
        case 'test':
          if (!deepEqual(get(doc, operation.path), operation.value)) {
            throw new JsonPatchError(`${operation.path}: test failed`);
          }
          break;
      }
    } catch (error) {
      if (error instanceof JsonPatchError) {
        throw new JsonPatchError(`jsonPatch[${index}] (${operation.op}): ${error.message}`);
      }
      throw error;
    }
  });
  return doc as T;
}
