import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectRecord, RestoreReport, Snapshot } from '@kube-backup/core';
import { dump, load } from 'js-yaml';
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

const STORAGE_CLASS = 'safety-e2e-standard';

/** The part of a kubeconfig that names who acts: `as` is impersonation, as kubectl --as does it. */
interface KubeconfigUsers {
  users: Array<{ name: string; user: Record<string, unknown> & { as?: string } }>;
}

/** A small application: the namespace, config, a claim of a class of its own and a workload. */
const MAPPING_SOURCE = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: ${STORAGE_CLASS}}
provisioner: example.com/none
---
apiVersion: v1
kind: Namespace
metadata: {name: map-src}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cart-config, namespace: map-src, labels: {app: cart}}
data: {mode: production}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: map-src}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${STORAGE_CLASS}
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: map-src, labels: {app: cart}}
spec:
  replicas: 1
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
        - name: cart
          image: ghcr.io/acme/cart:1.0
          envFrom: [{configMapRef: {name: cart-config}}]
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;

/** An agent bound to cluster-admin that reads the node's logs: privileged twice over. */
const PRIVILEGED_SOURCE = `
apiVersion: v1
kind: Namespace
metadata: {name: priv-src}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: priv-src}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: priv-src-agent-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: agent, namespace: priv-src}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: log-agent, namespace: priv-src}
spec:
  replicas: 1
  selector: {matchLabels: {app: log-agent}}
  template:
    metadata: {labels: {app: log-agent}}
    spec:
      serviceAccountName: agent
      containers:
        - name: agent
          image: registry.invalid/log-agent:1
          volumeMounts: [{name: logs, mountPath: /host/logs}]
      volumes: [{name: logs, hostPath: {path: /var/log}}]
`;

/** A claim of a storage class the cluster has (or lacks) and a ConfigMap beside it. */
const CLAIM_OF_CLASS = (namespace: string, storageClass: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${namespace}}
data: {mode: production}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${namespace}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${storageClass}
  resources: {requests: {storage: 1Gi}}
`;

const SIMPLE_NAMESPACE = (namespace: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: worker, namespace: ${namespace}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: good, namespace: ${namespace}}
data: {state: fine}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: broken, namespace: ${namespace}}
data: {state: soon damaged}
---
apiVersion: v1
kind: Secret
metadata: {name: token, namespace: ${namespace}}
stringData: {value: not-a-real-token}
`;

/**
 * What a restore refuses before writing anything (mappings that match nothing, invalid
 * names, protected namespaces, privileged content, missing permissions, damaged objects),
 * and how a restore into mapped namespaces treats cluster-scoped objects.
 */
