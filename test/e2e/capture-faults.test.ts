import { kill } from 'node:process';
import { spawn } from 'node:child_process';
import { Repository, type Snapshot } from '@kube-backup/core';
import { CLI, createWorkspace, startE2eCluster, type E2eCluster, type Workspace } from './harness';

// These cases need to make the API server misbehave on purpose, which only the test
// server can do; against a real cluster they are skipped.
const describeWithFaults = process.env.KUBE_BACKUP_E2E_KUBECONFIG ? describe.skip : describe;

describeWithFaults('kubectl backup create when the cluster or the process misbehaves', () => {
  let cluster: E2eCluster;
  let work: Workspace;

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
  });
  afterEach(() => cluster.server!.faults.reset());
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  const snapshots = async () =>
    JSON.parse((await work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];

  it('keeps what it could when a resource type is forbidden, records the error and exits non-zero', async () => {
    cluster.server!.faults.forbid(cluster.server!.token, 'secrets');
    const result = await work.cli(['create', '-n', 'shop', '-o', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: secrets in shop: .*forbidden/);
    expect(result.stderr).toMatch(/is partial: 1 error\(s\); the rest was kept/);
    const snapshot = JSON.parse(result.stdout) as Snapshot;
    expect(snapshot.status).toBe('partial');
    expect(snapshot.errors).toEqual([
      expect.objectContaining({ resource: 'secrets', namespace: 'shop' }),
    ]);
    expect(snapshot.counts.byKind.Secret).toBeUndefined();
    expect(snapshot.counts.byKind.Deployment).toBeGreaterThan(0);
    const listed = (await snapshots()).find(s => s.id === snapshot.id)!;
    expect(listed.status).toBe('partial');
  });

  it('waits out throttling (429 with Retry-After) and restarts a list whose continue token expired', async () => {
    cluster.server!.faults.throttle(3, request => request.path.endsWith('/configmaps'));
    cluster.server!.faults.expireNextContinue();
    const result = await work.cli(['create', '-n', 'shop', '-o', 'json']);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Snapshot).counts.byKind.ConfigMap).toBeGreaterThan(0);
  });

  it('a backup killed halfway leaves no snapshot, and the next backup and prune work', async () => {
    // Enough objects that storing takes a while, so the kill lands mid-write.
    const store = cluster.server!.store;
    store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bulk' } });
    for (let i = 0; i < 3000; i++) {
      store.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `config-${i}`, namespace: 'bulk' },
        data: { value: `${i}`.repeat(50) },
      });
    }
    const before = (await snapshots()).length;
    const child = spawn(CLI, ['create', '-n', 'bulk'], { env: work.env });
    await new Promise<void>(resolve =>
      child.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('storing') && resolve()),
    );
    kill(child.pid!, 'SIGKILL');
    await new Promise(resolve => child.on('exit', resolve));

    expect(await snapshots()).toHaveLength(before);
    const next = await work.cli(['create', '-n', 'bulk']);
    expect(next.code).toBe(0);
    expect(await snapshots()).toHaveLength(before + 1);
    // The killed run's lock is stale (its process is gone), so prune goes ahead.
    const prune = await work.cli(['prune']);
    expect(prune.stderr).not.toMatch(/error/);
    expect(prune.code).toBe(0);
    expect((await work.cli(['verify'])).code).toBe(0);
  });

  it('prune refuses to run while a backup holds the repository, naming the holder', async () => {
    const repository = await Repository.open(work.repository, work.env.KUBE_BACKUP_PASSWORD!);
    const lock = await repository.lock('shared', 'backup');
    try {
      const prune = await work.cli(['prune']);
      expect(prune.code).toBe(6);
      expect(prune.stderr.trim()).toMatch(/^error: repository is locked by backup on host .*pid/m);
    } finally {
      await lock.release();
      await repository.close();
    }
    expect((await work.cli(['prune'])).code).toBe(0);
  });
});
