/**
 * Object semantics a restore runs into on a real cluster: deletion and garbage
 * collection, namespace lifecycle, CRD establishment and schemas, status and scale
 * subresources, defaulting, immutable fields and server-side apply.
 */
import { startTestCluster, type TestCluster } from './index';
import { apiRequest, type ApiRequestOptions } from '../testing/api-client';
import { eventually } from '../testing/eventually';

let cluster: TestCluster;
const call = (method: string, path: string, opts?: ApiRequestOptions) =>
  apiRequest(cluster, method, path, opts);
const NS = '/api/v1/namespaces/sem';
const APPS = '/apis/apps/v1/namespaces/sem';

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    },
  },
});

/** A Deployment with a ReplicaSet and a Pod owned the way the controllers would own them. */
function seedWorkload(name: string): { rs: string; pod: string } {
  cluster.store.apply({
    ...deployment(name),
    metadata: { name, namespace: 'sem', labels: { app: name } },
  });
  const rs = `${name}-5d8f7c9b4`;
  cluster.store.apply({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rs,
      namespace: 'sem',
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: deployment(name).spec,
  });
  const pod = `${rs}-x7k2p`;
  cluster.store.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod,
      namespace: 'sem',
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    status: { phase: 'Running' },
  });
  return { rs, pod };
}

beforeAll(async () => {
  cluster = await startTestCluster({ crdEstablishDelayMs: 50 });
  await call('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sem' } },
  });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('deletion', () => {
  test('background: the owner goes, its dependents follow; the response is a Success Status', async () => {
    const { rs, pod } = seedWorkload('bg');
    const res = await call('DELETE', `${APPS}/deployments/bg`, {
      body: { propagationPolicy: 'Background' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'bg', group: 'apps', kind: 'deployments', uid: expect.any(String) },
    });
    expect(cluster.store.get('apps/v1', 'ReplicaSet', 'sem', rs)).toBeUndefined();
    expect(cluster.store.get('v1', 'Pod', 'sem', pod)).toBeUndefined();
  });

  test('orphan: dependents stay and lose the owner reference', async () => {
    const { rs } = seedWorkload('orphan');
    await call('DELETE', `${APPS}/deployments/orphan?propagationPolicy=Orphan`);
    const left = cluster.store.get('apps/v1', 'ReplicaSet', 'sem', rs)!;
    expect(left).toBeDefined();
    expect(left.metadata.ownerReferences).toBeUndefined();
  });

  test('foreground: the response shows the owner waiting on its dependents', async () => {
    const { rs } = seedWorkload('fg');
    const res = await call('DELETE', `${APPS}/deployments/fg`, {
      body: { propagationPolicy: 'Foreground' },
    });
    expect(res.body.kind).toBe('Deployment');
    expect(res.body.metadata.deletionTimestamp).toBeTruthy();
    expect(res.body.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(cluster.store.get('apps/v1', 'ReplicaSet', 'sem', rs)).toBeUndefined();
  });

  test('finalizers hold an object until they are removed', async () => {
    await call('POST', `${NS}/configmaps`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'held', finalizers: ['example.io/keep'] },
      },
    });
    const res = await call('DELETE', `${NS}/configmaps/held`);
    expect(res.body.kind).toBe('ConfigMap');
    expect(res.body.metadata.deletionTimestamp).toBeTruthy();
    expect((await call('GET', `${NS}/configmaps/held`)).status).toBe(200);
    await call('PATCH', `${NS}/configmaps/held`, {
      body: '[{"op":"remove","path":"/metadata/finalizers"}]',
      contentType: 'application/json-patch+json',
    });
    expect((await call('GET', `${NS}/configmaps/held`)).status).toBe(404);
  });

  test('dependents whose owners do not exist are garbage-collected', async () => {
    const owner = (
      await call('POST', `${NS}/configmaps`, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } },
      })
    ).body;
    const dependent = (name: string, uid: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }],
      },
    });
    await call('POST', `${NS}/configmaps`, { body: dependent('kept', owner.metadata.uid) });
    await call('POST', `${NS}/configmaps`, {
      body: dependent('dangling', '0b0b0b0b-0000-4000-8000-000000000000'),
    });
    const kubeRootCa = (await call('GET', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt'))
      .body;
    await call('POST', `${NS}/configmaps`, {
      body: dependent('elsewhere', kubeRootCa.metadata.uid),
    });
    expect((await call('GET', `${NS}/configmaps/dangling`)).status).toBe(200);
    const gone = async (name: string) =>
      (await call('GET', `${NS}/configmaps/${name}`)).status === 404;
    await eventually(async () => (await gone('dangling')) && (await gone('elsewhere')));
    expect((await call('GET', `${NS}/configmaps/kept`)).status).toBe(200);
  });

  test('preconditions', async () => {
    await call('POST', `${NS}/configmaps`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pre' } },
    });
    const res = await call('DELETE', `${NS}/configmaps/pre`, {
      body: { preconditions: { uid: 'not-it' } },
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(
      /^Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: not-it/,
    );
  });

  test('deletecollection with a selector', async () => {
    for (const name of ['dc-1', 'dc-2']) {
      await call('POST', `${NS}/configmaps`, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { dc: 'yes' } } },
      });
    }
    const res = await call('DELETE', `${NS}/configmaps?labelSelector=dc%3Dyes`);
    expect(res.body.kind).toBe('ConfigMapList');
    expect(res.body.items).toHaveLength(2);
    expect((await call('GET', `${NS}/configmaps?labelSelector=dc%3Dyes`)).body.items).toEqual([]);
  });
});

