import {
  connectToCluster,
  hydrateSnapshot,
  Repository,
  UserError,
  type HydrateReport,
  type Snapshot,
} from '@kube-backup/core';
import type { KubeObject } from '../../shared/src/snapshot/types';
import {
  applyYaml,
  createWorkspace,
  exists as objectExists,
  expectOneError,
  kubectl,
  startE2eCluster,
  type E2eCluster,
  type Workspace,
} from './harness';

const LABEL = 'kube-backup.io/hydrated-from';

/** A workload reading the node's logs through a hostPath volume. */
const PRIVILEGED_APP = `
apiVersion: v1
kind: Namespace
metadata: {name: hostpath-app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: log-reader, namespace: hostpath-app, labels: {app: log-reader}}
spec:
  replicas: 1
  selector: {matchLabels: {app: log-reader}}
  template:
    metadata: {labels: {app: log-reader}}
    spec:
      hostPID: true
      containers:
        - name: reader
          image: registry.invalid/log-reader:1
          securityContext: {privileged: true}
          volumeMounts: [{name: logs, mountPath: /host/logs}]
      volumes: [{name: logs, hostPath: {path: /var/log}}]
`;

/**
 * Where hydration refuses to write by default (system namespaces, protected ones, namespaces
 * of the source cluster holding objects of their own), what it needs to be told
 * (privileged workloads), and how it keeps a dev copy off production's Ingress hosts.
 */
