import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  parseJsonPatch,
  PatchError,
} from './patch';
import type { JsonValue } from './json';

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { name: 'a', labels: { x: '1' } }, list: [1, 2, 3] };
  const apply = (ops: unknown) => applyJsonPatch(doc, parseJsonPatch(ops));

  test('add, replace, remove, move, copy, test', () => {
    expect(
      apply([
        { op: 'add', path: '/metadata/labels/y', value: '2' },
        { op: 'replace', path: '/metadata/name', value: 'b' },
        { op: 'remove', path: '/list/0' },
        { op: 'add', path: '/list/-', value: 4 },
        { op: 'copy', from: '/metadata/name', path: '/copied' },
        { op: 'move', from: '/copied', path: '/moved' },
        { op: 'test', path: '/moved', value: 'b' },
        { op: 'add', path: '/metadata/labels/a~1b', value: 'slash' },
      ]),
    ).toEqual({
      metadata: { name: 'b', labels: { x: '1', y: '2', 'a/b': 'slash' } },
      list: [2, 3, 4],
      moved: 'b',
    });
    expect(doc.list).toEqual([1, 2, 3]);
  });

  test('failures are 422, malformed patches 400', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as PatchError).code;
      }
      return 0;
    };
    expect(code(() => apply([{ op: 'test', path: '/metadata/name', value: 'z' }]))).toBe(422);
    expect(code(() => apply([{ op: 'remove', path: '/nope' }]))).toBe(422);
    expect(code(() => apply([{ op: 'replace', path: '/metadata/missing', value: 1 }]))).toBe(422);
    expect(code(() => apply({ op: 'add' }))).toBe(400);
    expect(code(() => apply([{ op: 'frobnicate', path: '/x' }]))).toBe(400);
  });
});

describe('merge patch (RFC 7386)', () => {
  test('objects merge, null deletes, lists replace', () => {
    expect(
      applyMergePatch(
        { a: { b: 1, c: 2 }, l: [1, 2], keep: true },
        { a: { b: null, d: 3 }, l: [9] },
      ),
    ).toEqual({ a: { c: 2, d: 3 }, l: [9], keep: true });
  });
});

describe('strategic merge patch', () => {
  const deployment = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'app:1',
              env: [{ name: 'A', value: '1' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'proxy', image: 'envoy:1' },
          ],
          volumes: [{ name: 'config', configMap: { name: 'c' } }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
    metadata: { finalizers: ['a'] },
  } as unknown as JsonValue;
  const smp = (patch: unknown) => applyStrategicMergePatch(deployment, patch as JsonValue) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('containers merge by name, env by name, ports by containerPort', () => {
    const result = smp({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                env: [{ name: 'B', value: '2' }],
                ports: [{ containerPort: 80, name: 'http' }],
              },
              { name: 'new', image: 'new:1' },
            ],
          },
        },
      },
    });
    const [app, proxy, added] = result.spec.template.spec.containers;
    expect(app).toEqual({
      name: 'app',
      image: 'app:1',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
    });
    expect(proxy.name).toBe('proxy');
    expect(added).toEqual({ name: 'new', image: 'new:1' });
  });

  test('$patch: delete removes a keyed item; $patch: replace replaces a map or a list', () => {
    const deleted = smp({
      spec: { template: { spec: { containers: [{ name: 'proxy', $patch: 'delete' }] } } },
    });
    expect(deleted.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'app',
    ]);
    const replacedMap = smp({
      spec: {
        template: { spec: { $patch: 'replace', containers: [{ name: 'only', image: 'x' }] } },
      },
    });
    expect(replacedMap.spec.template.spec).toEqual({ containers: [{ name: 'only', image: 'x' }] });
    const replacedList = smp({
      spec: {
        template: { spec: { volumes: [{ $patch: 'replace' }, { name: 'v2', emptyDir: {} }] } },
      },
    });
    expect(replacedList.spec.template.spec.volumes).toEqual([{ name: 'v2', emptyDir: {} }]);
  });

  test('lists without a patch strategy (tolerations) are replaced', () => {
    const result = smp({
      spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } },
    });
    expect(result.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });

  test('$retainKeys clears what it does not list', () => {
    const result = smp({
      spec: {
        template: {
          spec: {
            volumes: [
              { name: 'config', $retainKeys: ['name', 'secret'], secret: { secretName: 's' } },
            ],
          },
        },
      },
    });
    expect(result.spec.template.spec.volumes).toEqual([
      { name: 'config', secret: { secretName: 's' } },
    ]);
  });

  test('$setElementOrder and $deleteFromPrimitiveList; finalizers merge as a set', () => {
    const ordered = smp({
      spec: {
        template: { spec: { '$setElementOrder/containers': [{ name: 'proxy' }, { name: 'app' }] } },
      },
    });
    expect(ordered.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'proxy',
      'app',
    ]);
    expect(smp({ metadata: { finalizers: ['b', 'a'] } }).metadata.finalizers).toEqual(['a', 'b']);
    expect(
      smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers,
    ).toEqual([]);
  });

  test('service ports merge by port', () => {
    const svc = {
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    } as unknown as JsonValue;
    const result = applyStrategicMergePatch(svc, {
      spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
    }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(result.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 9090 },
      { port: 443 },
    ]);
  });
});