describe('namespaces', () => {
  test('new namespaces get a default ServiceAccount and kube-root-ca.crt, recreated when deleted', async () => {
    await call('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } },
    });
    const ns = (await call('GET', '/api/v1/namespaces/fresh')).body;
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'fresh' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    const ca = (await call('GET', '/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt')).body;
    expect(ca.data['ca.crt']).toContain('BEGIN CERTIFICATE');
    const sa = (await call('GET', '/api/v1/namespaces/fresh/serviceaccounts/default')).body;
    await call('DELETE', '/api/v1/namespaces/fresh/serviceaccounts/default');
    const again = (await call('GET', '/api/v1/namespaces/fresh/serviceaccounts/default')).body;
    expect(again.metadata.uid).not.toBe(sa.metadata.uid);
  });

  test('deleting a namespace answers Terminating and removes its contents', async () => {
    await call('POST', '/api/v1/namespaces/fresh/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    });
    const res = await call('DELETE', '/api/v1/namespaces/fresh');
    expect(res.body.status).toEqual({ phase: 'Terminating' });
    expect(res.body.metadata.deletionTimestamp).toBeTruthy();
    expect((await call('GET', '/api/v1/namespaces/fresh')).status).toBe(404);
    expect(cluster.store.list('v1', 'ConfigMap', 'fresh')).toEqual([]);
  });

  test('system namespaces cannot be deleted', async () => {
    const res = await call('DELETE', '/api/v1/namespaces/kube-system');
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'namespaces "kube-system" is forbidden: this namespace may not be deleted',
    );
  });

  test('with a termination delay, creating in a Terminating namespace is Forbidden', async () => {
    const slow = await startTestCluster({ namespaceTerminationDelayMs: 200, tls: false });
    try {
      const req = (method: string, path: string, opts?: ApiRequestOptions) =>
        apiRequest(slow, method, path, opts);
      await req('POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } },
      });
      await req('DELETE', '/api/v1/namespaces/going');
      const res = await req('POST', '/api/v1/namespaces/going/configmaps', {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } },
      });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(
        'configmaps "late" is forbidden: unable to create new content in namespace going because it is being terminated',
      );
      await eventually(async () => (await req('GET', '/api/v1/namespaces/going')).status === 404);
    } finally {
      await slow.stop();
    }
  });
});

