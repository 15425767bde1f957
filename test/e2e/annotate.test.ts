import {
  createWorkspace,
  kubectl,
  startE2eCluster,
  type E2eCluster,
  type Workspace,
} from './harness';

interface Marked {
  namespace: string;
  kind: string;
  name: string;
  capture: boolean;
  exclude: boolean;
  tags: string[];
  volumes: string[];
  markedOn: 'object' | 'pod-template';
}

describe('kubectl backup annotate', () => {
  let cluster: E2eCluster;
  let work: Workspace;

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  const getJson = async (args: string[]) =>
    JSON.parse(await kubectl(cluster.kubeconfig, [...args, '-o', 'json']));
  const marked = async (args: string[]) =>
    JSON.parse((await work.cli(['annotate', '--list', ...args, '-o', 'json'])).stdout) as Marked[];

  it('marks a workload with tags and volumes, visible to kubectl and in --list', async () => {
    const result = await work.cli([
      'annotate',
      'deploy/cart',
      '-n',
      'shop',
      '--tags',
      'hydrate,dev',
      '--volumes',
      'data',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('deployment.apps/cart marked');
    const deployment = await getJson(['get', 'deployment', 'cart', '-n', 'shop']);
    expect(deployment.metadata.annotations).toMatchObject({
      'kube-backup.io/capture': 'true',
      'kube-backup.io/tags': 'hydrate,dev',
      'kube-backup.io/volumes': 'data',
    });
    expect(await marked(['-n', 'shop'])).toContainEqual(
      expect.objectContaining({
        kind: 'Deployment',
        name: 'cart',
        capture: true,
        tags: ['hydrate', 'dev'],
        volumes: ['data'],
        markedOn: 'object',
      }),
    );
  });

  it("marks a controller-made pod's workload template instead, and says so", async () => {
    const pods = await getJson([
      'get',
      'pods',
      '-n',
      'shop',
      '-l',
      'app.kubernetes.io/name=catalog',
    ]);
    const pod = pods.items.find(
      (item: { metadata: { ownerReferences?: unknown[] } }) => item.metadata.ownerReferences,
    );
    expect(pod).toBeDefined();
    const result = await work.cli(['annotate', `pod/${pod.metadata.name}`, '-n', 'shop']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pod template of deployment.apps/catalog');
    const deployment = await getJson(['get', 'deployment', 'catalog', '-n', 'shop']);
    expect(deployment.spec.template.metadata.annotations['kube-backup.io/capture']).toBe('true');
    const podAfter = await getJson(['get', 'pod', pod.metadata.name, '-n', 'shop']);
    expect(podAfter.metadata.annotations?.['kube-backup.io/capture']).toBeUndefined();
    expect(await marked(['-A'])).toContainEqual(
      expect.objectContaining({ kind: 'Deployment', name: 'catalog', markedOn: 'pod-template' }),
    );
  });

  it('an annotated-only backup takes exactly what is marked, with dependencies', async () => {
    await work.initRepository();
    const result = await work.cli(['create', '-n', 'shop', '--annotated-only', '-o', 'json']);
    expect(result.code).toBe(0);
    const snapshot = JSON.parse(result.stdout);
    const objects = JSON.parse(
      (await work.cli(['describe', snapshot.id, '--objects', '-o', 'json'])).stdout,
    ).objects as Array<{ kind: string; name: string; restorable: boolean }>;
    const deployments = objects
      .filter(o => o.kind === 'Deployment')
      .map(o => o.name)
      .sort();
    expect(deployments).toEqual(['cart', 'catalog', 'storefront']);
    expect(objects.filter(o => o.kind === 'StatefulSet').map(o => o.name)).toEqual(['cart-redis']);
    expect(objects.some(o => o.kind === 'ServiceAccount' || o.kind === 'ConfigMap')).toBe(true);
  });

  it('excludes and unmarks', async () => {
    expect(
      (await work.cli(['annotate', 'deploy/cart', '-n', 'shop', '--exclude'])).stdout,
    ).toContain('excluded');
    expect(await marked(['-n', 'shop'])).toContainEqual(
      expect.objectContaining({ name: 'cart', exclude: true, capture: false }),
    );
    expect(
      (await work.cli(['annotate', 'deploy/cart', 'deploy/catalog', '-n', 'shop', '--remove']))
        .code,
    ).toBe(0);
    const remaining = await marked(['-n', 'shop']);
    expect(remaining.filter(item => item.name === 'cart' || item.name === 'catalog')).toEqual([]);
  });

  it('rejects bad input with one line and a non-zero exit', async () => {
    const cases: Array<[string[], RegExp, number]> = [
      [['annotate'], /name objects to mark/, 1],
      [['annotate', 'deploy/nope', '-n', 'shop'], /deployments.apps "nope" not found/, 3],
      [
        ['annotate', 'configmap/storefront-config', '-n', 'shop'],
        /cannot be marked for capture.*kubectl backup annotate --exclude/,
        1,
      ],
      [['annotate', 'widgets/x', '-n', 'shop'], /unknown resource type "widgets"/, 1],
      [['annotate', 'deploy/cart', '--exclude', '--remove', '-n', 'shop'], /cannot be combined/, 1],
    ];
    for (const [args, message, exitCode] of cases) {
      const result = await work.cli(args);
      expect(result.code).toBe(exitCode);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