describe('kubectl backup hydrate: safety', () => {
  let cluster: E2eCluster;
  let work: Workspace;
  let shop: Snapshot;

  const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const exists = (...args: string[]) => objectExists(cluster.kubeconfig, ...args);
  /** Names of objects a hydration labelled in a namespace. */
  const hydratedIn = async (namespace: string) =>
    (
      await k(
        'get',
        'all,configmaps,secrets,serviceaccounts,ingresses,roles,rolebindings,pvc',
        '-n',
        namespace,
        '-l',
        LABEL,
        '-o',
        'name',
      )
    )
      .split('\n')
      .filter(Boolean);
  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
    const created = await work.cli(['create', '-n', 'shop', '-o', 'json']);
    expect(created.code).toBe(0);
    shop = JSON.parse(created.stdout) as Snapshot;
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  describe('target namespaces', () => {
    it.each(['kube-system', 'default'])(
      'refuses %s by default, writing nothing',
      async namespace => {
        const result = await work.cli(['hydrate', '--to', namespace, '--entity', 'storefront']);
        const error = expectOneError(result, 4);
        expect(error).toContain(`refusing to hydrate into "${namespace}"`);
        expect(error).toContain(`--allow-namespace ${namespace}`);
        expect(await hydratedIn(namespace)).toEqual([]);
      },
    );

    it("refuses a namespace of the snapshot's cluster that holds objects no hydration wrote", async () => {
      const result = await work.cli(['hydrate', '--to', 'payments', '--entity', 'storefront']);
      const error = expectOneError(result, 4);
      expect(error).toContain('refusing to hydrate into "payments"');
      expect(error).toMatch(/not written by a hydration/);
      expect(await hydratedIn('payments')).toEqual([]);
      expect(await exists('deployment', 'storefront', '-n', 'payments')).toBe(false);
    });

    it('hydrates such a namespace when --allow-namespace names it, and records the override', async () => {
      await k('create', 'namespace', 'dev-own');
      await k('create', 'configmap', 'notes', '-n', 'dev-own', '--from-literal=todo=test');
      const refused = await work.cli(['hydrate', '--to', 'dev-own', '--entity', 'storefront']);
      expect(expectOneError(refused, 4)).toMatch(/ConfigMap notes/);
      expect(await hydratedIn('dev-own')).toEqual([]);

      const result = await work.cli([
        'hydrate',
        '--to',
        'dev-own',
        '--entity',
        'storefront',
        '--allow-namespace',
        'dev-own',
        '-o',
        'json',
      ]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as HydrateReport;
      expect(report.overrides).toEqual([
        expect.objectContaining({ check: 'protected-namespace', subject: 'dev-own' }),
      ]);
      expect(await exists('deployment', 'storefront', '-n', 'dev-own')).toBe(true);
      // The developer's own object is left as it was.
      expect(await exists('configmap', 'notes', '-n', 'dev-own')).toBe(true);
    });

    it('a fresh namespace, or one holding only what hydrations wrote, needs no override', async () => {
      const first = await work.cli(['hydrate', '--to', 'dev-fresh', '--entity', 'storefront']);
      expect(first.stderr).not.toMatch(/error/);
      expect(first.code).toBe(0);
      const again = await work.cli([
        'hydrate',
        '--to',
        'dev-fresh',
        '--entity',
        'storefront',
        '--refresh',
        '-o',
        'json',
      ]);
      expect(again.code).toBe(0);
      expect((JSON.parse(again.stdout) as HydrateReport).overrides).toEqual([]);
    });
  });

  describe('privileged workloads', () => {
    beforeAll(async () => {
      await applyYaml(cluster.kubeconfig, work.dir, 'hostpath-app.yaml', PRIVILEGED_APP);
      expect((await work.cli(['create', '-n', 'hostpath-app'])).code).toBe(0);
    });

    it('refuses without --accept-privileged, flags them in the dry run, writes with it', async () => {
      const args = ['hydrate', '--to', 'dev-hostpath', '--from', 'hostpath-app'];
      const refused = await work.cli(args);
      const error = expectOneError(refused, 4);
      expect(error).toMatch(/Deployment dev-hostpath\/log-reader.*hostPath/);
      expect(error).toMatch(/privileged container/);
      expect(error).toContain('--accept-privileged');
      expect(await exists('namespace', 'dev-hostpath')).toBe(false);

      const preview = await work.cli([...args, '--dry-run']);
      expect(preview.code).toBe(0);
      expect(preview.stdout).toMatch(
        /Deployment\s+dev-hostpath\s+log-reader\s+create\s+.*privileged:/,
      );

      const accepted = await work.cli([...args, '--accept-privileged', '-o', 'json']);
      expect(accepted.code).toBe(0);
      const report = JSON.parse(accepted.stdout) as HydrateReport;
      expect(report.overrides).toEqual([
        expect.objectContaining({
          check: 'privileged-content',
          subject: 'Deployment dev-hostpath/log-reader',
        }),
      ]);
      expect(await exists('deployment', 'log-reader', '-n', 'dev-hostpath')).toBe(true);
    });
  });

  describe('Ingress hosts', () => {
    const ingress = async (namespace: string) =>
      JSON.parse(await k('get', 'ingress', 'storefront', '-n', namespace, '-o', 'json')) as {
        spec: { rules: Array<{ host: string }>; tls: Array<{ hosts: string[] }> };
      };

    it('leaves an Ingress with a production host out by default, with a warning', async () => {
      const result = await work.cli(['hydrate', '--to', 'dev-ingress', '--entity', 'storefront']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /left out: Ingress\/storefront \(host shop\.example\.com is a production host\); .*--ingress-host-suffix/,
      );
      expect(await exists('ingress', 'storefront', '-n', 'dev-ingress')).toBe(false);
      expect(await exists('deployment', 'storefront', '-n', 'dev-ingress')).toBe(true);
    });

    it('rewrites every host with --ingress-host-suffix', async () => {
      const result = await work.cli([
        'hydrate',
        '--to',
        'dev-ingress2',
        '--entity',
        'storefront',
        '--ingress-host-suffix',
        'dev.example.test',
      ]);
      expect(result.code).toBe(0);
      const written = await ingress('dev-ingress2');
      expect(written.spec.rules.map(rule => rule.host)).toEqual([
        'shop.example.com.dev.example.test',
      ]);
      expect(written.spec.tls[0].hosts).toEqual(['shop.example.com.dev.example.test']);
      // Production keeps its host.
      expect((await ingress('shop')).spec.rules[0].host).toBe('shop.example.com');
    });
  });

  describe('through the engine alone', () => {
    it('refuses a namespace matching a configured protected pattern, with nothing written', async () => {
      const connection = await connectToCluster({ kubeconfig: cluster.kubeconfig });
      const repository = await Repository.open(work.repository, work.env.KUBE_BACKUP_PASSWORD!);
      try {
        await expect(
          hydrateSnapshot(connection, repository, {
            snapshot: shop.id,
            entity: 'storefront',
            targetNamespace: 'prod-eu',
            protectedNamespaces: ['prod-*'],
          }),
        ).rejects.toMatchObject({ code: 'protected-namespace', constructor: UserError });
        await expect(
          hydrateSnapshot(connection, repository, {
            snapshot: shop.id,
            entity: 'storefront',
            targetNamespace: 'kube-public',
          }),
        ).rejects.toMatchObject({ code: 'protected-namespace' });
      } finally {
        connection.client.close();
        await repository.close();
      }
      expect(await exists('namespace', 'prod-eu')).toBe(false);
      expect(await hydratedIn('kube-public')).toEqual([]);
    });

    it('hydrates a namespace the pattern does not match', async () => {
      const connection = await connectToCluster({ kubeconfig: cluster.kubeconfig });
      const repository = await Repository.open(work.repository, work.env.KUBE_BACKUP_PASSWORD!);
      try {
        const report = await hydrateSnapshot(connection, repository, {
          snapshot: shop.id,
          entity: 'storefront',
          targetNamespace: 'preprod-eu',
          protectedNamespaces: ['prod-*'],
        });
        expect(report.counts.failed).toBe(0);
      } finally {
        connection.client.close();
        await repository.close();
      }
      const deployment = JSON.parse(
        await k('get', 'deployment', 'storefront', '-n', 'preprod-eu', '-o', 'json'),
      ) as KubeObject;
      expect(deployment.metadata.labels?.[LABEL]).toBe(shop.id.slice(0, 16));
    });
  });
});
