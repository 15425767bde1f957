import { compare, FieldSet, formatPath, toFieldSet } from './field-set';
import { applyConfiguration, updateManagedFields, type ManagerOptions } from './managed-fields';
import { ApiError } from './status';
import type { JsonObject, KubeObject } from './json';

const opts = (manager: string): ManagerOptions => ({
  manager,
  apiVersion: 'apps/v1',
  ignoreStatus: true,
  custom: false,
  time: '2025-01-01T00:00:00Z',
});

const deployment = (image: string, extra: JsonObject = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } },
    ...extra,
  },
});

describe('field sets', () => {
  test('ToFieldSet: struct fields, map entries, keyed list items (with "."), atomic selectors', () => {
    const set = toFieldSet(
      { metadata: { labels: { app: 'web' } }, spec: deployment('x').spec } as JsonObject,
      {
        custom: false,
      },
    );
    expect(set.toFieldsV1()).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': {
                  'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                },
              },
            },
          },
        },
      },
    });
  });

  test('fieldsV1 round-trips', () => {
    const fields = {
      'f:data': { '.': {}, 'f:a': {} },
      'f:metadata': { 'f:labels': { 'f:x': {} } },
    };
    expect(FieldSet.fromFieldsV1(fields).toFieldsV1()).toEqual(fields);
  });

  test('compare finds added, modified and removed fields', () => {
    const c = compare(
      { data: { a: '1', b: '2' } },
      { data: { a: '9', c: '3' } },
      { custom: false },
    );
    expect(c.modified.toFieldsV1()).toEqual({ 'f:data': { 'f:a': {} } });
    expect(c.added.toFieldsV1()).toEqual({ 'f:data': { 'f:c': {} } });
    expect(c.removed.toFieldsV1()).toEqual({ 'f:data': { 'f:b': {} } });
  });

  test('paths print as conflict messages print them', () => {
    expect(
      formatPath(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']),
    ).toBe('.spec.template.spec.containers[name="web"].image');
    expect(formatPath(['f:metadata', 'f:finalizers', 'v:"a"'])).toBe('.metadata.finalizers[="a"]');
  });
});

describe('managedFields', () => {
  test('an update owns what it changed and takes it from others', () => {
    const created = deployment('nginx:1');
    created.metadata.managedFields = updateManagedFields(undefined, created, opts('creator'));
    const next = deployment('nginx:2');
    next.metadata.managedFields = created.metadata.managedFields;
    const managed = updateManagedFields(created, next, opts('patcher'))!;
    const patcher = managed.find(m => m.manager === 'patcher')!;
    expect(patcher.fieldsV1).toEqual({
      'f:spec': {
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
      },
    });
    const creator = managed.find(m => m.manager === 'creator')!;
    expect(JSON.stringify(creator.fieldsV1)).not.toContain('f:image');
  });

  test('[{}] clears managedFields', () => {
    const live = deployment('a');
    live.metadata.managedFields = updateManagedFields(undefined, live, opts('x'));
    const next = deployment('b');
    next.metadata.managedFields = [{}];
    expect(updateManagedFields(live, next, opts('y'))).toBeUndefined();
  });

  test('apply: shared ownership on equal values, conflicts on different ones, force takes over', () => {
    const first = applyConfiguration(undefined, deployment('nginx:1'), {
      ...opts('a'),
      force: false,
    });
    const live = {
      ...first.object,
      metadata: { ...first.object.metadata, managedFields: first.managedFields },
    };
    const shared = applyConfiguration(live, deployment('nginx:1'), { ...opts('b'), force: false });
    expect(shared.managedFields!.map(m => m.manager)).toEqual(['a', 'b']);
    let conflict: ApiError | undefined;
    try {
      applyConfiguration(live, deployment('nginx:2'), { ...opts('c'), force: false });
    } catch (error) {
      conflict = error as ApiError;
    }
    expect(conflict?.code).toBe(409);
    expect(conflict?.message).toBe(
      'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.containers[name="web"].image',
    );
    const forced = applyConfiguration(live, deployment('nginx:2'), { ...opts('c'), force: true });
    const a = forced.managedFields!.find(m => m.manager === 'a')!;
    expect(JSON.stringify(a.fieldsV1)).not.toContain('f:image');
  });

  test('apply drops fields its manager no longer applies', () => {
    const first = applyConfiguration(undefined, deployment('x', { paused: true }), {
      ...opts('a'),
      force: false,
    });
    const live = {
      ...first.object,
      metadata: { ...first.object.metadata, managedFields: first.managedFields },
    };
    const second = applyConfiguration(live, deployment('x'), { ...opts('a'), force: false });
    expect((second.object.spec as JsonObject).paused).toBeUndefined();
  });
});
