/**
 * Label selectors (k8s.io/apimachinery/pkg/labels syntax) and field selectors, parsed once
 * per request into predicates.
 */
import { badRequest } from './status';
import { isObject, type KubeObject } from './json';

type Op = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type Predicate = (obj: KubeObject) => boolean;

const KEY_CHARS = /[A-Za-z0-9._\-/]/;

/** Parses `a=b,c!=d,e in (x,y),!f,g` into requirements; throws a 400 on bad syntax. */
export function parseLabelSelector(text: string): Requirement[] {
  const requirements: Requirement[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && text[i] === ' ') i++;
  };
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`);
  };
  const readWord = (): string => {
    skipSpace();
    const start = i;
    while (i < text.length && KEY_CHARS.test(text[i])) i++;
    return text.slice(start, i);
  };
  skipSpace();
  if (i === text.length) return requirements;
  for (;;) {
    skipSpace();
    let negate = false;
    if (text[i] === '!') {
      negate = true;
      i++;
    }
    const key = readWord();
    if (!key) fail(`found '${text[i] ?? 'EOS'}', expected: identifier`);
    validateKey(key);
    skipSpace();
    if (negate) {
      requirements.push({ key, op: '!exists', values: [] });
    } else if (i >= text.length || text[i] === ',') {
      requirements.push({ key, op: 'exists', values: [] });
    } else if (text.startsWith('==', i) || text.startsWith('!=', i) || text[i] === '=') {
      const op: Op = text[i] === '!' ? '!=' : '=';
      i += text.startsWith('==', i) || text.startsWith('!=', i) ? 2 : 1;
      const value = readWord();
      validateValue(value);
      requirements.push({ key, op, values: [value] });
    } else if (text[i] === '>' || text[i] === '<') {
      const op: Op = text[i] === '>' ? 'gt' : 'lt';
      i++;
      const value = readWord();
      if (!/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      requirements.push({ key, op, values: [value] });
    } else {
      const word = readWord();
      if (word !== 'in' && word !== 'notin') {
        fail(`found '${word || text[i]}', expected: in, notin, =, ==, !=, gt, lt`);
      }
      skipSpace();
      if (text[i] !== '(') fail(`found '${text[i] ?? 'EOS'}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        const value = readWord();
        validateValue(value);
        values.push(value);
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        fail(`found '${text[i] ?? 'EOS'}', expected: ',', ')' or identifier`);
      }
      requirements.push({ key, op: word as Op, values });
    }
    skipSpace();
    if (i >= text.length) break;
    if (text[i] !== ',') fail(`found '${text[i]}', expected: ',' or 'end of string'`);
    i++;
  }
  return requirements;
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateKey(key: string): void {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  if (!NAME_PART.test(name) || name.length > 63 || (slash >= 0 && !PREFIX.test(prefix))) {
    throw badRequest(
      `unable to parse requirement: key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function validateValue(value: string): void {
  if (value !== '' && (!NAME_PART.test(value) || value.length > 63)) {
    throw badRequest(
      `unable to parse requirement: values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

export function matchesRequirements(
  labels: Record<string, string> | undefined,
  requirements: Requirement[],
): boolean {
  for (const { key, op, values } of requirements) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key);
    const value = has ? labels![key] : undefined;
    switch (op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case '=':
      case 'in':
        if (!has || !values.includes(value!)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && values.includes(value!)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value!)) return false;
        const n = Number(value);
        if (op === 'gt' ? !(n > Number(values[0])) : !(n < Number(values[0]))) return false;
      }
    }
  }
  return true;
}

export function labelPredicate(text: string): Predicate | undefined {
  const requirements = parseLabelSelector(text);
  if (requirements.length === 0) return undefined;
  return obj => matchesRequirements(obj.metadata.labels, requirements);
}

/** Extra field selectors a built-in type supports besides metadata.name/namespace. */
const TYPE_FIELDS: Record<string, string[]> = {
  'pods.': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  'events.': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'secrets.': ['type'],
  'namespaces.': ['status.phase'],
  'nodes.': ['spec.unschedulable'],
  'jobs.batch': ['status.successful'],
  'replicasets.apps': ['status.replicas'],
  'replicationcontrollers.': ['status.replicas'],
};

function fieldValue(obj: KubeObject, field: string): string {
  let node: unknown = obj;
  for (const part of field.split('.')) {
    if (!isObject(node)) return '';
    node = node[part];
  }
  if (node === undefined || node === null)
    return field === 'spec.unschedulable' || field === 'spec.hostNetwork' ? 'false' : '';
  return String(node);
}

/** `metadata.name=x,status.phase!=Running`; unknown fields are a 400 as on a real server. */
export function fieldPredicate(text: string, typeKey: string): Predicate | undefined {
  const terms = text
    .split(',')
    .map(t => t.trim())
    .filter(Boolean);
  if (terms.length === 0) return undefined;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(TYPE_FIELDS[typeKey] ?? [])]);
  const checks = terms.map(term => {
    const match = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, field, op, value] = match;
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    const negate = op === '!=';
    return (obj: KubeObject) => (fieldValue(obj, field) === value) !== negate;
  });
  return obj => checks.every(check => check(obj));
}

/** The metadata.name a field selector pins down, so a list can skip straight to it. */
export function selectedName(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const match = /^\s*metadata\.name\s*==?\s*([^,\s]+)\s*$/.exec(text);
  return match?.[1];
}
