import type { KubeObject } from '../../snapshot/types';
import type { PlannedObject } from '../types';
import { fullImageReference, imageRewriter, rewriteImages } from './image-registry';
import { mapNamespaces } from './namespace';
import { mapStorageClasses, storageClassesOf } from './storage-class';
import { transformObjects } from './transform-objects';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'web', image: 'nginx:1.25' },
          { name: 'sidecar', image: 'registry.local:5000/tools/proxy@sha256:abc' },
          { name: 'other', image: 'quay.io/org/app:2' },
        ],
      },
    },
  },
});

/** The value at a dotted path (`spec.template.spec.containers.0.image`). */
const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value);

const planned = (object: KubeObject, group = 'apps', resource = 'deployments'): PlannedObject => ({
  type: {
    group,
    version: object.apiVersion.split('/').pop() as string,
    kind: object.kind,
    resource,
    namespaced: object.metadata.namespace !== undefined,
  },
  object,
});

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['acme/app:1', 'docker.io/acme/app:1'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/redis', 'docker.io/library/redis'],
    ['localhost/app', 'localhost/app'],
    ['registry.local:5000/app', 'registry.local:5000/app'],
    ['ghcr.io/org/app@sha256:abc', 'ghcr.io/org/app@sha256:abc'],
  ])('%s is %s', (image, full) => expect(fullImageReference(image)).toBe(full));

  it('moves images between registries, longest prefix first, leaving others alone', () => {
    const rewrite = imageRewriter({
      'docker.io': 'mirror.example',
      'docker.io/library': 'mirror.example/official',
      'registry.local:5000': 'registry.new',
    });
    expect(rewrite('nginx:1.25')).toBe('mirror.example/official/nginx:1.25');
    expect(rewrite('acme/app')).toBe('mirror.example/acme/app');
    expect(rewrite('registry.local:5000/tools/proxy@sha256:abc')).toBe(
      'registry.new/tools/proxy@sha256:abc',
    );
    expect(rewrite('quay.io/org/app:2')).toBe('quay.io/org/app:2');
    // A prefix matches whole path components only.
    expect(imageRewriter({ 'quay.io/or': 'x.example' })('quay.io/org/app')).toBe('quay.io/org/app');
  });

  it('rewrites init containers and containers of a CronJob template', () => {
    const cronJob: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'prod' },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: 'i', image: 'busybox:1' }],
                containers: [{ name: 'c', image: 'old.example/job:1' }],
              },
            },
          },
        },
      },
    };
    rewriteImages(
      cronJob,
      imageRewriter({ 'old.example': 'new.example', 'docker.io': 'hub.example' }),
    );
    const spec = at(cronJob, 'spec.jobTemplate.spec.template.spec');
    expect(at(spec, 'initContainers.0.image')).toBe('hub.example/library/busybox:1');
    expect(at(spec, 'containers.0.image')).toBe('new.example/job:1');
  });
});

describe('namespace mapping', () => {
  it('maps binding subjects, a Namespace name and network policy namespace selectors', () => {
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'prod' },
      subjects: [
        { kind: 'ServiceAccount', name: 'app', namespace: 'prod' },
        { kind: 'ServiceAccount', name: 'ops', namespace: 'monitoring' },
        { kind: 'User', name: 'jane' },
      ],
    };
    mapNamespaces(binding, { prod: 'staging' });
    expect(binding.metadata.namespace).toBe('staging');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'app', namespace: 'staging' },
      { kind: 'ServiceAccount', name: 'ops', namespace: 'monitoring' },
      { kind: 'User', name: 'jane' },
    ]);

    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod', team: 'a' } },
    };
    mapNamespaces(namespace, { prod: 'staging' });
    expect(namespace.metadata).toEqual({
      name: 'staging',
      labels: { 'kubernetes.io/metadata.name': 'staging', team: 'a' },
    });

    const policy: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'prod' },
      spec: {
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } },
            ],
          },
        ],
      },
    };
    mapNamespaces(policy, { prod: 'staging' });
    expect(at(policy, 'spec.ingress.0.from.0.namespaceSelector.matchLabels')).toEqual({
      'kubernetes.io/metadata.name': 'staging',
    });
  });
});

describe('storage class mapping', () => {
  it('maps claims, claim templates and the beta annotation', () => {
    const set: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'prod' },
      spec: {
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { storageClassName: 'fast' } },
          {
            metadata: {
              name: 'logs',
              annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' },
            },
            spec: {},
          },
        ],
        template: { spec: { containers: [{ name: 'db', image: 'postgres' }] } },
      },
    };
    expect(storageClassesOf(set)).toEqual(['fast', 'slow']);
    mapStorageClasses(set, { fast: 'premium', slow: 'standard' });
    expect(storageClassesOf(set)).toEqual(['premium', 'standard']);

    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c', namespace: 'prod' },
      spec: { storageClassName: 'fast' },
    };
    mapStorageClasses(claim, { other: 'x' });
    expect(storageClassesOf(claim)).toEqual(['fast']);
    expect(storageClassesOf({ ...claim, spec: { storageClassName: '' } })).toEqual([]);
  });
});

describe('transformObjects', () => {
  it('applies every transform in order, then patch rules, without touching the input', () => {
    const input = planned(deployment());
    const before = structuredClone(input.object);
    const { objects, warnings } = transformObjects([input], {
      namespaceMapping: { prod: 'staging' },
      imageRegistryMapping: { 'docker.io': 'mirror.example' },
      replicas: 1,
      addLabels: { env: 'staging' },
      patchRules: [
        // Matches the namespace and labels as written, after mapping and injection.
        {
          match: { kind: 'Deployment', namespace: 'stag*', labels: { env: 'staging' } },
          jsonPatch: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
        },
        { match: { kind: 'Service' }, mergePatch: { spec: { type: 'NodePort' } } },
      ],
    });
    expect(input.object).toEqual(before);
    const out = objects[0].object;
    expect(out.metadata).toEqual({
      name: 'web',
      namespace: 'staging',
      labels: { app: 'web', env: 'staging' },
    });
    expect(at(out, 'spec.replicas')).toBe(2);
    expect(at(out, 'spec.template.metadata.labels')).toEqual({ app: 'web' });
    const containers = at(out, 'spec.template.spec.containers') as Array<{ image: string }>;
    expect(containers.map(container => container.image)).toEqual([
      'mirror.example/library/nginx:1.25',
      'registry.local:5000/tools/proxy@sha256:abc',
      'quay.io/org/app:2',
    ]);
    expect(warnings).toEqual(['patch rule 2 matched no object']);
  });

  it('stops with the rule, the operation and the object when a patch cannot apply', () => {
    expect(() =>
      transformObjects([planned(deployment())], {
        patchRules: [
          { match: {}, mergePatch: { metadata: { annotations: { a: 'b' } } } },
          { match: { name: 'web' }, jsonPatch: [{ op: 'remove', path: '/spec/paused' }] },
        ],
      }),
    ).toThrow(
      'patch rule 2: jsonPatch[0] (remove): /spec/paused: path not found (on Deployment/web in prod)',
    );
  });
});
