import type { KubeObject } from '../snapshot/types';
import { deepEqual } from '../util/deep-equal';

type Json = Record<string, unknown>;

/** Fields the API server sets on every write; a difference in them is not a change. */
const SERVER_SET_METADATA = [
  'managedFields',
  'resourceVersion',
  'generation',
  'uid',
  'creationTimestamp',
  'selfLink',
];

/** The object without server-set fields and status: what a restore can be compared on. */
export function comparableForm(object: KubeObject): KubeObject {
  const copy = structuredClone(object) as KubeObject & Json;
  for (const field of SERVER_SET_METADATA) delete copy.metadata[field];
  delete copy.status;
  dropNullTimestamps(copy);
  return copy;
}

/**
 * Pod templates carry `creationTimestamp: null` depending on which client last wrote them;
 * it means nothing either way.
 */
function dropNullTimestamps(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNullTimestamps(item);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Json;
    if (record.creationTimestamp === null) delete record.creationTimestamp;
    for (const child of Object.values(record)) dropNullTimestamps(child);
  }
}

/** The field paths whose values differ, e.g. `spec.replicas`, `spec.template.spec.containers[0].image`. */
export function changedFields(before: unknown, after: unknown, path = ''): string[] {
  if (deepEqual(before, after)) return [];
  const isObject = (value: unknown): value is Json =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap(key =>
      changedFields(before[key], after[key], path ? `${path}.${key}` : key),
    );
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => changedFields(item, after[index], `${path}[${index}]`));
  }
  return [path || '.'];
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Secret values never reach a diff, as with `kubectl diff`: equal values read `***`,
 * differing ones `*** (before)` and `*** (after)`. A live Secret's last-applied annotation
 * holds its values too, so it is masked as well.
 */
export function redactSecrets(before: KubeObject, after: KubeObject): [KubeObject, KubeObject] {
  if (after.apiVersion !== 'v1' || after.kind !== 'Secret') return [before, after];
  const a = structuredClone(before) as KubeObject & Json;
  const b = structuredClone(after) as KubeObject & Json;
  for (const field of ['data', 'stringData']) {
    const left = (a[field] ?? {}) as Record<string, string>;
    const right = (b[field] ?? {}) as Record<string, string>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      const same = left[key] === right[key];
      if (key in left) left[key] = same ? '***' : '*** (before)';
      if (key in right) right[key] = same ? '***' : '*** (after)';
    }
  }
  for (const object of [a, b]) {
    if (object.metadata.annotations?.[LAST_APPLIED] !== undefined) {
      object.metadata.annotations[LAST_APPLIED] = '***';
    }
  }
  return [a, b];
}

/** Largest line-count product diffed line by line; bigger objects get the field list only. */
const MAX_DIFF_CELLS = 4_000_000;

/**
 * A unified diff of the two objects' YAML (keys sorted so only real changes show), with
 * three lines of context. Empty when they are equal.
 */
export async function unifiedDiff(
  before: KubeObject | undefined,
  after: KubeObject,
  labels: { before: string; after: string } = { before: 'live', after: 'restore' },
): Promise<string[]> {
  const { dump } = await import('js-yaml');
  // A JSON round trip leaves plain data only, which is all the YAML writer accepts.
  const toLines = (value: unknown) =>
    value === undefined
      ? []
      : dump(JSON.parse(JSON.stringify(value)), { sortKeys: true, noRefs: true, lineWidth: -1 })
          .trimEnd()
          .split('\n');
  const a = toLines(before);
  const b = toLines(after);
  if (a.length * b.length > MAX_DIFF_CELLS) return [];
  const edits = diffLines(a, b);
  if (edits.every(edit => edit.kind === ' ')) return [];
  return [`--- ${labels.before}`, `+++ ${labels.after}`, ...hunks(edits, 3)];
}

interface Edit {
  kind: ' ' | '-' | '+';
  line: string;
  /** 1-based line numbers in a and b (the next line's, for insertions and deletions). */
  aLine: number;
  bLine: number;
}

/** Longest-common-subsequence line diff. */
function diffLines(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i], aLine: i + 1, bLine: j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      edits.push({ kind: '-', line: a[i], aLine: i + 1, bLine: j + 1 });
      i++;
    } else {
      edits.push({ kind: '+', line: b[j], aLine: i + 1, bLine: j + 1 });
      j++;
    }
  }
  return edits;
}

function hunks(edits: Edit[], context: number): string[] {
  const lines: string[] = [];
  let index = 0;
  while (index < edits.length) {
    const firstChange = edits.findIndex((edit, at) => at >= index && edit.kind !== ' ');
    if (firstChange < 0) break;
    const start = Math.max(index, firstChange - context);
    let end = firstChange;
    // Extend the hunk while the next change is within two contexts of this one.
    for (let at = firstChange; at < edits.length; at++) {
      if (edits[at].kind !== ' ') end = at;
      else if (at - end > context * 2) break;
    }
    const stop = Math.min(edits.length, end + context + 1);
    const slice = edits.slice(start, stop);
    const aCount = slice.filter(edit => edit.kind !== '+').length;
    const bCount = slice.filter(edit => edit.kind !== '-').length;
    const aStart = aCount === 0 ? slice[0].aLine - 1 : slice[0].aLine;
    const bStart = bCount === 0 ? slice[0].bLine - 1 : slice[0].bLine;
    lines.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const edit of slice) lines.push(`${edit.kind}${edit.line}`);
    index = stop;
  }
  return lines;
}
