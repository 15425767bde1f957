import { labelKeyProblem } from '@kube-backup/backstage-plugin-kube-backup-common';
import { UserError } from '../errors';

export type Labels = Readonly<Record<string, string>> | undefined;

type Requirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

/** A parsed selector: every requirement must hold. An empty selector matches everything. */
export interface LabelSelector {
  requirements: Requirement[];
}

/**
 * Parses kubectl's selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, joined by commas.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements: Requirement[] = [];
  for (const term of splitTerms(text)) {
    const fail = (): never => {
      throw new UserError(
        'invalid-argument',
        `invalid label selector "${text}": cannot parse "${term}"`,
      );
    };
    let match: RegExpMatchArray | null;
    if ((match = term.match(/^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      requirements.push({
        key: checkKey(match[1], fail),
        op: match[2] as 'in' | 'notin',
        values: match[3].split(',').map(value => value.trim()),
      });
    } else if ((match = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      requirements.push({
        key: checkKey(match[1], fail),
        op: match[2] === '!=' ? 'notin' : 'in',
        values: [match[3]],
      });
    } else if ((match = term.match(/^!\s*(\S+)$/))) {
      requirements.push({ key: checkKey(match[1], fail), op: '!exists' });
    } else if ((match = term.match(/^(\S+)$/))) {
      requirements.push({ key: checkKey(match[1], fail), op: 'exists' });
    } else fail();
  }
  return { requirements };
}

function checkKey(key: string, fail: () => never): string {
  return labelKeyProblem(key) ? fail() : key;
}

/** Splits on commas that are not inside a `( … )` value list. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += char;
  }
  terms.push(current);
  return terms.map(term => term.trim()).filter(term => term.length > 0);
}

export function matchesLabels(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every(requirement => {
    const value = labels?.[requirement.key];
    switch (requirement.op) {
      case 'exists':
        return value !== undefined;
      case '!exists':
        return value === undefined;
      case 'in':
        return value !== undefined && requirement.values.includes(value);
      case 'notin':
        return value === undefined || !requirement.values.includes(value);
    }
  });
}

/** The API's structured selector (`matchLabels` / `matchExpressions`), as in PDBs and policies. */
export interface StructuredSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function fromStructuredSelector(selector: StructuredSelector): LabelSelector {
  const requirements: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(
    ([key, value]) => ({ key, op: 'in', values: [value] }),
  );
  for (const expression of selector.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[
      expression.operator as 'In'
    ];
    if (!op) continue;
    requirements.push(
      op === 'in' || op === 'notin'
        ? { key: expression.key, op, values: expression.values ?? [] }
        : { key: expression.key, op },
    );
  }
  return { requirements };
}

/** A Service-style selector: a plain map, where an empty map selects nothing. */
export function matchesEqualitySelector(selector: Labels, labels: Labels): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}
