import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RestoreReport } from '@kube-backup/core';
import {
  createWorkspace,
  kubectl,
  startE2eCluster,
  type CliResult,
  type E2eCluster,
  type Workspace,
} from './harness';

const NS = 'restore-existing';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${NS}}
data: {mode: original, size: "3"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: removed-later, namespace: ${NS}}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
`;

/**
 * What a restore does to objects that already exist (skip, update, fail), what a dry run
 * shows and that it writes nothing, and how a failure the API server reports reaches the user.
 */
describe('kubectl backup restore: existing objects, dry run and failures', () => {
  let cluster: E2eCluster;
  let work: Workspace;
  let snapshotId: string;

  const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const getJson = async <T>(...args: string[]): Promise<T> =>
    JSON.parse(await k('get', ...args, '-o', 'json')) as T;
  const configMapData = async (name: string) =>
    (await getJson<{ data: Record<string, string> }>('configmap', name, '-n', NS)).data;
  /** Every object's resourceVersion in the namespace: equal before and after means nothing was written. */
  const versions = async () => {
    const list = await getJson<{
      items: Array<{ kind: string; metadata: { name: string; resourceVersion: string } }>;
    }>('configmaps,deployments,services,serviceaccounts', '-n', NS);
    return Object.fromEntries(
      list.items.map(item => [`${item.kind}/${item.metadata.name}`, item.metadata.resourceVersion]),
    );
  };
  const restoreJson = async (
    args: string[],
  ): Promise<{ result: CliResult; report: RestoreReport }> => {
    const result = await work.cli(['restore', snapshotId, '-o', 'json', ...args]);
    return { result, report: JSON.parse(result.stdout) as RestoreReport };
  };
  const outcomeOf = (report: RestoreReport, kind: string, name: string) =>
    report.objects.find(object => object.kind === kind && object.name === name);

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
    const file = join(work.dir, 'existing.yaml');
    await writeFile(file, MANIFESTS);
    await k('apply', '-f', file);
    const created = await work.cli(['create', '-n', NS, '-o', 'json']);
    expect(created).toMatchObject({ code: 0 });
    snapshotId = (JSON.parse(created.stdout) as { id: string }).id;
    // Live state drifts from the snapshot: one object changed, one deleted, one added.
    await k(
      'patch',
      'configmap',
      'settings',
      '-n',
      NS,
      '--type',
      'merge',
      '-p',
      '{"data":{"mode":"drifted"}}',
    );
    await k('delete', 'configmap', 'removed-later', '-n', NS);
    await k('create', 'configmap', 'added-later', '-n', NS, '--from-literal=b=2');
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  it('dry run validates on the server, shows create/update/unchanged with a diff, and writes nothing', async () => {
    const before = await versions();
    const table = await work.cli(['restore', snapshotId, '--dry-run', '--existing', 'update']);
    expect(table.stderr).not.toMatch(/error/);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ConfigMap\s+restore-existing\s+settings\s+update/);
    expect(table.stdout).toMatch(/ConfigMap\s+restore-existing\s+removed-later\s+create/);
    expect(table.stdout).toMatch(/Deployment\s+restore-existing\s+web\s+unchanged/);
    expect(table.stdout).toContain('# ConfigMap restore-existing/settings (update)');
    expect(table.stdout).toContain('-  mode: drifted');
    expect(table.stdout).toContain('+  mode: original');
    expect(table.stdout).toMatch(/nothing was written/);

    const { result, report } = await restoreJson(['--dry-run', '--existing', 'update']);
    expect(result.code).toBe(0);
    expect(report.dryRun).toBe(true);
    expect(outcomeOf(report, 'ConfigMap', 'settings')).toMatchObject({
      outcome: 'updated',
      changedFields: ['data.mode'],
    });
    expect(outcomeOf(report, 'ConfigMap', 'removed-later')?.outcome).toBe('created');
    expect(outcomeOf(report, 'Deployment', 'web')?.outcome).toBe('unchanged');

    // With the default policy a dry run says the drifted object would be left alone.
    const skip = await restoreJson(['--dry-run']);
    expect(outcomeOf(skip.report, 'ConfigMap', 'settings')).toMatchObject({
      outcome: 'skipped-exists',
      changedFields: ['data.mode'],
    });

    expect(await versions()).toEqual(before);
    expect(await configMapData('settings')).toEqual({ mode: 'drifted', size: '3' });
  });

  it('--existing fail reports each existing object as failed and exits 2, creating only what is missing', async () => {
    const { result, report } = await restoreJson(['--existing', 'fail']);
    expect(result.code).toBe(2);
    expect(outcomeOf(report, 'ConfigMap', 'settings')).toMatchObject({
      outcome: 'failed',
      reason: 'AlreadyExists',
    });
    expect(outcomeOf(report, 'ConfigMap', 'removed-later')?.outcome).toBe('created');
    expect(await configMapData('settings')).toEqual({ mode: 'drifted', size: '3' });
    expect(result.stderr).toMatch(/error: \d+ object\(s\) failed/);
  });

  it('--existing skip (the default) leaves live objects as they are', async () => {
    const before = await versions();
    const result = await work.cli(['restore', snapshotId]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ConfigMap\s+restore-existing\s+settings\s+skipped \(exists\)/);
    expect(result.stdout).toMatch(/skipped \(exists\)/);
    expect(await versions()).toEqual(before);
  });

  it('--existing update puts drifted objects back, reports unchanged ones, and never touches others', async () => {
    const { result, report } = await restoreJson(['--existing', 'update']);
    expect(result.code).toBe(0);
    expect(outcomeOf(report, 'ConfigMap', 'settings')?.outcome).toBe('updated');
    expect(outcomeOf(report, 'Deployment', 'web')?.outcome).toBe('unchanged');
    expect(await configMapData('settings')).toEqual({ mode: 'original', size: '3' });
    expect(await configMapData('added-later')).toEqual({ b: '2' });

    const again = await restoreJson(['--existing', 'update']);
    expect(outcomeOf(again.report, 'ConfigMap', 'settings')?.outcome).toBe('unchanged');
  });

  it("reports an object the API server rejects with the server's reason and exits 2", async () => {
    const rules = join(work.dir, 'bad-selector.yaml');
    await writeFile(
      rules,
      'rules:\n  - match: {kind: Deployment, name: web}\n    jsonPatch:\n      - {op: replace, path: /spec/selector/matchLabels/app, value: other}\n',
    );
    const result = await work.cli([
      'restore',
      snapshotId,
      '--namespace-mapping',
      `${NS}:restore-rejected`,
      '--patch-file',
      rules,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /Deployment\s+restore-rejected\s+web\s+failed\s+Invalid: .*selector/,
    );
    expect(result.stdout).toMatch(/ConfigMap\s+restore-rejected\s+settings\s+created/);
    expect(result.stderr).toMatch(/1 object\(s\) failed/);
  });
});
