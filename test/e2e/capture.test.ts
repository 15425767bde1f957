import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from '@kube-backup/core';
import { createWorkspace, startE2eCluster, type E2eCluster, type Workspace } from './harness';

/**
 * Back up, inspect and maintain through the built kubectl-backup binary, as a user would.
 */
describe('kubectl backup: capture and the snapshot repository', () => {
  let cluster: E2eCluster;
  let work: Workspace;

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  const createJson = async (args: string[]): Promise<Snapshot> => {
    const result = await work.cli(['create', ...args, '-o', 'json']);
    if (result.code !== 0) throw new Error(`create failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as Snapshot;
  };

  it('refuses to create a repository twice', async () => {
    const again = await work.cli(['repo', 'init']);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/already/i);
  });

  it('backs up a namespace with its dependencies and a readable summary', async () => {
    const result = await work.cli(['create', 'shop-first', '-n', 'shop']);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/snapshot [0-9a-f]{8} complete \(shop-first\)/);
    expect(result.stdout).toMatch(/Deployment: \d+/);
    expect(result.stdout).toMatch(/stored: .* new/);

    const [snapshot] = JSON.parse((await work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];
    expect(snapshot.namespaces).toEqual(['shop']);
    expect(snapshot.counts.byKind.Deployment).toBeGreaterThan(0);
    expect(snapshot.counts.byKind.Namespace).toBe(1);
    // Controller-made children are recorded with their image digests, not restored.
    expect(snapshot.counts.byKind.Pod).toBeGreaterThan(0);
    expect(snapshot.images.some(image => image.digest?.startsWith('sha256:'))).toBe(true);
    expect(snapshot.entities).toContain('storefront');
    // A claim from a volumeClaimTemplate is captured with its volume.
    expect(snapshot.volumes.length).toBeGreaterThan(0);
    expect(snapshot.counts.byKind.PersistentVolume).toBeGreaterThan(0);
  });

  it('shows one captured object without server-set fields, and recorded-only children explain themselves', async () => {
    const describe = JSON.parse(
      (await work.cli(['describe', 'latest', '--objects', '-o', 'json'])).stdout,
    ) as {
      objects: Array<{ kind: string; name: string; restorable: boolean }>;
    };
    const deployment = describe.objects.find(object => object.kind === 'Deployment')!;
    const shown = await work.cli(['get', 'latest', `deployment/${deployment.name}`, '-o', 'json']);
    expect(shown.code).toBe(0);
    const object = JSON.parse(shown.stdout);
    expect(object.metadata.name).toBe(deployment.name);
    expect(object.metadata.uid).toBeUndefined();
    expect(object.metadata.resourceVersion).toBeUndefined();
    expect(object.metadata.managedFields).toBeUndefined();
    expect(object.status).toBeUndefined();

    const pod = describe.objects.find(entry => entry.kind === 'Pod')!;
    expect(pod.restorable).toBe(false);
    const child = await work.cli(['get', 'latest', `pod/${pod.name}`]);
    expect(child.code).toBe(3);
    expect(child.stderr).toMatch(/recorded for search only/);
  });

  it('stores Secrets encrypted: no secret value appears in the repository files', async () => {
    const secret = await work.cli(['describe', 'latest', '--objects', '-o', 'json']);
    const names = (
      JSON.parse(secret.stdout).objects as Array<{ kind: string; name: string }>
    ).filter(o => o.kind === 'Secret');
    expect(names.length).toBeGreaterThan(0);
    const shown = JSON.parse(
      (await work.cli(['get', 'latest', `secret/${names[0].name}`, '-o', 'json'])).stdout,
    );
    const values = Object.values({
      ...(shown.data ?? {}),
      ...(shown.stringData ?? {}),
    }) as string[];
    expect(values.length).toBeGreaterThan(0);
    const files = await allFiles(join(work.dir, 'repository'));
    for (const file of files) {
      const content = await readFile(file);
      for (const value of values) {
        expect(content.includes(Buffer.from(value))).toBe(false);
        expect(content.includes(Buffer.from(value, 'base64'))).toBe(false);
      }
    }
  });

  it('an unchanged second snapshot stores almost nothing new', async () => {
    const first = await createJson(['-n', 'payments']);
    const second = await createJson(['-n', 'payments']);
    expect(second.counts).toEqual(first.counts);
    expect(second.stats.newBytes).toBeLessThan(first.stats.newBytes * 0.01);
    expect(second.stats.reusedObjects).toBeGreaterThan(0);
  });

  it('selects by entity, tag and label, and finds snapshots by them', async () => {
    const entity = await createJson(['-A', '--entity', 'payments-api', '--tag', 'release']);
    expect(entity.entities).toContain('payments-api');
    expect(entity.entities).not.toContain('storefront');
    expect(entity.tags).toEqual(['release']);

    const byEntity = JSON.parse(
      (await work.cli(['list', '--entity', 'payments-api', '-o', 'json'])).stdout,
    ) as Snapshot[];
    expect(byEntity.map(s => s.id)).toContain(entity.id);
    const byTag = JSON.parse(
      (await work.cli(['list', '--tag', 'release', '-o', 'json'])).stdout,
    ) as Snapshot[];
    expect(byTag.map(s => s.id)).toEqual([entity.id]);
    const since = JSON.parse(
      (await work.cli(['list', '--since', '1h', '-o', 'json'])).stdout,
    ) as Snapshot[];
    expect(since.length).toBeGreaterThan(1);
    const none = JSON.parse(
      (await work.cli(['list', '--until', '2000-01-01', '-o', 'json'])).stdout,
    ) as Snapshot[];
    expect(none).toEqual([]);
  });

  it('finds snapshots by the objects and images they hold', async () => {
    const all = JSON.parse((await work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];
    const withShop = all.filter(snapshot => snapshot.namespaces.includes('shop'));
    const describe = JSON.parse(
      (await work.cli(['describe', withShop[0].id, '--objects', '-o', 'json'])).stdout,
    );
    const deployment = (
      describe.objects as Array<{ kind: string; name: string; namespace: string }>
    ).find(o => o.kind === 'Deployment' && o.namespace === 'shop')!;
    const contains = JSON.parse(
      (
        await work.cli([
          'list',
          '--contains',
          `deploy/${deployment.name}`,
          '-n',
          'shop',
          '-o',
          'json',
        ])
      ).stdout,
    ) as Snapshot[];
    expect(contains.map(s => s.id).sort()).toEqual(withShop.map(s => s.id).sort());

    const image = withShop[0].images[0];
    const byImage = JSON.parse(
      (await work.cli(['list', '--image', image.digest ?? image.image, '-o', 'json'])).stdout,
    ) as Snapshot[];
    expect(byImage.map(s => s.id)).toContain(withShop[0].id);

    const table = await work.cli(['list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+AGE/);
  });

  it('refuses a wrong password, a missing repository and an unreachable cluster with one line each', async () => {
    const wrong = await work.cli(['list'], { KUBE_BACKUP_PASSWORD: 'not the password' });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr.trim()).toBe('error: wrong repository password');

    const missing = await work.cli(['list'], {
      KUBE_BACKUP_REPOSITORY: `file://${work.dir}/nowhere`,
    });
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no repository at .*nowhere/);

    const kubeconfig = join(work.dir, 'unreachable.kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: gone, user: u}}]\ncurrent-context: gone\n`,
    );
    const unreachable = await work.cli(['create', '-n', 'shop'], { KUBECONFIG: kubeconfig });
    expect(unreachable.code).toBe(7);
    expect(unreachable.stderr.trim().split('\n').pop()).toBe(
      'error: cannot reach the cluster at https://127.0.0.1:1: ECONNREFUSED',
    );

    const badFlag = await work.cli(['create', '--include-cluster-resources', 'maybe']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/^error: .*include-cluster-resources/);
  });

  it('finds corruption: verify names the damaged object and exits non-zero', async () => {
    expect((await work.cli(['verify'])).code).toBe(0);
    const blobs = (await allFiles(join(work.dir, 'repository', 'data'))).sort();
    const victim = blobs[Math.floor(blobs.length / 2)];
    const bytes = await readFile(victim);
    bytes[bytes.length - 5] ^= 0xff;
    await writeFile(victim, bytes);
    const verify = await work.cli(['verify']);
    expect(verify.code).toBe(2);
    const id = victim.split('/').pop()!;
    expect(verify.stdout).toContain(id.slice(0, 12));
    bytes[bytes.length - 5] ^= 0xff;
    await writeFile(victim, bytes);
    expect((await work.cli(['verify'])).code).toBe(0);
  });

  it('two backups at once both succeed and the repository stays sound', async () => {
    const [a, b] = await Promise.all([
      work.cli(['create', '-n', 'shop']),
      work.cli(['create', '-n', 'payments']),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr + b.stderr).not.toMatch(/error/i);
    expect((await work.cli(['verify'])).code).toBe(0);
  });

  it('deletes by prefix and prunes by retention, with a dry run first', async () => {
    const before = JSON.parse((await work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];
    const victim = before[before.length - 1];
    const deleted = await work.cli(['delete', victim.id.slice(0, 10)]);
    expect(deleted.stdout).toContain(`snapshot ${victim.id.slice(0, 8)} deleted`);

    const dry = await work.cli(['prune', '--keep-last', '2', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would remove/);
    expect(JSON.parse((await work.cli(['list', '-o', 'json'])).stdout)).toHaveLength(
      before.length - 1,
    );

    const pruned = await work.cli(['prune', '--keep-last', '2']);
    expect(pruned.code).toBe(0);
    // Retention applies per source: the two newest snapshots of each cluster and selection stay.
    const remaining = before.filter(s => s.id !== victim.id);
    const source = (s: Snapshot) => `${s.cluster.name} ${JSON.stringify(s.selection)}`;
    const expected = remaining.filter(
      s => remaining.filter(other => source(other) === source(s) && other.time > s.time).length < 2,
    );
    expect(expected.length).toBeLessThan(remaining.length);
    const after = JSON.parse((await work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];
    expect(after.map(s => s.id).sort()).toEqual(expected.map(s => s.id).sort());
    expect((await work.cli(['verify'])).code).toBe(0);
    expect((await work.cli(['describe', 'latest'])).code).toBe(0);
    const unknown = await work.cli(['describe', 'ffffffffff']);
    expect(unknown.code).toBe(3);
  });
});

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter(entry => entry.isFile()).map(entry => join(entry.parentPath, entry.name));
}
