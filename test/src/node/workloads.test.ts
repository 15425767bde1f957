/**
 * What the node does with pods and Jobs beyond one container: environment from ConfigMaps,
 * Secrets and the downward API, init containers, restart policies and counts, in-cluster
 * access with the service account's token, and Jobs with completions and a backoff limit.
 * Then the faults a test can inject (test cluster only).
 */
import {
  IMAGES,
  must,
  phaseIs,
  pod,
  startPodCluster,
  type PodCluster,
  type PodStatus,
} from '../testing/pod-cluster';

let cluster: PodCluster;

beforeAll(async () => {
  cluster = await startPodCluster('workloads');
});

afterAll(async () => {
  await cluster?.stop();
});

const logs = (name: string, ...args: string[]) =>
  must(cluster.kubectl(['-n', cluster.namespace, 'logs', name, ...args]));

interface Job {
  status?: {
    succeeded?: number;
    failed?: number;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
  };
}
const jobDone = (j: Job) =>
  (j.status?.conditions ?? []).some(
    c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );

test('env from ConfigMaps, Secrets and the downward API; init containers run first', async () => {
  await cluster.apply(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds' },
      stringData: { password: 's3cret' },
    },
    pod(
      'env',
      {
        command: [
          'sh',
          '-c',
          'cat /work/init; echo "$MODE $PASSWORD $POD $NS $NODE_SET $GREETING"',
        ],
        workingDir: '/work',
        env: [
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'NODE_SET', value: '$(POD)-ok' },
          { name: 'GREETING', value: 'hi' },
        ],
        volumeMounts: [{ name: 'work', mountPath: '/work' }],
      },
      {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          {
            name: 'prepare',
            image: IMAGES.busybox,
            command: ['sh', '-c', 'echo init ran > /work/init'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
      },
    ),
  );
  const done = await cluster.until<PodStatus>('pod', 'env', phaseIs('Succeeded', 'Failed'));
  expect(done.status?.initContainerStatuses?.[0].state.terminated?.exitCode).toBe(0);
  expect(await logs('env')).toBe(`init ran\nfast s3cret env ${cluster.namespace} env-ok hi\n`);
});

test('restartPolicy decides restarts: OnFailure restarts a failing container, Never fails the pod', async () => {
  await cluster.apply(
    pod(
      'flaky',
      {
        command: ['sh', '-c', 'echo run; [ -e /data/ran ] && exit 0; touch /data/ran; exit 2'],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { restartPolicy: 'OnFailure', volumes: [{ name: 'data', emptyDir: {} }] },
    ),
    pod('fails', { command: ['sh', '-c', 'exit 5'] }, { restartPolicy: 'Never' }),
  );
  const flaky = await cluster.until<PodStatus>('pod', 'flaky', phaseIs('Succeeded', 'Failed'));
  expect(flaky.status?.phase).toBe('Succeeded');
  expect(flaky.status?.containerStatuses?.[0]).toMatchObject({
    restartCount: 1,
    lastState: { terminated: { exitCode: 2, reason: 'Error' } },
    state: { terminated: { exitCode: 0, reason: 'Completed' } },
  });
  expect(await logs('flaky', '--previous')).toBe('run\n');
  const fails = await cluster.until<PodStatus>('pod', 'fails', phaseIs('Succeeded', 'Failed'));
  expect(fails.status?.phase).toBe('Failed');
  expect(fails.status?.containerStatuses?.[0].state.terminated).toMatchObject({
    exitCode: 5,
    reason: 'Error',
  });
});

test('a container reaches the API server with its service account token (in-cluster config)', async () => {
  await cluster.apply(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: cluster.namespace }],
    },
    pod(
      'in-cluster',
      {
        image: IMAGES.mover,
        command: [
          'node',
          '-e',
          `const fs = require('fs'); const https = require('https');
           const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
           const ns = fs.readFileSync(dir + '/namespace', 'utf8');
           https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT,
             path: '/api/v1/namespaces/' + ns + '/configmaps/kube-root-ca.crt', ca: fs.readFileSync(dir + '/ca.crt'),
             headers: { Authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8') } },
             res => { let body = ''; res.on('data', d => body += d); res.on('end', () => console.log(res.statusCode, JSON.parse(body).metadata.name)); });`,
        ],
      },
      { restartPolicy: 'Never', serviceAccountName: 'reader' },
    ),
  );
  await cluster.until<PodStatus>('pod', 'in-cluster', phaseIs('Succeeded', 'Failed'));
  expect(await logs('in-cluster')).toBe('200 kube-root-ca.crt\n');
});

