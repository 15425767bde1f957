import type { KubeObject } from '../snapshot/types';
import { changedFields, comparableForm, redactSecrets, unifiedDiff } from './object-diff';

const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'shop',
    uid: 'u',
    resourceVersion: '7',
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kubectl' }],
  },
  data: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6', g: '7', h: '8', i: '9' },
};

describe('object diff', () => {
  it('ignores server-set fields', () => {
    const restored = {
      ...structuredClone(live),
      metadata: { name: 'settings', namespace: 'shop' },
    };
    expect(changedFields(comparableForm(live), comparableForm(restored))).toEqual([]);
  });

  it('lists changed field paths and renders a unified diff, joining nearby hunks', async () => {
    const after = comparableForm(live) as KubeObject & { data: Record<string, string> };
    after.data.b = 'two';
    after.data.z = 'new';
    delete after.data.i;
    expect(changedFields(comparableForm(live), after)).toEqual(['data.b', 'data.i', 'data.z']);
    expect(await unifiedDiff(comparableForm(live), after)).toEqual([
      '--- live',
      '+++ restore',
      '@@ -1,14 +1,14 @@',
      ' apiVersion: v1',
      ' data:',
      "   a: '1'",
      "-  b: '2'",
      '+  b: two',
      "   c: '3'",
      "   d: '4'",
      "   e: '5'",
      "   f: '6'",
      "   g: '7'",
      "   h: '8'",
      "-  i: '9'",
      '+  z: new',
      ' kind: ConfigMap',
      ' metadata:',
      '   name: settings',
    ]);
    expect(await unifiedDiff(after, after)).toEqual([]);
  });

  it('keeps distant changes in separate hunks', async () => {
    const before = { data: Object.fromEntries([...'abcdefghijklmnop'].map(k => [k, k])) };
    const after = structuredClone(before);
    after.data.a = 'A';
    after.data.p = 'P';
    const diff = await unifiedDiff(before as never, after as never);
    expect(diff.filter(line => line.startsWith('@@'))).toEqual([
      '@@ -1,5 +1,5 @@',
      '@@ -14,4 +14,4 @@',
    ]);
  });

  it('never shows Secret values, only which keys changed', async () => {
    const secret = (data: Record<string, string>, annotations?: Record<string, string>) =>
      ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'shop', annotations },
        data,
      }) as KubeObject;
    const before = secret(
      { user: 'YWRtaW4=', password: 'aHVudGVyMg==', old: 'eA==' },
      {
        'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}',
      },
    );
    const after = secret({ user: 'YWRtaW4=', password: 'c2VjcmV0', added: 'eQ==' });
    const diff = (await unifiedDiff(...redactSecrets(before, after))).join('\n');
    expect(diff).not.toMatch(/aHVudGVyMg|c2VjcmV0|YWRtaW4|eA==|eQ==/);
    expect(diff).toContain("-  password: '*** (before)'");
    expect(diff).toContain("+  password: '*** (after)'");
    expect(diff).toContain("+  added: '*** (after)'");
    expect(diff).toContain("-  old: '*** (before)'");
    expect(changedFields(before, after)).toContain('data.password');
  });
});
