import { UserError } from '../errors';
import type { KubeObject } from '../snapshot/types';
import { guardClusterScopedObjects } from './cluster-scoped-objects';
import { checkMappingsMatch } from './mapping-coverage';
import { checkPlanNames } from './plan-names';
import { flagPrivilegedContent } from './privileged-content';
import type { PlannedObject } from './types';

const RBAC = 'rbac.authorization.k8s.io';

function planned(
  object: KubeObject,
  group = '',
  resource = `${object.kind.toLowerCase()}s`,
): PlannedObject {
  return {
    type: {
      group,
      version: 'v1',
      kind: object.kind,
      resource,
      namespaced: object.metadata.namespace !== undefined,
    },
    object,
  };
}

const configMap = (namespace: string, name = 'config', labels?: Record<string, string>) =>
  planned({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels } });

const deployment = (
  podSpec: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): PlannedObject =>
  planned(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'web', image: 'ghcr.io/acme/web:1', ...container }],
            ...podSpec,
          },
        },
      },
    },
    'apps',
    'deployments',
  );

const clusterBinding = (
  name: string,
  role: string,
  subjects: Array<Record<string, string>>,
): PlannedObject =>
  planned(
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
      subjects,
    },
    RBAC,
    'clusterrolebindings',
  );

const thrown = (run: () => void): UserError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('nothing was thrown');
};

describe('checkMappingsMatch', () => {
  const objects = [
    configMap('shop'),
    deployment(),
    planned({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'shop' },
      spec: { storageClassName: 'fast' },
    }),
  ];

  it('accepts mappings that each match something selected', () => {
    expect(() =>
      checkMappingsMatch(objects, {
        namespaceMapping: { shop: 'shop-copy' },
        storageClassMapping: { fast: 'standard' },
        imageRegistryMapping: { 'ghcr.io/acme': 'mirror.example/acme' },
      }),
    ).not.toThrow();
  });

  it('names every mapping that matches nothing, with what the selection has', () => {
    const error = thrown(() =>
      checkMappingsMatch(objects, {
        namespaceMapping: { shpo: 'shop-copy', shop: 'x' },
        storageClassMapping: { gold: 'silver' },
        imageRegistryMapping: { 'quay.io': 'mirror.example', 'ghcr.io/ac': 'other.example' },
      }),
    );
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toBe(
      "mappings match nothing the restore selected, so nothing was written: namespace mapping shpo:shop-copy (the selection's namespaces: shop); storage class mapping gold:silver (the selection's storage classes: fast); image registry mapping quay.io:mirror.example (no selected image comes from quay.io); image registry mapping ghcr.io/ac:other.example (no selected image comes from ghcr.io/ac)",
    );
  });
});

describe('checkPlanNames', () => {
  it('lists every invalid name once, with the objects carrying it', () => {
    const namespace = planned({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'Bad_NS' },
    });
    const error = thrown(() =>
      checkPlanNames([
        namespace,
        configMap('Bad_NS', 'a'),
        configMap('Bad_NS', 'b', { 'not a key!': 'x', ok: 'not ok!' }),
        configMap('fine', 'Upper'),
        planned({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: '1web', namespace: 'fine' },
        }),
      ]),
    );
    expect(error.message).toMatch(
      /^the restore would write invalid names, so nothing was written: /,
    );
    expect(error.message).toContain(
      'namespace "Bad_NS" is not a DNS label (lowercase letters, digits and "-", at most 63 characters) (Namespace Bad_NS, ConfigMap Bad_NS/a, ConfigMap Bad_NS/b)',
    );
    expect(error.message).toContain('label key "not a key!" is not a valid key');
    expect(error.message).toContain('value of label ok "not ok!" is not a valid label value');
    expect(error.message).toContain('ConfigMap name "Upper" is not a DNS subdomain');
    expect(error.message).toContain('Service name "1web" is not a DNS-1035 label');
  });

  it('accepts the names RBAC and claims allow', () => {
    expect(() =>
      checkPlanNames([
        clusterBinding('system:controller:Thing', 'view', []),
        configMap('shop', 'app.config', { 'app.kubernetes.io/name': 'web', empty: '' }),
      ]),
    ).not.toThrow();
  });
});