test('a Job runs its pods to the completions asked; one that keeps failing ends Failed', async () => {
  const job = (name: string, command: string, extra: object = {}) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...extra,
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'work', image: IMAGES.busybox, command: ['sh', '-c', command] }],
        },
      },
    },
  });
  await cluster.apply(
    job('twice', 'echo done', { completions: 2 }),
    job('broken', 'exit 1', { backoffLimit: 1 }),
  );
  const twice = await cluster.until<Job>('job', 'twice', jobDone);
  expect(twice.status).toMatchObject({ succeeded: 2 });
  expect(twice.status?.conditions).toEqual(
    expect.arrayContaining([expect.objectContaining({ type: 'Complete', status: 'True' })]),
  );
  const broken = await cluster.until<Job>('job', 'broken', jobDone);
  expect(broken.status?.conditions).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }),
    ]),
  );
  expect(broken.status?.failed).toBe(2);
  const wait = await cluster.kubectl([
    '-n',
    cluster.namespace,
    'wait',
    '--for=condition=complete',
    'job/twice',
    '--timeout=120s',
  ]);
  expect(wait.code).toBe(0);
});

const describeOnTestCluster = process.env.KUBE_BACKUP_E2E_KUBECONFIG ? describe.skip : describe;

describeOnTestCluster('faults', () => {
  test('a killed container exits 137 and restarts under restartPolicy Always', async () => {
    await cluster.apply(pod('victim', { command: ['sleep', '3600'] }));
    await cluster.until<PodStatus>(
      'pod',
      'victim',
      p => p.status?.containerStatuses?.[0]?.ready === true,
    );
    await cluster.server!.faults.killContainer!(cluster.namespace, 'victim');
    const restarted = await cluster.until<PodStatus>(
      'pod',
      'victim',
      p =>
        p.status?.containerStatuses?.[0]?.restartCount === 1 && p.status.containerStatuses[0].ready,
    );
    expect(restarted.status?.containerStatuses?.[0].lastState.terminated).toMatchObject({
      exitCode: 137,
      reason: 'Error',
    });
  });

  test('a missing image leaves the pod in ErrImagePull, then ImagePullBackOff', async () => {
    cluster.server!.faults.missingImage!(IMAGES.testApp);
    await cluster.apply(pod('unpullable', { image: IMAGES.testApp, args: ['sleep'] }));
    const waiting = (reason: string) => (p: PodStatus) =>
      p.status?.containerStatuses?.[0]?.state.waiting?.reason === reason;
    const failed = await cluster.until<PodStatus>('pod', 'unpullable', waiting('ErrImagePull'));
    expect(failed.status?.containerStatuses?.[0].state.waiting?.message).toMatch(
      /Failed to pull image "kube-backup\/test-app:latest": .*not found/,
    );
    await cluster.until<PodStatus>('pod', 'unpullable', waiting('ImagePullBackOff'));
    cluster.server!.faults.reset();
    await cluster.until<PodStatus>('pod', 'unpullable', phaseIs('Running'));
  });

  test('a node that goes NotReady stops its pods; they come back when it is Ready', async () => {
    await cluster.until<PodStatus>(
      'pod',
      'victim',
      p => p.status?.containerStatuses?.[0]?.ready === true,
    );
    await cluster.server!.faults.nodeNotReady!();
    const node = await must(cluster.kubectl(['get', 'nodes', cluster.server!.node!.name]));
    expect(node).toMatch(/NotReady/);
    const down = await cluster.get<PodStatus>('pod', 'victim');
    expect(down?.status?.conditions?.find(c => c.type === 'Ready')?.status).toBe('False');
    const exec = await cluster.kubectl(['exec', '-n', cluster.namespace, 'victim', '--', 'true']);
    expect(exec.code).not.toBe(0);
    cluster.server!.faults.nodeReady!();
    const back = await cluster.until<PodStatus>(
      'pod',
      'victim',
      p => p.status?.containerStatuses?.[0]?.ready === true,
    );
    expect(back.status?.containerStatuses?.[0].restartCount).toBe(2);
  });

  test('a container killed on start exits 137, and a pod that does not restart fails', async () => {
    const undo = cluster.server!.faults.killOnStart!(p => p.metadata.name === 'doomed');
    await cluster.apply(pod('doomed', { command: ['sleep', '3600'] }, { restartPolicy: 'Never' }));
    const failed = await cluster.until<PodStatus>('pod', 'doomed', phaseIs('Failed'));
    expect(failed.status?.containerStatuses?.[0].state.terminated).toMatchObject({ exitCode: 137 });
    undo();
    await cluster.apply(pod('spared', { command: ['true'] }, { restartPolicy: 'Never' }));
    await cluster.until<PodStatus>('pod', 'spared', phaseIs('Succeeded'));
  });

  test('a slow start holds containers in ContainerCreating until released', async () => {
    const release = cluster.server!.faults.slowStart!(p => p.metadata.name === 'held');
    await cluster.apply(pod('held', { command: ['sleep', '3600'] }));
    const creating = await cluster.until<PodStatus>(
      'pod',
      'held',
      p => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'ContainerCreating',
    );
    expect(creating.status?.phase).toBe('Pending');
    release();
    await cluster.until<PodStatus>('pod', 'held', phaseIs('Running'));
  });
});