describe('kubectl backup restore: safety', () => {
  let cluster: E2eCluster;
  let work: Workspace;

  const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const apply = (name: string, yaml: string) => applyYaml(cluster.kubeconfig, work.dir, name, yaml);
  const exists = (...args: string[]) => objectExists(cluster.kubeconfig, ...args);
  const getJson = async <T>(...args: string[]): Promise<T> =>
    JSON.parse(await k('get', ...args, '-o', 'json')) as T;
  const snapshotOf = async (namespace: string): Promise<Snapshot> => {
    const result = await work.cli(['create', '-n', namespace, '-o', 'json']);
    if (result.code !== 0) throw new Error(`create failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as Snapshot;
  };
  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
  });
  afterAll(async () => {
    for (const name of [
      'priv-src-agent-admin',
      'priv-src-agent-admin-priv-copy',
      'priv-src-agent-admin-priv-copy2',
    ]) {
      await k('delete', 'clusterrolebinding', name, '--ignore-not-found').catch(() => undefined);
    }
    await k('delete', 'storageclass', STORAGE_CLASS, '--ignore-not-found').catch(() => undefined);
    await work?.cleanup();
    await cluster?.stop();
  });

  describe('mappings and names', () => {
    let snapshot: Snapshot;
    beforeAll(async () => {
      await apply('map-src.yaml', MAPPING_SOURCE);
      snapshot = await snapshotOf('map-src');
      // Production loses an object; a restore with a typo must not bring it back in place.
      await k('delete', 'configmap', 'cart-config', '-n', 'map-src');
    });

    it('refuses a namespace mapping whose source is not in the selection, naming it, and writes nothing', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'mpa-src:map-staging',
      ]);
      const error = expectOneError(result, 1);
      expect(error).toContain('mpa-src:map-staging');
      expect(error).toContain('map-src');
      expect(await exists('configmap', 'cart-config', '-n', 'map-src')).toBe(false);
      expect(await exists('namespace', 'map-staging')).toBe(false);
    });

    it('refuses storage class and registry mappings that match nothing, all in one line', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'map-src:map-staging',
        '--storage-class-mapping',
        'gold:silver',
        '--image-registry-mapping',
        'quay.io:mirror.example',
      ]);
      const error = expectOneError(result, 1);
      expect(error).toContain('gold:silver');
      expect(error).toContain('quay.io:mirror.example');
      expect(await exists('namespace', 'map-staging')).toBe(false);
    });

    it('validates every name before the first write and lists the bad ones in one line', async () => {
      await k('delete', 'storageclass', STORAGE_CLASS);
      const rules = join(work.dir, 'bad-label.yaml');
      await writeFile(
        rules,
        'rules:\n  - match: {kind: ConfigMap}\n    mergePatch: {metadata: {labels: {"not a valid key!": x}}}\n',
      );
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'map-src:Map_Bad',
        '--patch-file',
        rules,
      ]);
      const error = expectOneError(result, 1);
      expect(error).toContain('"Map_Bad"');
      expect(error).toContain('"not a valid key!"');
      // Cluster-scoped objects come first in a restore: none of them was written either.
      expect(await exists('storageclass', STORAGE_CLASS)).toBe(false);
      expect(await exists('namespace', 'Map_Bad')).toBe(false);
    });

    it('restores normally once every mapping matches and every name is valid', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'map-src:map-staging',
        '--image-registry-mapping',
        'ghcr.io/acme:mirror.example/acme',
      ]);
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      const deployment = await getJson<{
        spec: { template: { spec: { containers: Array<{ image: string }> } } };
      }>('deployment', 'cart', '-n', 'map-staging');
      expect(deployment.spec.template.spec.containers[0].image).toBe(
        'mirror.example/acme/cart:1.0',
      );
      // The production namespace was never a target.
      expect(await exists('configmap', 'cart-config', '-n', 'map-src')).toBe(false);
    });
  });

  describe('privileged content and cluster-scoped objects under a namespace mapping', () => {
    let snapshot: Snapshot;
    const binding = (name: string) =>
      getJson<{
        metadata: { resourceVersion: string };
        roleRef: { name: string };
        subjects: Array<{ kind: string; name: string; namespace?: string }>;
      }>('clusterrolebinding', name);

    beforeAll(async () => {
      await apply('priv-src.yaml', PRIVILEGED_SOURCE);
      snapshot = await snapshotOf('priv-src');
      expect(snapshot.counts.byKind.ClusterRoleBinding).toBe(1);
    });

    it('refuses privileged objects without --accept-privileged, naming each and why, writing nothing', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'priv-src:priv-copy',
      ]);
      const error = expectOneError(result, 4);
      expect(error).toMatch(/ClusterRoleBinding priv-src-agent-admin.*cluster-admin/);
      expect(error).toMatch(/Deployment priv-copy\/log-agent.*hostPath/);
      expect(error).toContain('--accept-privileged');
      expect(await exists('namespace', 'priv-copy')).toBe(false);
    });

    it('flags privileged objects in the dry run', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'priv-src:priv-copy',
        '--dry-run',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /ClusterRoleBinding\s+priv-src-agent-admin-priv-copy\s+create\s+privileged: binds ClusterRole cluster-admin/,
      );
      expect(result.stdout).toMatch(
        /Deployment\s+priv-copy\s+log-agent\s+create\s+.*privileged: .*hostPath/,
      );
      const json = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'priv-src:priv-copy',
        '--dry-run',
        '-o',
        'json',
      ]);
      const report = JSON.parse(json.stdout) as RestoreReport;
      const flagged = report.objects.filter(object => object.privileged?.length);
      expect(flagged.map(object => `${object.kind}/${object.name}`).sort()).toEqual([
        'ClusterRoleBinding/priv-src-agent-admin-priv-copy',
        'Deployment/log-agent',
      ]);
      expect(await exists('namespace', 'priv-copy')).toBe(false);
    });

    it('never modifies the live binding under --existing update; the copy gets a binding of its own', async () => {
      const before = await binding('priv-src-agent-admin');
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'priv-src:priv-copy',
        '--existing',
        'update',
        '--accept-privileged',
        '-o',
        'json',
      ]);
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      const after = await binding('priv-src-agent-admin');
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'agent', namespace: 'priv-src' },
      ]);
      const copy = await binding('priv-src-agent-admin-priv-copy');
      expect(copy.roleRef.name).toBe('cluster-admin');
      expect(copy.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'agent', namespace: 'priv-copy' },
      ]);
      // Accepting privileged content is recorded in the report.
      const report = JSON.parse(result.stdout) as RestoreReport;
      expect(report.overrides).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            check: 'privileged-content',
            subject: 'ClusterRoleBinding priv-src-agent-admin-priv-copy',
          }),
        ]),
      );
    });

    it('when the original binding is gone, creates only the renamed copy, never a production-named one', async () => {
      await k('delete', 'clusterrolebinding', 'priv-src-agent-admin');
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'priv-src:priv-copy2',
        '--accept-privileged',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /ClusterRoleBinding\s+priv-src-agent-admin-priv-copy2\s+created/,
      );
      expect(await exists('clusterrolebinding', 'priv-src-agent-admin')).toBe(false);
      expect((await binding('priv-src-agent-admin-priv-copy2')).subjects).toEqual([
        { kind: 'ServiceAccount', name: 'agent', namespace: 'priv-copy2' },
      ]);
    });
  });

  describe('storage classes recorded at capture', () => {
    const NEVER_THERE = 'safety-e2e-never-there';

    it('restores a claim whose class the source lacked too, warning that it stays Pending as it was', async () => {
      await apply('pending-src.yaml', CLAIM_OF_CLASS('pending-src', NEVER_THERE));
      const snapshot = await snapshotOf('pending-src');
      expect(snapshot.storageClasses).toEqual([{ name: NEVER_THERE, existed: false }]);
      await k('delete', 'pvc', 'data', '-n', 'pending-src', '--wait=true');

      const result = await work.cli(['restore', snapshot.id, '-o', 'json']);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as RestoreReport;
      expect(report.warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(
              `storage class "${NEVER_THERE}" .*PersistentVolumeClaim pending-src/data.*stay Pending`,
            ),
          ),
        ]),
      );
      expect(report.objects).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'PersistentVolumeClaim',
            name: 'data',
            outcome: 'created',
          }),
        ]),
      );
      const claim = await getJson<{
        spec: { storageClassName: string };
        status?: { phase?: string };
      }>('pvc', 'data', '-n', 'pending-src');
      expect(claim.spec.storageClassName).toBe(NEVER_THERE);
      expect(claim.status?.phase).toBe('Pending');
    });
  });

  describe('protected namespaces', () => {
    let snapshot: Snapshot;
    beforeAll(async () => {
      await apply('locked.yaml', SIMPLE_NAMESPACE('locked-src'));
      snapshot = await snapshotOf('locked-src');
      await k('label', 'namespace', 'locked-src', 'kube-backup.io/protected=true');
      await k('delete', 'configmap', 'good', '-n', 'locked-src');
    });

    it('refuses to write into a namespace labelled protected, writing nothing', async () => {
      const result = await work.cli(['restore', snapshot.id]);
      const error = expectOneError(result, 4);
      expect(error).toContain('"locked-src"');
      expect(error).toContain('kube-backup.io/protected=true');
      expect(error).toContain('--allow-protected');
      expect(await exists('configmap', 'good', '-n', 'locked-src')).toBe(false);
    });

    it('writes with --allow-protected and records the override in the report', async () => {
      const result = await work.cli(['restore', snapshot.id, '--allow-protected', '-o', 'json']);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as RestoreReport;
      expect(report.overrides).toEqual([
        expect.objectContaining({ check: 'protected-namespace', subject: 'locked-src' }),
      ]);
      expect(await exists('configmap', 'good', '-n', 'locked-src')).toBe(true);
      const table = await work.cli(['restore', snapshot.id, '--allow-protected']);
      expect(table.stdout).toMatch(/override: .*locked-src/);
    });
  });

  describe('damaged objects in the repository', () => {
    let snapshot: Snapshot;
    beforeAll(async () => {
      await apply('damage.yaml', SIMPLE_NAMESPACE('damage-src'));
      snapshot = await snapshotOf('damage-src');
      const described = JSON.parse(
        (await work.cli(['describe', snapshot.id, '--objects', '-o', 'json'])).stdout,
      ) as { objects: ObjectRecord[] };
      const broken = described.objects.find(
        record => record.kind === 'ConfigMap' && record.name === 'broken',
      )!;
      const id = broken.content!;
      const file = join(work.repository.replace(/^file:\/\//, ''), 'data', id.slice(0, 2), id);
      const bytes = await readFile(file);
      bytes[bytes.length - 5] ^= 0xff;
      await writeFile(file, bytes);
    });

    it('names the damaged object and writes nothing', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'damage-src:damage-copy',
      ]);
      const error = expectOneError(result, 8);
      expect(error).toContain('ConfigMap damage-src/broken');
      expect(error).toContain('--skip-damaged');
      expect(await exists('namespace', 'damage-copy')).toBe(false);
    });

    it('restores the rest with --skip-damaged and reports what it skipped (exit 2)', async () => {
      const result = await work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'damage-src:damage-copy',
        '--skip-damaged',
        '-o',
        'json',
      ]);
      expect(result.code).toBe(2);
      const report = JSON.parse(result.stdout) as RestoreReport;
      expect(
        report.objects.find(object => object.kind === 'ConfigMap' && object.name === 'broken'),
      ).toMatchObject({ outcome: 'failed', reason: 'Damaged', sourceNamespace: 'damage-src' });
      expect(await exists('configmap', 'good', '-n', 'damage-copy')).toBe(true);
      expect(await exists('configmap', 'broken', '-n', 'damage-copy')).toBe(false);
      expect(result.stderr).toMatch(/1 object\(s\) failed/);
    });
  });

  describe('permissions', () => {
    let snapshot: Snapshot;
    let limited: string;
    const user = 'system:serviceaccount:perm-admin:restorer';

    beforeAll(async () => {
      await apply('perm-src.yaml', SIMPLE_NAMESPACE('perm-src'));
      snapshot = await snapshotOf('perm-src');
      // The restorer may read everything and write ConfigMaps in perm-target, nothing else.
      await apply(
        'restorer.yaml',
        `apiVersion: v1
kind: Namespace
metadata: {name: perm-admin}
---
apiVersion: v1
kind: Namespace
metadata: {name: perm-target}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: restorer, namespace: perm-admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: safety-e2e-reader}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: safety-e2e-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: safety-e2e-reader}
subjects: [{kind: ServiceAccount, name: restorer, namespace: perm-admin}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: configmap-writer, namespace: perm-target}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [create, get, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: restorer, namespace: perm-target}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmap-writer}
subjects: [{kind: ServiceAccount, name: restorer, namespace: perm-admin}]
`,
      );
      // The admin's kubeconfig, acting as the restorer (impersonation, as kubectl --as does).
      limited = join(work.dir, 'restorer.kubeconfig');
      const config = load(await readFile(cluster.kubeconfig, 'utf8')) as KubeconfigUsers;
      for (const entry of config.users) entry.user.as = user;
      await writeFile(limited, dump(config));
      expect(
        (await kubectl(limited, ['auth', 'can-i', 'create', 'secrets', '-n', 'perm-target'])
          .then(() => 'yes')
          .catch(() => 'no')) as string,
      ).toBe('no');
    });
    afterAll(async () => {
      await k('delete', 'clusterrolebinding,clusterrole', 'safety-e2e-reader').catch(
        () => undefined,
      );
    });

    it('lists every missing permission in one message before writing anything', async () => {
      const result = await work.cli(
        ['restore', snapshot.id, '--namespace-mapping', 'perm-src:perm-target'],
        { KUBECONFIG: limited },
      );
      const error = expectOneError(result, 5);
      expect(error).toContain(user);
      expect(error).toMatch(/create secrets.*perm-target/);
      expect(error).toMatch(/create serviceaccounts.*perm-target/);
      expect(error).not.toMatch(/configmaps/);
      expect(result.stdout).not.toMatch(/Forbidden/);
      expect(await exists('configmap', 'good', '-n', 'perm-target')).toBe(false);
    });

    it('goes ahead when the selection needs only what the credentials may do', async () => {
      const result = await work.cli(
        [
          'restore',
          snapshot.id,
          '--namespace-mapping',
          'perm-src:perm-target',
          '--include-resources',
          'configmaps',
        ],
        { KUBECONFIG: limited },
      );
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      expect(await exists('configmap', 'good', '-n', 'perm-target')).toBe(true);
    });
  });
});
