import { UserError } from '../../errors';
import { applyJsonPatch } from './json-patch';
import { applyMergePatch } from './merge-patch';
import { parsePatchRules } from './parse';
import { validatePatchRules } from './validate';

describe('validatePatchRules', () => {
  it('accepts a well-formed file', () => {
    const { rules, errors } = validatePatchRules({
      rules: [
        {
          match: {
            group: 'apps',
            kind: 'Deployment',
            namespace: 'shop*',
            name: 'w?b',
            labels: { a: 'b' },
          },
          jsonPatch: [
            { op: 'add', path: '/metadata/annotations/x', value: 'y' },
            { op: 'remove', path: '/spec/paused' },
            { op: 'move', from: '/a', path: '/b' },
            { op: 'test', path: '/kind', value: 'Deployment' },
          ],
        },
        { match: {}, mergePatch: { spec: { paused: null } } },
      ],
    });
    expect(errors).toEqual([]);
    expect(rules).toHaveLength(2);
  });

  it('reports every problem with where it is', () => {
    const { errors } = validatePatchRules({
      rules: [
        { match: { kind: 'Deployment' }, jsonPatch: [{ op: 'add', path: '/x', value: 1 }] },
        {
          match: { kind: 'Service', nmae: 'x' },
          jsonPatch: [
            { op: 'replace', path: '/spec/type' },
            { op: 'frobnicate', path: '/x' },
            { op: 'add', path: 'spec/x', value: 1 },
            { op: 'copy', path: '/x' },
            { op: 'remove', path: '/x', value: 3 },
          ],
        },
        { match: { kind: 'Pod' } },
        { mergePatch: [], extra: true },
      ],
      other: 1,
    });
    expect(errors).toEqual([
      'unknown key "other" (expected "rules")',
      'rule 2: match: unknown key "nmae" (expected group, kind, namespace, name, labels)',
      'rule 2: jsonPatch[0]: op "replace" needs a value',
      'rule 2: jsonPatch[1]: unknown op "frobnicate" (expected add, remove, replace, move, copy, test)',
      'rule 2: jsonPatch[2]: path "spec/x" must start with /',
      'rule 2: jsonPatch[3]: op "copy" needs a from',
      'rule 2: jsonPatch[4]: op "remove" does not take "value"',
      'rule 3: needs jsonPatch or mergePatch',
      'rule 4: unknown key "extra" (expected match, jsonPatch, mergePatch)',
      'rule 4: needs a match (use match: {} to patch every object)',
      'rule 4: mergePatch must be a mapping',
    ]);
  });

  it('parses YAML and refuses a bad file as one UserError', async () => {
    await expect(
      parsePatchRules(
        'rules:\n  - match: {kind: Deployment}\n    jsonPatch:\n      - {op: replace, path: /spec/replicas}\n',
        'rules.yaml',
      ),
    ).rejects.toEqual(
      new UserError(
        'invalid-argument',
        'rules.yaml: rule 1: jsonPatch[0]: op "replace" needs a value',
      ),
    );
    await expect(parsePatchRules('rules: [', 'rules.yaml')).rejects.toThrow(
      'rules.yaml: not valid YAML',
    );
    await expect(parsePatchRules('', 'rules.yaml')).resolves.toEqual([]);
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { a: { b: 1, list: [1, 2, 3] }, 'x/y': { '~t': 1 } };

  it('applies every operation without changing its input', () => {
    const result = applyJsonPatch(doc, [
      { op: 'add', path: '/a/c', value: { d: 1 } },
      { op: 'add', path: '/a/list/1', value: 9 },
      { op: 'add', path: '/a/list/-', value: 4 },
      { op: 'remove', path: '/a/list/0' },
      { op: 'replace', path: '/a/b', value: 2 },
      { op: 'copy', from: '/a/c', path: '/copied' },
      { op: 'move', from: '/x~1y/~0t', path: '/moved' },
      { op: 'test', path: '/a/b', value: 2 },
    ]);
    expect(result).toEqual({
      a: { b: 2, list: [9, 2, 3, 4], c: { d: 1 } },
      'x/y': {},
      copied: { d: 1 },
      moved: 1,
    });
    expect(doc).toEqual({ a: { b: 1, list: [1, 2, 3] }, 'x/y': { '~t': 1 } });
  });

  it('fails on missing paths, bad indexes and failed tests', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a/zz', value: 1 }])).toThrow(
      'jsonPatch[0] (replace): /a/zz: path not found',
    );
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/list/7', value: 1 }])).toThrow(
      'out of range',
    );
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/nope/x', value: 1 }])).toThrow(
      'path not found',
    );
    expect(() =>
      applyJsonPatch(doc, [
        { op: 'add', path: '/ok', value: 1 },
        { op: 'test', path: '/a/b', value: 5 },
      ]),
    ).toThrow('jsonPatch[1] (test): /a/b: test failed');
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, removes nulls and replaces arrays', () => {
    expect(
      applyMergePatch(
        { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2] },
        { a: 'z', c: { f: null, h: 1 }, list: [3], n: { m: null } },
      ),
    ).toEqual({ a: 'z', c: { d: 'e', h: 1 }, list: [3], n: {} });
  });
});