describe('custom resources', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.acme.io' },
    spec: {
      group: 'acme.io',
      scope: 'Namespaced',
      names: { kind: 'Gadget', plural: 'gadgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer' },
                    mode: { type: 'string', default: 'auto' },
                    port: { 'x-kubernetes-int-or-string': true },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          schema: {
            openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    },
  };
  const GADGETS = '/apis/acme.io/v1/namespaces/sem/gadgets';

  test('served only once Established, then listed in discovery', async () => {
    const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: crd,
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.names).toMatchObject({ singular: 'gadget', listKind: 'GadgetList' });
    expect((await call('GET', GADGETS)).status).toBe(404);
    await eventually(async () => (await call('GET', GADGETS)).status === 200);
    const established = (
      await call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.acme.io')
    ).body;
    expect(
      established.status.conditions.map(
        (c: { type: string; status: string }) => `${c.type}=${c.status}`,
      ),
    ).toEqual(['NamesAccepted=True', 'Established=True']);
    expect((await call('GET', GADGETS)).body.kind).toBe('GadgetList');
    expect((await call('GET', '/apis/acme.io')).body.preferredVersion).toEqual({
      groupVersion: 'acme.io/v1',
      version: 'v1',
    });
  });

  test('schema: pruning, defaults, int-or-string, preserved fields and validation errors', async () => {
    const res = await call('POST', GADGETS, {
      body: {
        apiVersion: 'acme.io/v1',
        kind: 'Gadget',
        metadata: { name: 'g1' },
        spec: { size: 3, port: 'http', unknown: true, extra: { free: { form: [1, 2] } } },
        status: { ready: true },
        topLevel: 'pruned',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.spec).toEqual({
      size: 3,
      port: 'http',
      mode: 'auto',
      extra: { free: { form: [1, 2] } },
    });
    expect(res.body.topLevel).toBeUndefined();
    expect(res.body.status).toBeUndefined();
    expect(res.body.metadata.generation).toBe(1);
    const bad = await call('POST', GADGETS, {
      body: {
        apiVersion: 'acme.io/v1',
        kind: 'Gadget',
        metadata: { name: 'g2' },
        spec: { size: 'big' },
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'Gadget.acme.io "g2" is invalid: spec.size: Invalid value: "big": spec.size in body must be of type integer: "string"',
    );
    const noKind = await call('POST', GADGETS, {
      body: { apiVersion: 'acme.io/v1', metadata: { name: 'g3' } },
    });
    expect(noKind.status).toBe(400);
  });

  test('other served versions read the same objects; lists keep apiVersion/kind on items', async () => {
    const v1beta1 = await call('GET', '/apis/acme.io/v1beta1/namespaces/sem/gadgets');
    expect(v1beta1.body.items[0]).toMatchObject({
      apiVersion: 'acme.io/v1beta1',
      kind: 'Gadget',
      metadata: { name: 'g1' },
    });
  });

  test('status subresource and generation', async () => {
    const current = (await call('GET', `${GADGETS}/g1`)).body;
    const statusRes = await call('PUT', `${GADGETS}/g1/status`, {
      body: { ...current, spec: { size: 99 }, status: { ready: true } },
    });
    expect(statusRes.body.status).toEqual({ ready: true });
    expect(statusRes.body.spec.size).toBe(3);
    expect(statusRes.body.metadata.generation).toBe(1);
    const specRes = await call('PUT', `${GADGETS}/g1`, {
      body: {
        ...statusRes.body,
        spec: { ...statusRes.body.spec, size: 4 },
        status: { ready: false },
      },
    });
    expect(specRes.body.metadata.generation).toBe(2);
    expect(specRes.body.status).toEqual({ ready: true });
  });

  test('updates of custom resources must carry a resourceVersion', async () => {
    const current = (await call('GET', `${GADGETS}/g1`)).body;
    delete current.metadata.resourceVersion;
    const res = await call('PUT', `${GADGETS}/g1`, { body: current });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'Gadget.acme.io "g1" is invalid: metadata.resourceVersion: Invalid value: "0x0": must be specified for an update',
    );
  });

  test('deleting the CRD removes its types and objects', async () => {
    const res = await call(
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.acme.io',
    );
    expect(res.body.kind).toBe('CustomResourceDefinition');
    expect((await call('GET', GADGETS)).status).toBe(404);
    expect(
      (await call('GET', '/apis')).body.groups.map((g: { name: string }) => g.name),
    ).not.toContain('acme.io');
  });

  test('invalid CRDs are rejected', async () => {
    const res = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: { ...crd, metadata: { name: 'wrong.acme.io' } },
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(
      'metadata.name: Invalid value: "wrong.acme.io": must be spec.names.plural+"."+spec.group',
    );
  });
});

describe('built-in types', () => {
  test('Deployments are defaulted, status is reset on create, generation follows the spec', async () => {
    const res = await call('POST', `${APPS}/deployments`, {
      body: { ...deployment('web'), status: { replicas: 5 } },
    });
    expect(res.body.spec).toMatchObject({
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
    });
    expect(res.body.spec.template.metadata.creationTimestamp).toBeNull();
    expect(res.body.spec.template.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
    });
    expect(res.body.status).toBeUndefined();
    expect(res.body.metadata.generation).toBe(1);
    const labelled = await call('PATCH', `${APPS}/deployments/web`, {
      body: '{"metadata":{"labels":{"x":"y"}}}',
      contentType: 'application/merge-patch+json',
    });
    expect(labelled.body.metadata.generation).toBe(1);
    const scaled = await call('PATCH', `${APPS}/deployments/web`, {
      body: '{"spec":{"replicas":3}}',
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(scaled.body.metadata.generation).toBe(2);
  });

  test('scale subresource', async () => {
    const scale = (await call('GET', `${APPS}/deployments/web/scale`)).body;
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 3 },
      status: { selector: 'app=web' },
    });
    const res = await call('PUT', `${APPS}/deployments/web/scale`, {
      body: { ...scale, spec: { replicas: 0 } },
    });
    expect(res.body.spec.replicas).toBe(0);
    expect(cluster.store.get('apps/v1', 'Deployment', 'sem', 'web')!.spec).toMatchObject({
      replicas: 0,
    });
  });

  test('a Deployment selector is immutable', async () => {
    const res = await call('PATCH', `${APPS}/deployments/web`, {
      body: '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}',
      contentType: 'application/merge-patch+json',
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain('spec.selector: Invalid value');
    expect(res.body.message).toContain('field is immutable');
  });

  test('Jobs get a generated selector and reject one from the client', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once' },
      spec: {
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    };
    const created = (await call('POST', '/apis/batch/v1/namespaces/sem/jobs', { body: job })).body;
    expect(created.spec.selector).toEqual({
      matchLabels: { 'batch.kubernetes.io/controller-uid': created.metadata.uid },
    });
    expect(created.spec.template.metadata.labels['job-name']).toBe('once');
    const copy = {
      ...job,
      metadata: { name: 'copy' },
      spec: { ...job.spec, selector: created.spec.selector },
    };
    const rejected = await call('POST', '/apis/batch/v1/namespaces/sem/jobs', { body: copy });
    expect(rejected.status).toBe(422);
    expect(rejected.body.message).toContain('spec.selector: Invalid value');
    expect(rejected.body.message).toContain('`selector` not auto-generated');
  });

  test('Services get a cluster IP that cannot change but may be left out', async () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    };
    const created = (await call('POST', `${NS}/services`, { body: svc })).body;
    expect(created.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: expect.stringMatching(/^10\.96\./),
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
    const replaced = await call('PUT', `${NS}/services/web`, {
      body: { ...svc, metadata: { name: 'web' } },
    });
    expect(replaced.body.spec.clusterIP).toBe(created.spec.clusterIP);
    const changed = await call('PUT', `${NS}/services/web`, {
      body: {
        ...svc,
        spec: { ...svc.spec, clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] },
      },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain('may not change once set');
  });

  test('Secrets: stringData folds into data; immutable Secrets stay put', async () => {
    const res = await call('POST', `${NS}/secrets`, {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        stringData: { pw: 'hunter2' },
        immutable: true,
      },
    });
    expect(res.body).toMatchObject({
      type: 'Opaque',
      data: { pw: Buffer.from('hunter2').toString('base64') },
    });
    expect(res.body.stringData).toBeUndefined();
    const changed = await call('PATCH', `${NS}/secrets/s`, {
      body: '{"data":{"pw":"eA=="}}',
      contentType: 'application/merge-patch+json',
    });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain(
      'data: Forbidden: field is immutable when `immutable` is set',
    );
  });

  test('HorizontalPodAutoscalers get autoscaling/v2 defaults', async () => {
    const res = await call('POST', '/apis/autoscaling/v2/namespaces/sem/horizontalpodautoscalers', {
      body: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          maxReplicas: 5,
          behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
        },
      },
    });
    expect(res.body.spec).toMatchObject({
      minReplicas: 1,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 60,
          selectPolicy: 'Max',
          policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
        },
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' },
      },
    });
  });

  test('pods created through the API start Pending', async () => {
    const res = await call('POST', `${NS}/pods`, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
        status: { phase: 'Running' },
      },
    });
    expect(res.body.status.phase).toBe('Pending');
    expect(res.body.spec).toMatchObject({
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
    });
  });
});

