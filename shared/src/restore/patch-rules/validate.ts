import type { JsonPatchOperation, PatchRule, PatchRuleMatch } from '../types';

type Json = Record<string, unknown>;

const RULE_KEYS = ['match', 'jsonPatch', 'mergePatch'];
const MATCH_KEYS = ['group', 'kind', 'namespace', 'name', 'labels'];
const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];
const OP_KEYS: Record<string, string[]> = {
  add: ['op', 'path', 'value'],
  replace: ['op', 'path', 'value'],
  test: ['op', 'path', 'value'],
  remove: ['op', 'path'],
  move: ['op', 'from', 'path'],
  copy: ['op', 'from', 'path'],
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: Json, allowed: string[]): string[] {
  return Object.keys(value).filter(key => !allowed.includes(key));
}

function quoteAll(keys: string[]): string {
  return keys.map(key => `"${key}"`).join(', ');
}

/**
 * Checks a parsed patch-rules document completely, so a restore can refuse a bad file
 * before writing anything. Errors read `rule 2: jsonPatch[0]: op "replace" needs a value`
 * (rules counted from 1, as a person reads the file; patch operations indexed from 0).
 */
export function validatePatchRules(document: unknown): { rules: PatchRule[]; errors: string[] } {
  const errors: string[] = [];
  if (document === undefined || document === null) return { rules: [], errors };
  if (!isObject(document)) {
    return { rules: [], errors: ['the file must be a mapping with a "rules" list'] };
  }
  const extra = unknownKeys(document, ['rules']);
  if (extra.length > 0) errors.push(`unknown key ${quoteAll(extra)} (expected "rules")`);
  if (!Array.isArray(document.rules)) {
    errors.push('"rules" must be a list');
    return { rules: [], errors };
  }
  const rules: PatchRule[] = [];
  document.rules.forEach((rule: unknown, index: number) => {
    const where = `rule ${index + 1}`;
    const before = errors.length;
    const fail = (message: string) => errors.push(`${where}: ${message}`);
    if (!isObject(rule)) {
      fail('must be a mapping with match and jsonPatch or mergePatch');
      return;
    }
    const unknown = unknownKeys(rule, RULE_KEYS);
    if (unknown.length > 0)
      fail(`unknown key ${quoteAll(unknown)} (expected match, jsonPatch, mergePatch)`);
    const match = validateMatch(rule.match, fail);
    if (rule.jsonPatch === undefined && rule.mergePatch === undefined) {
      fail('needs jsonPatch or mergePatch');
    }
    let jsonPatch: JsonPatchOperation[] | undefined;
    if (rule.jsonPatch !== undefined) {
      if (!Array.isArray(rule.jsonPatch)) fail('jsonPatch must be a list of operations');
      else {
        jsonPatch = rule.jsonPatch.flatMap((operation: unknown, opIndex: number) => {
          const checked = validateOperation(operation, message =>
            fail(`jsonPatch[${opIndex}]: ${message}`),
          );
          return checked ? [checked] : [];
        });
      }
    }
    if (rule.mergePatch !== undefined && !isObject(rule.mergePatch)) {
      fail('mergePatch must be a mapping');
    }
    if (errors.length === before && match) {
      const checked: PatchRule = { match };
      if (jsonPatch) checked.jsonPatch = jsonPatch;
      if (rule.mergePatch !== undefined) checked.mergePatch = rule.mergePatch as Json;
      rules.push(checked);
    }
  });
  return { rules, errors };
}

function validateMatch(
  match: unknown,
  fail: (message: string) => void,
): PatchRuleMatch | undefined {
  if (match === undefined) {
    fail('needs a match (use match: {} to patch every object)');
    return undefined;
  }
  if (!isObject(match)) {
    fail('match must be a mapping');
    return undefined;
  }
  let ok = true;
  const unknown = unknownKeys(match, MATCH_KEYS);
  if (unknown.length > 0) {
    fail(`match: unknown key ${quoteAll(unknown)} (expected ${MATCH_KEYS.join(', ')})`);
    ok = false;
  }
  for (const key of ['group', 'kind', 'namespace', 'name']) {
    if (match[key] !== undefined && typeof match[key] !== 'string') {
      fail(`match.${key} must be a string`);
      ok = false;
    }
  }
  if (match.labels !== undefined) {
    if (
      !isObject(match.labels) ||
      !Object.values(match.labels).every(value => typeof value === 'string')
    ) {
      fail('match.labels must map label keys to string values');
      ok = false;
    }
  }
  return ok ? (match as PatchRuleMatch) : undefined;
}

function validateOperation(
  operation: unknown,
  fail: (message: string) => void,
): JsonPatchOperation | undefined {
  if (!isObject(operation)) {
    fail('must be a mapping with op and path');
    return undefined;
  }
  const op = operation.op;
  if (typeof op !== 'string' || !OPS.includes(op)) {
    fail(
      op === undefined
        ? `needs an op (${OPS.join(', ')})`
        : `unknown op ${JSON.stringify(op)} (expected ${OPS.join(', ')})`,
    );
    return undefined;
  }
  let ok = true;
  const check = (condition: boolean, message: string) => {
    if (!condition) {
      fail(message);
      ok = false;
    }
  };
  const unknown = unknownKeys(operation, OP_KEYS[op]);
  check(unknown.length === 0, `op "${op}" does not take ${quoteAll(unknown)}`);
  check(operation.path !== undefined, `op "${op}" needs a path`);
  if (operation.path !== undefined) {
    check(
      typeof operation.path === 'string' && operation.path.startsWith('/'),
      `path ${JSON.stringify(operation.path)} must start with /`,
    );
  }
  if (op === 'add' || op === 'replace' || op === 'test') {
    check('value' in operation, `op "${op}" needs a value`);
  }
  if (op === 'move' || op === 'copy') {
    check(operation.from !== undefined, `op "${op}" needs a from`);
    if (operation.from !== undefined) {
      check(
        typeof operation.from === 'string' && operation.from.startsWith('/'),
        `from ${JSON.stringify(operation.from)} must start with /`,
      );
    }
  }
  return ok ? (operation as JsonPatchOperation) : undefined;
}
