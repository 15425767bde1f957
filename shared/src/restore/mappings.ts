import {
  labelKeyProblem,
  labelValueProblem,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { UserError } from '../errors';

/**
 * Parses `old:new` pairs (`prod:staging,qa:dev`, or already-split items). `what` names the
 * option in the error, e.g. `--namespace-mapping`.
 */
export function parseMapping(
  items: string | readonly string[],
  what: string,
): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const item of splitItems(items)) {
    const [from, to] = splitPair(item);
    if (!from || !to) {
      throw new UserError('invalid-argument', `${what}: "${item}" is not old:new`);
    }
    if (mapping[from] !== undefined && mapping[from] !== to) {
      throw new UserError('invalid-argument', `${what}: "${from}" is mapped twice`);
    }
    mapping[from] = to;
  }
  return mapping;
}

/**
 * Registries carry ports (`registry.local:5000`), so a number after a colon belongs to the
 * host before it: `a:5000:b` is `a:5000` → `b`.
 */
function splitPair(item: string): [string, string] | [] {
  const parts = item.split(':');
  const joined: string[] = [];
  for (const part of parts) {
    if (joined.length > 0 && /^\d+(\/.*)?$/.test(part)) joined[joined.length - 1] += `:${part}`;
    else joined.push(part);
  }
  if (joined.length !== 2) return [];
  return [joined[0].trim(), joined[1].trim()];
}

/** Parses `key=value` items into labels (or annotations). */
export function parseAssignments(
  items: string | readonly string[],
  what: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of splitItems(items)) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new UserError('invalid-argument', `${what}: "${item}" is not key=value`);
    const key = item.slice(0, equals).trim();
    const value = item.slice(equals + 1).trim();
    for (const [text, problem] of [
      [key, labelKeyProblem(key)],
      [value, labelValueProblem(value)],
    ]) {
      if (problem) throw new UserError('invalid-argument', `${what}: "${text}" is ${problem}`);
    }
    result[key] = value;
  }
  return result;
}

function splitItems(items: string | readonly string[]): string[] {
  return (typeof items === 'string' ? [items] : items)
    .flatMap(item => item.split(','))
    .map(item => item.trim())
    .filter(item => item.length > 0);
}