describe('server-side apply over HTTP', () => {
  const APPLY = 'application/apply-patch+yaml';

  test('fieldManager is required', async () => {
    const res = await call('PATCH', `${NS}/configmaps/applied`, {
      body: 'apiVersion: v1\nkind: ConfigMap\n',
      contentType: APPLY,
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  test('creates, removes fields the manager stops applying, keeps fields others own', async () => {
    const apply = (manager: string, yaml: string, force = false) =>
      call(
        'PATCH',
        `${NS}/configmaps/applied?fieldManager=${manager}${force ? '&force=true' : ''}`,
        { body: yaml, contentType: APPLY },
      );
    const created = await apply(
      'a',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  labels: {l1: x, l2: y}\ndata:\n  one: "1"\n  two: "2"\n',
    );
    expect(created.status).toBe(201);
    await apply(
      'b',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  two: "2"\n  three: "3"\n',
    );
    const shrunk = await apply(
      'a',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  labels: {l1: x}\ndata:\n  one: "1"\n',
    );
    expect(shrunk.body.data).toEqual({ one: '1', two: '2', three: '3' });
    expect(shrunk.body.metadata.labels).toEqual({ l1: 'x' });
    const conflict = await apply(
      'c',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  one: "uno"\n  two: "dos"\n',
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "a":\n- .data.one\nconflicts with "b":\n- .data.two',
    );
    expect(conflict.body.details.causes).toEqual([
      { type: 'FieldManagerConflict', message: 'conflict with "a"', field: '.data.one' },
      { type: 'FieldManagerConflict', message: 'conflict with "b"', field: '.data.two' },
    ]);
    const forced = await apply(
      'c',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  one: "uno"\n',
      true,
    );
    expect(forced.body.data.one).toBe('uno');
    const managers = forced.body.metadata.managedFields.map(
      (m: { manager: string; fieldsV1: object }) => [m.manager, m.fieldsV1],
    );
    expect(managers).toEqual([
      ['a', { 'f:metadata': { 'f:labels': { 'f:l1': {} } } }],
      ['b', { 'f:data': { 'f:three': {}, 'f:two': {} } }],
      ['c', { 'f:data': { 'f:one': {} } }],
    ]);
  });

  test('keyed lists merge by key and conflict per item field', async () => {
    const yaml = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa}\nspec:\n  selector: {matchLabels: {app: ssa}}\n  template:\n    metadata: {labels: {app: ssa}}\n    spec:\n      containers:\n      - {name: app, image: "${image}"}\n`;
    await call('PATCH', `${APPS}/deployments/ssa?fieldManager=ci`, {
      body: yaml('app:1'),
      contentType: APPLY,
    });
    await call('PATCH', `${APPS}/deployments/ssa?fieldManager=mesh`, {
      body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: proxy, image: "envoy:1"}\n',
      contentType: APPLY,
    });
    const both = (await call('GET', `${APPS}/deployments/ssa`)).body;
    expect(both.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'app',
      'proxy',
    ]);
    const conflict = await call('PATCH', `${APPS}/deployments/ssa?fieldManager=other`, {
      body: yaml('app:2'),
      contentType: APPLY,
    });
    expect(conflict.body.message).toBe(
      'Apply failed with 1 conflict: conflict with "ci": .spec.template.spec.containers[name="app"].image',
    );
  });
});
