/**
 * Fidelity: the real kubectl binary against the test server, on the production fixtures.
 * Output and error text are kubectl's own, so these tests prove the server answers the
 * way a real API server does wherever kubectl looks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from './index';
import { kubectlRunner, type Kubectl } from '../testing/kubectl';

const FIXTURES = join(__dirname, '../../fixtures/production');

let cluster: TestCluster;
let kubectl: Kubectl;
let dir: string;

function file(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

beforeAll(async () => {
  cluster = await startTestCluster({
    seed: [FIXTURES],
    crdEstablishDelayMs: 100,
    recordRequests: true,
  });
  kubectl = kubectlRunner(cluster.kubeconfigPath);
  dir = mkdtempSync(join(tmpdir(), 'kubectl-fidelity-'));
});

afterAll(async () => {
  await cluster?.stop();
});

describe('discovery and reads', () => {
  test('version and api-resources', async () => {
    const version = await kubectl(['version']);
    expect(version.stdout).toContain('Server Version: v1.32.4');
    const resources = await kubectl(['api-resources']);
    expect(resources.code).toBe(0);
    const line = (name: string) => resources.stdout.split('\n').find(l => l.startsWith(`${name} `));
    expect(line('deployments')).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/);
    expect(line('namespaces')).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/);
    expect(line('databases')).toMatch(/^databases\s+db\s+example\.io\/v1\s+true\s+Database$/);
    expect(line('volumesnapshots')).toMatch(
      /snapshot\.storage\.k8s\.io\/v1\s+true\s+VolumeSnapshot$/,
    );
  });

  test('get namespaces', async () => {
    const { stdout } = await kubectl(['get', 'ns']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'shop', 'payments', 'monitoring']) {
      expect(stdout).toMatch(new RegExp(`^${ns}\\s+Active\\s`, 'm'));
    }
  });

  test('get -o json returns a List of full objects', async () => {
    const { stdout } = await kubectl(['get', 'deploy', '-n', 'shop', '-o', 'json']);
    const list = JSON.parse(stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((d: { metadata: { name: string } }) => d.metadata.name).sort()).toEqual([
      'cart',
      'catalog',
      'storefront',
    ]);
    const storefront = list.items.find(
      (d: { metadata: { name: string } }) => d.metadata.name === 'storefront',
    );
    expect(storefront.apiVersion).toBe('apps/v1');
    expect(storefront.kind).toBe('Deployment');
    expect(storefront.metadata.annotations['kube-backup.io/capture']).toBe('true');
    expect(storefront.status.readyReplicas).toBe(3);
  });

  test('label and field selectors', async () => {
    const byLabel = await kubectl([
      'get',
      'pods',
      '-n',
      'shop',
      '-l',
      'app.kubernetes.io/name=cart',
      '-o',
      'name',
    ]);
    expect(byLabel.stdout.trim().split('\n')).toHaveLength(2);
    const setBased = await kubectl([
      'get',
      'pods',
      '-n',
      'shop',
      '-o',
      'name',
      '-l',
      'app.kubernetes.io/name in (cart,catalog),!statefulset.kubernetes.io/pod-name',
    ]);
    expect(setBased.stdout.trim().split('\n')).toHaveLength(4);
    const entity = await kubectl([
      'get',
      'deploy,sts',
      '-A',
      '-l',
      'backstage.io/kubernetes-id=payments-api',
      '-o',
      'name',
    ]);
    expect(entity.stdout.trim().split('\n').sort()).toEqual([
      'deployment.apps/payments-api',
      'deployment.apps/payments-worker',
      'statefulset.apps/ledger-db',
    ]);
    const phase = await kubectl([
      'get',
      'pods',
      '-n',
      'shop',
      '--field-selector',
      'status.phase=Succeeded',
      '-o',
      'name',
    ]);
    expect(phase.stdout.trim().split('\n')).toHaveLength(2);
    expect(phase.stdout).toContain('pod/sitemap-generator-');
  });

  test('get all uses the "all" category', async () => {
    const { stdout, code } = await kubectl(['get', 'all', '-n', 'shop']);
    expect(code).toBe(0);
    for (const prefix of [
      'pod/storefront-',
      'service/storefront',
      'deployment.apps/storefront',
      'replicaset.apps/storefront-',
      'statefulset.apps/cart-redis',
      'cronjob.batch/sitemap-generator',
      'job.batch/sitemap-generator-',
      'horizontalpodautoscaler.autoscaling/storefront',
    ]) {
      expect(stdout).toContain(prefix);
    }
    expect(stdout).toMatch(/deployment\.apps\/storefront\s+3\/3\s+3\s+3\s/);
  });

  test('chunked listing follows continue tokens', async () => {
    cluster.requests.length = 0;
    const { stdout, code } = await kubectl([
      'get',
      'pods',
      '-n',
      'shop',
      '--chunk-size=2',
      '-o',
      'name',
    ]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(11);
    const lists = cluster.requests.filter(
      r => r.method === 'GET' && r.path === '/api/v1/namespaces/shop/pods',
    );
    expect(lists.length).toBe(6);
    expect(lists[0].query).toContain('limit=2');
    expect(lists.slice(1).every(r => /continue=/.test(r.query))).toBe(true);
  });

  test('NotFound is reported like a real server', async () => {
    const result = await kubectl(['get', 'deploy', 'nope', '-n', 'shop']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Error from server (NotFound): deployments.apps "nope" not found',
    );
  });

  test('custom resources print their additional columns', async () => {
    const { stdout } = await kubectl(['get', 'databases', '-n', 'payments']);
    expect(stdout).toMatch(/^NAME\s+ENGINE\s+VERSION\s+READY\s+AGE$/m);
    expect(stdout).toMatch(/^ledger\s+postgres\s+16\.2\s+True\s/m);
  });
});

describe('writes', () => {
  beforeAll(async () => {
    await kubectl(['create', 'namespace', 'fidelity']);
  });

  test('create -f, then AlreadyExists', async () => {
    const path = file(
      'cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: created\n  namespace: fidelity\ndata:\n  key: value\n',
    );
    const first = await kubectl(['create', '-f', path]);
    expect(first.stdout.trim()).toBe('configmap/created created');
    const again = await kubectl(['create', '-f', path]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      `Error from server (AlreadyExists): error when creating "${path}": configmaps "created" already exists`,
    );
  });

  test('client-side apply: created, unchanged, configured', async () => {
    const yaml = (replicas: number) =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web, namespace: fidelity, labels: {app: web}}',
        'spec:',
        `  replicas: ${replicas}`,
        '  selector: {matchLabels: {app: web}}',
        '  template:',
        '    metadata: {labels: {app: web}}',
        '    spec:',
        '      containers:',
        '      - {name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}',
        '',
      ].join('\n');
    const path = file('web.yaml', yaml(2));
    expect((await kubectl(['apply', '-f', path])).stdout.trim()).toBe(
      'deployment.apps/web created',
    );
    expect((await kubectl(['apply', '-f', path])).stdout.trim()).toBe(
      'deployment.apps/web unchanged',
    );
    file('web.yaml', yaml(4));
    expect((await kubectl(['apply', '-f', path])).stdout.trim()).toBe(
      'deployment.apps/web configured',
    );
    const web = cluster.store.get('apps/v1', 'Deployment', 'fidelity', 'web')!;
    expect(web.spec).toMatchObject({ replicas: 4 });
    expect(web.metadata.generation).toBe(2);
    expect(web.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      '"replicas":4',
    );
    expect(web.metadata.managedFields!.map(m => m.manager).sort()).toEqual([
      'kubectl-client-side-apply',
    ]);
  });

  test('server-side apply, conflicts and --force-conflicts', async () => {
    const yaml = (color: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: fidelity\ndata:\n  color: ${color}\n  size: large\n`;
    const path = file('ssa.yaml', yaml('blue'));
    const created = await kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', path]);
    expect(created.stdout.trim()).toBe('configmap/ssa serverside-applied');
    file('ssa.yaml', yaml('green'));
    const conflict = await kubectl([
      'apply',
      '--server-side',
      '--field-manager=team-b',
      '-f',
      path,
    ]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'error: Apply failed with 1 conflict: conflict with "team-a": .data.color',
    );
    const forced = await kubectl([
      'apply',
      '--server-side',
      '--field-manager=team-b',
      '--force-conflicts',
      '-f',
      path,
    ]);
    expect(forced.code).toBe(0);
    const cm = cluster.store.get('v1', 'ConfigMap', 'fidelity', 'ssa')!;
    expect(cm.data).toEqual({ color: 'green', size: 'large' });
    const owners = Object.fromEntries(cm.metadata.managedFields!.map(m => [m.manager, m.fieldsV1]));
    expect(owners['team-a']).toEqual({ 'f:data': { 'f:size': {} } });
    expect(owners['team-b']).toEqual({ 'f:data': { 'f:color': {}, 'f:size': {} } });
  });

  test('client-side apply, then --server-side: the upgrade takes over without conflicts', async () => {
    const yaml = (replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: upgrade, namespace: fidelity}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: upgrade}}\n  template:\n    metadata: {labels: {app: upgrade}}\n    spec: {containers: [{name: app, image: "nginx:1.27"}]}\n`;
    const path = file('upgrade.yaml', yaml(2));
    await kubectl(['apply', '-f', path]);
    file('upgrade.yaml', yaml(3));
    const upgraded = await kubectl(['apply', '--server-side', '-f', path]);
    expect(upgraded.stdout.trim()).toBe('deployment.apps/upgrade serverside-applied');
    const live = cluster.store.get('apps/v1', 'Deployment', 'fidelity', 'upgrade')!;
    expect(live.spec).toMatchObject({ replicas: 3 });
    expect(live.metadata.managedFields!.map(m => `${m.manager}/${m.operation}`).sort()).toEqual([
      'kubectl-last-applied/Apply',
      'kubectl/Apply',
    ]);
    expect(
      live.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'],
    ).toContain('"replicas":3');
  });

  test('patch: json, merge and strategic', async () => {
    expect(
      (
        await kubectl([
          'patch',
          'deploy',
          'web',
          '-n',
          'fidelity',
          '--type',
          'json',
          '-p',
          '[{"op":"replace","path":"/spec/replicas","value":1}]',
        ])
      ).stdout.trim(),
    ).toBe('deployment.apps/web patched');
    await kubectl([
      'patch',
      'deploy',
      'web',
      '-n',
      'fidelity',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"tier":"front"}}}',
    ]);
    await kubectl([
      'patch',
      'deploy',
      'web',
      '-n',
      'fidelity',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"},{"name":"web","image":"nginx:1.28"}]}}}}',
    ]);
    const web = cluster.store.get('apps/v1', 'Deployment', 'fidelity', 'web')! as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(web.spec.replicas).toBe(1);
    expect(web.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(
      web.spec.template.spec.containers.map(
        (c: { name: string; image: string }) => `${c.name}=${c.image}`,
      ),
    ).toEqual(['web=nginx:1.28', 'sidecar=busybox:1.36']);
    const failed = await kubectl([
      'patch',
      'deploy',
      'web',
      '-n',
      'fidelity',
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/spec/replicas","value":9}]',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'the server rejected our request due to an error in our request',
    );
    const unsupported = await kubectl([
      'patch',
      'database',
      'ledger',
      '-n',
      'payments',
      '-p',
      '{"spec":{"replicas":2}}',
    ]);
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toContain('the body of the request was in an unknown format');
  });

  test('label, annotate, scale, set image', async () => {
    expect(
      (await kubectl(['label', 'deploy', 'web', '-n', 'fidelity', 'owner=team-a'])).stdout.trim(),
    ).toBe('deployment.apps/web labeled');
    expect(
      (await kubectl(['annotate', 'deploy', 'web', '-n', 'fidelity', 'note=hello'])).code,
    ).toBe(0);
    expect(
      (await kubectl(['scale', 'deploy', 'web', '-n', 'fidelity', '--replicas=3'])).stdout.trim(),
    ).toBe('deployment.apps/web scaled');
    expect(
      (await kubectl(['set', 'image', 'deploy/web', '-n', 'fidelity', 'web=nginx:1.29'])).code,
    ).toBe(0);
    const web = cluster.store.get('apps/v1', 'Deployment', 'fidelity', 'web')! as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(web.metadata.labels.owner).toBe('team-a');
    expect(web.metadata.annotations.note).toBe('hello');
    expect(web.spec.replicas).toBe(3);
    expect(web.spec.template.spec.containers[0].image).toBe('nginx:1.29');
  });

  test('replace with a stale resourceVersion is a Conflict', async () => {
    const current = JSON.parse(
      (await kubectl(['get', 'cm', 'created', '-n', 'fidelity', '-o', 'json'])).stdout,
    );
    await kubectl(['label', 'cm', 'created', '-n', 'fidelity', 'bump=1']);
    current.data.key = 'stale';
    const result = await kubectl(['replace', '-f', '-'], { input: JSON.stringify(current) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "created": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  test('typed create commands (protobuf bodies) and server-side dry run', async () => {
    const commands = [
      ['create', 'secret', 'generic', 'token', '-n', 'fidelity', '--from-literal=password=hunter2'],
      [
        'create',
        'deployment',
        'api',
        '-n',
        'fidelity',
        '--image=ghcr.io/acme/api:1.0',
        '--replicas=2',
        '--port=8080',
      ],
      ['create', 'service', 'clusterip', 'api', '-n', 'fidelity', '--tcp=80:8080'],
      [
        'create',
        'cronjob',
        'nightly',
        '-n',
        'fidelity',
        '--image=busybox',
        '--schedule=0 0 * * *',
        '--',
        'date',
      ],
      ['create', 'role', 'reader', '-n', 'fidelity', '--verb=get,list', '--resource=pods'],
      [
        'create',
        'rolebinding',
        'reader',
        '-n',
        'fidelity',
        '--role=reader',
        '--serviceaccount=fidelity:default',
      ],
    ];
    for (const args of commands) {
      const result = await kubectl(args);
      expect(result.stderr).toBe('');
    }
    const secret = cluster.store.get('v1', 'Secret', 'fidelity', 'token')!;
    expect(secret.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    const api = cluster.store.get('apps/v1', 'Deployment', 'fidelity', 'api')! as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(api.spec.replicas).toBe(2);
    expect(api.spec.template.spec.containers[0]).toMatchObject({
      name: 'api',
      image: 'ghcr.io/acme/api:1.0',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    });
    const svc = cluster.store.get('v1', 'Service', 'fidelity', 'api')! as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(svc.spec.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec.ports).toEqual([
      { name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 },
    ]);

    const before = cluster.store.count();
    const dry = await kubectl([
      'create',
      'configmap',
      'dry',
      '-n',
      'fidelity',
      '--from-literal=a=b',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(JSON.parse(dry.stdout).metadata.uid).toBeTruthy();
    const dryFile = await kubectl([
      'apply',
      '-f',
      file(
        'dry.yaml',
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: dry, namespace: fidelity}\n',
      ),
      '--dry-run=server',
    ]);
    expect(dryFile.stdout.trim()).toBe('serviceaccount/dry created (server dry run)');
    expect(cluster.store.count()).toBe(before);
    expect(cluster.store.get('v1', 'ConfigMap', 'fidelity', 'dry')).toBeUndefined();
  });

  test('create job --from=cronjob keeps the pod template whole (protobuf body)', async () => {
    const podSpec = {
      restartPolicy: 'Never',
      serviceAccountName: 'default',
      securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, fsGroup: 2000 },
      volumes: [
        { name: 'repository', hostPath: { path: '/srv/backups', type: 'Directory' } },
        { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'creds', secret: { secretName: 'token', defaultMode: 256, optional: false } },
        {
          name: 'settings',
          configMap: { name: 'settings', items: [{ key: 'a', path: 'a.txt' }] },
        },
        { name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
      ],
      containers: [
        {
          name: 'backup',
          image: 'busybox',
          args: ['date'],
          env: [
            { name: 'PLAIN', value: 'x' },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'token', key: 'password' } } },
            {
              name: 'MODE',
              valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode', optional: true } },
            },
            {
              name: 'POD',
              valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
            },
            {
              name: 'CPU',
              valueFrom: {
                resourceFieldRef: { containerName: 'backup', resource: 'limits.cpu' },
              },
            },
          ],
          envFrom: [{ prefix: 'S_', secretRef: { name: 'token' } }],
          volumeMounts: [
            { name: 'repository', mountPath: '/repository' },
            { name: 'data', mountPath: '/data', readOnly: true, subPath: 'inner' },
          ],
          securityContext: {
            runAsUser: 65532,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    };
    const applied = await kubectl(['apply', '-n', 'fidelity', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'whole' },
        spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: podSpec } } } },
      }),
    });
    expect(applied.stderr).toBe('');
    const created = await kubectl([
      'create',
      'job',
      'whole-now',
      '-n',
      'fidelity',
      '--from=cronjob/whole',
    ]);
    expect(created.stderr).toBe('');
    const job = cluster.store.get('batch/v1', 'Job', 'fidelity', 'whole-now')! as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(job.metadata.annotations).toEqual({ 'cronjob.kubernetes.io/instantiate': 'manual' });
    expect(job.spec.template.spec).toMatchObject(podSpec);
  });

  test('delete cascades to controller-owned children', async () => {
    const rs = cluster.store
      .list('apps/v1', 'ReplicaSet', 'shop')
      .find(r => r.metadata.name!.startsWith('catalog-'))!;
    const result = await kubectl(['delete', 'deploy', 'catalog', '-n', 'shop']);
    expect(result.stdout.trim()).toBe('deployment.apps "catalog" deleted');
    expect(cluster.store.get('apps/v1', 'ReplicaSet', 'shop', rs.metadata.name!)).toBeUndefined();
    const pods = cluster.store
      .list('v1', 'Pod', 'shop')
      .filter(p => p.metadata.name!.startsWith('catalog-'));
    expect(pods).toEqual([]);
  });

  test('wait uses list+watch', async () => {
    const result = await kubectl([
      'wait',
      '--for=condition=Available',
      'deploy/storefront',
      '-n',
      'shop',
      '--timeout=120s',
    ]);
    expect(result.stdout.trim()).toBe('deployment.apps/storefront condition met');
  });
});

describe('permissions', () => {
  test('the read-only context reads but cannot write', async () => {
    const read = await kubectl([
      '--context',
      'kube-test-viewer',
      'get',
      'deploy',
      '-n',
      'shop',
      '-o',
      'name',
    ]);
    expect(read.code).toBe(0);
    const write = await kubectl([
      '--context',
      'kube-test-viewer',
      'delete',
      'deploy',
      'storefront',
      '-n',
      'shop',
    ]);
    expect(write.code).toBe(1);
    expect(write.stderr.trim()).toBe(
      'Error from server (Forbidden): deployments.apps "storefront" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "shop"',
    );
  });

  test('auth can-i and whoami answer from the same rules', async () => {
    const viewer = ['--context', 'kube-test-viewer'];
    expect(
      (
        await kubectl([...viewer, 'auth', 'can-i', 'list', 'deployments', '-n', 'shop'])
      ).stdout.trim(),
    ).toBe('yes');
    const denied = await kubectl([
      ...viewer,
      'auth',
      'can-i',
      'delete',
      'deployments',
      '-n',
      'shop',
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stdout.trim()).toBe('no');
    cluster.faults.forbid(cluster.token, 'secrets');
    try {
      expect((await kubectl(['auth', 'can-i', 'get', 'secrets', '-n', 'shop'])).stdout.trim()).toBe(
        'no',
      );
    } finally {
      cluster.faults.reset();
    }
    const whoami = await kubectl([...viewer, 'auth', 'whoami']);
    expect(whoami.stdout).toMatch(/^Username\s+viewer$/m);
  });

  test('an impersonated service account gets what its RBAC bindings grant, and nothing more', async () => {
    const as = ['--as', 'system:serviceaccount:shop:deployer'];
    const canI = async (...args: string[]) =>
      (await kubectl([...as, 'auth', 'can-i', ...args])).stdout.trim();
    expect(await canI('list', 'configmaps', '-n', 'shop')).toBe('no');
    await kubectl([
      'apply',
      '-f',
      file(
        'deployer-rbac.yaml',
        `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fidelity-reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-reads, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fidelity-reader}
subjects: [{kind: ServiceAccount, name: deployer, namespace: shop}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: scale-storefront, namespace: shop}
rules:
  - {apiGroups: [apps], resources: [deployments/scale], resourceNames: [storefront], verbs: [patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployers-scale, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: scale-storefront}
subjects: [{kind: Group, name: "system:serviceaccounts:shop"}]
`,
      ),
    ]);
    expect(await canI('list', 'configmaps', '-n', 'shop')).toBe('yes');
    expect(await canI('list', 'configmaps', '-n', 'payments')).toBe('no');
    expect(await canI('create', 'configmaps', '-n', 'shop')).toBe('no');
    // Through the service accounts' group, for one object's subresource only.
    expect(
      await canI('patch', 'deployments/storefront', '--subresource', 'scale', '-n', 'shop'),
    ).toBe('yes');
    expect(await canI('patch', 'deployments/cart', '--subresource', 'scale', '-n', 'shop')).toBe(
      'no',
    );

    expect((await kubectl([...as, 'get', 'configmaps', '-n', 'shop', '-o', 'name'])).code).toBe(0);
    const denied = await kubectl([...as, 'get', 'secrets', '-n', 'shop']);
    expect(denied.stderr.trim()).toBe(
      'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:shop:deployer" cannot list resource "secrets" in API group "" in the namespace "shop"',
    );
    const rules = await kubectl([...as, 'auth', 'can-i', '--list', '-n', 'shop']);
    expect(rules.stdout).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[get list\]$/m);
    expect(rules.stdout).not.toMatch(/^secrets/m);
    const whoami = await kubectl([...as, 'auth', 'whoami']);
    expect(whoami.stdout).toMatch(/^Username\s+system:serviceaccount:shop:deployer$/m);
    expect(whoami.stdout).toMatch(/system:serviceaccounts:shop/);

    // Impersonating takes the rights to do so.
    const viewer = await kubectl([
      '--context',
      'kube-test-viewer',
      ...as,
      'get',
      'configmaps',
      '-n',
      'shop',
    ]);
    expect(viewer.stderr.trim()).toBe(
      'Error from server (Forbidden): users "system:serviceaccount:shop:deployer" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  test('a forbidden resource type is denied to that token only', async () => {
    cluster.faults.forbid(cluster.readOnlyToken, 'secrets');
    try {
      const denied = await kubectl([
        '--context',
        'kube-test-viewer',
        'get',
        'secrets',
        '-n',
        'shop',
      ]);
      expect(denied.stderr.trim()).toBe(
        'Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "shop"',
      );
      expect((await kubectl(['get', 'secrets', '-n', 'shop', '-o', 'name'])).code).toBe(0);
    } finally {
      cluster.faults.reset();
    }
  });
});

describe('custom resource definitions', () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.acme.io}
spec:
  group: acme.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wg]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            properties:
              size: {x-kubernetes-int-or-string: true}
`;

  test('a new CRD is served once established, and goes away with its objects', async () => {
    expect((await kubectl(['apply', '-f', file('crd.yaml', crd)])).stdout.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.acme.io created',
    );
    const waited = await kubectl([
      'wait',
      '--for=condition=Established',
      'crd/widgets.acme.io',
      '--timeout=120s',
    ]);
    expect(waited.stdout.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.acme.io condition met',
    );
    const cr = `apiVersion: acme.io/v1
kind: Widget
metadata: {name: w1, namespace: fidelity}
spec:
  size: 3
  color: red
  nested: {anything: [1, "two", {three: 3}]}
junk: dropped
`;
    const path = file('w1.yaml', cr);
    const strict = await kubectl(['apply', '-f', path]);
    expect(strict.code).toBe(1);
    expect(strict.stderr.trim()).toBe(
      `Error from server (BadRequest): error when creating "${path}": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "junk"`,
    );
    const warned = await kubectl(['apply', '--validate=warn', '-f', path]);
    expect(warned.stdout.trim()).toBe('widget.acme.io/w1 created');
    expect(warned.stderr.trim()).toBe('Warning: unknown field "junk"');
    const got = JSON.parse(
      (await kubectl(['get', 'wg', 'w1', '-n', 'fidelity', '-o', 'json'])).stdout,
    );
    expect(got.spec).toEqual({
      size: 3,
      color: 'red',
      nested: { anything: [1, 'two', { three: 3 }] },
    });
    expect(got.junk).toBeUndefined();
    expect((await kubectl(['get', 'widgets', '-n', 'fidelity'])).stdout).toMatch(/^w1\s+\S+$/m);

    expect((await kubectl(['delete', 'crd', 'widgets.acme.io'])).code).toBe(0);
    // kubectl's cached discovery still knows the type; the list itself is a NotFound.
    const gone = await kubectl(['get', 'widgets', '-n', 'fidelity']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('the server could not find the requested resource');
    const resources = await kubectl(['api-resources', '--api-group=acme.io']);
    expect(resources.stdout).not.toContain('widgets');
  });
});

describe('namespaces', () => {
  test('delete a namespace and everything in it', async () => {
    expect((await kubectl(['create', 'ns', 'doomed'])).stdout.trim()).toBe(
      'namespace/doomed created',
    );
    expect(cluster.store.get('v1', 'ServiceAccount', 'doomed', 'default')).toBeDefined();
    expect(cluster.store.get('v1', 'ConfigMap', 'doomed', 'kube-root-ca.crt')).toBeDefined();
    await kubectl(['create', 'configmap', 'x', '-n', 'doomed']);
    expect((await kubectl(['delete', 'ns', 'doomed'])).stdout.trim()).toBe(
      'namespace "doomed" deleted',
    );
    expect(cluster.store.get('v1', 'Namespace', undefined, 'doomed')).toBeUndefined();
    expect(cluster.store.list('v1', 'ConfigMap', 'doomed')).toEqual([]);
  });
});