describe('guardClusterScopedObjects', () => {
  const binding = clusterBinding('agent-admin', 'cluster-admin', [
    { kind: 'ServiceAccount', name: 'agent', namespace: 'shop' },
    { kind: 'ServiceAccount', name: 'ops', namespace: 'monitoring' },
    { kind: 'User', name: 'jane' },
  ]);
  const role = planned(
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'r' } },
    RBAC,
    'clusterroles',
  );
  const webhook = planned(
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'inject' },
      webhooks: [{ name: 'a', clientConfig: { service: { namespace: 'shop', name: 'injector' } } }],
    },
    'admissionregistration.k8s.io',
    'mutatingwebhookconfigurations',
  );

  it('leaves a restore without moved namespaces as it is', () => {
    const { objects, warnings } = guardClusterScopedObjects([binding, role], { shop: 'shop' });
    expect(objects).toEqual([binding, role]);
    expect(warnings).toEqual([]);
  });

  it('renames a binding of moved subjects, keeps only them, and never changes other cluster objects', () => {
    const { objects, warnings } = guardClusterScopedObjects(
      [binding, role, webhook, configMap('shop')],
      { shop: 'shop-copy' },
    );
    const [copy, guardedRole, config] = objects;
    expect(objects).toHaveLength(3);
    expect(copy.object.metadata.name).toBe('agent-admin-shop-copy');
    expect(copy.object.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'agent', namespace: 'shop' },
    ]);
    expect(copy.createOnly).toBeDefined();
    expect(binding.object.metadata.name).toBe('agent-admin');
    expect(guardedRole.createOnly).toBeDefined();
    expect(config.createOnly).toBeUndefined();
    expect(warnings).toEqual([
      'ClusterRoleBinding agent-admin binds subjects of mapped namespaces: restored as agent-admin-shop-copy for them; the original binding is left as it is',
      'left out MutatingWebhookConfiguration inject: it calls a service in mapped namespace shop, and a copy would intercept requests for the whole cluster',
    ]);
  });

  it('keeps a derived name within the limit', () => {
    const long = clusterBinding('b'.repeat(250), 'view', [
      { kind: 'ServiceAccount', name: 'a', namespace: 'shop' },
    ]);
    const [copy] = guardClusterScopedObjects([long], { shop: 'shop-copy' }).objects;
    expect(copy.object.metadata.name).toHaveLength(253);
    expect(copy.object.metadata.name).toMatch(/^b+-[0-9a-f]{10}$/);
  });
});

describe('flagPrivilegedContent', () => {
  const reasons = (objects: PlannedObject[]) =>
    flagPrivilegedContent(objects).map(item => item.privileged ?? []);

  it('flags bindings to cluster-admin or to a planned role granting *', () => {
    const wildcard = planned(
      {
        apiVersion: `${RBAC}/v1`,
        kind: 'Role',
        metadata: { name: 'all', namespace: 'shop' },
        rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }],
      },
      RBAC,
      'roles',
    );
    const toRole = planned(
      {
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'b', namespace: 'shop' },
        roleRef: { kind: 'Role', name: 'all' },
      },
      RBAC,
      'rolebindings',
    );
    expect(
      reasons([
        clusterBinding('a', 'cluster-admin', []),
        clusterBinding('v', 'view', []),
        wildcard,
        toRole,
      ]),
    ).toEqual([['binds ClusterRole cluster-admin'], [], [], ['binds Role all, which grants "*"']]);
  });

  it('flags what the Pod Security baseline forbids, and nothing it allows', () => {
    expect(
      reasons([
        deployment(
          {
            hostNetwork: true,
            hostPID: true,
            volumes: [
              { name: 'logs', hostPath: { path: '/var/log' } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
          {
            securityContext: {
              privileged: true,
              capabilities: { add: ['NET_BIND_SERVICE', 'CAP_SYS_ADMIN'] },
            },
            ports: [{ containerPort: 80, hostPort: 8080 }],
          },
        ),
        deployment(
          {},
          {
            securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } },
            ports: [{ containerPort: 80 }],
          },
        ),
      ]),
    ).toEqual([
      [
        'uses hostNetwork',
        'uses hostPID',
        'mounts hostPath /var/log',
        'privileged container web',
        'container web adds capability SYS_ADMIN',
        'container web binds hostPort 8080',
      ],
      [],
    ]);
  });
});
