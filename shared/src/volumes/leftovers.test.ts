import { hostname } from 'node:os';
import { startTestCluster, type TestCluster } from '../../../test/src/server';
import { connectToCluster, type ClusterConnection } from '../cluster/connect';
import type { KubeObject } from '../snapshot/types';
import { leaseAlive, removeLeftovers } from './leftovers';
import { microTime, VolumeOperation } from './operation';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function lease(renewed: number, holder: string, durationSeconds = 60): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'kube-backup-x' },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: durationSeconds,
      renewTime: microTime(new Date(renewed)),
    },
  };
}

describe("whether an operation's lease says it runs", () => {
  it('runs while renewed within its duration by a process that is alive or elsewhere', () => {
    expect(leaseAlive(lease(NOW - 10_000, `${hostname()}/${process.pid}`), NOW)).toBe(true);
    expect(leaseAlive(lease(NOW - 10_000, 'another-host/1'), NOW)).toBe(true);
  });

  it('has ended once it expired, or when its holder on this host is gone', () => {
    expect(leaseAlive(lease(NOW - 61_000, 'another-host/1'), NOW)).toBe(false);
    expect(leaseAlive(lease(NOW - 1_000, `${hostname()}/2147483646`), NOW)).toBe(false);
    expect(leaseAlive({ ...lease(NOW, 'x/1'), spec: {} }, NOW)).toBe(false);
  });
});

describe('removing what interrupted operations left', () => {
  let cluster: TestCluster;
  let connection: ClusterConnection;

  beforeAll(async () => {
    cluster = await startTestCluster();
    connection = await connectToCluster({ kubeconfig: cluster.kubeconfigPath });
  });
  afterAll(async () => {
    connection?.client.close();
    await cluster?.stop();
  });

  /** What an operation leaves in a namespace: a Secret, a VolumeSnapshot and a claim. */
  async function leave(operation: VolumeOperation, namespace: string): Promise<void> {
    await operation.enter(namespace);
    const post = (path: string, body: object) =>
      connection.client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${namespace}/${path}`,
        body,
      });
    await post('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${operation.prefix}-credentials`,
        labels: operation.labels('credentials'),
      },
    });
    await post('persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${operation.prefix}-clone-1`, labels: operation.labels('clone') },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    await connection.client.request({
      method: 'POST',
      path: `/apis/snapshot.storage.k8s.io/v1/namespaces/${namespace}/volumesnapshots`,
      body: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name: `${operation.prefix}-snapshot-1`,
          labels: operation.labels('volume-snapshot'),
        },
        spec: { source: { persistentVolumeClaimName: 'data' } },
      },
    });
  }

  it("removes a dead operation's objects and Lease, and never touches a live one's", async () => {
    const live = new VolumeOperation(connection.client);
    const dead = new VolumeOperation(connection.client);
    await leave(live, 'default');
    await leave(dead, 'default');
    // The dead one's holder was a process of this host that has ended.
    await connection.client.request({
      method: 'PATCH',
      path: `/apis/coordination.k8s.io/v1/namespaces/default/leases/${dead.prefix}`,
      contentType: 'application/merge-patch+json',
      body: { spec: { holderIdentity: `${hostname()}/2147483646` } },
    });

    const report = await removeLeftovers(connection.client);
    expect(report.removed.map(item => `${item.kind} ${item.name}`).sort()).toEqual(
      [
        `PersistentVolumeClaim ${dead.prefix}-clone-1`,
        `Secret ${dead.prefix}-credentials`,
        `VolumeSnapshot ${dead.prefix}-snapshot-1`,
      ].sort(),
    );
    const labelled = (kind: string) =>
      cluster.store
        .list(
          kind === 'VolumeSnapshot'
            ? 'snapshot.storage.k8s.io/v1'
            : kind === 'Lease'
              ? 'coordination.k8s.io/v1'
              : 'v1',
          kind,
          'default',
        )
        .filter(object => object.metadata?.labels?.['kube-backup.io/operation'])
        .map(object => object.metadata?.name);
    for (const kind of ['Secret', 'PersistentVolumeClaim', 'VolumeSnapshot']) {
      expect(labelled(kind)).toEqual([expect.stringMatching(new RegExp(`^${live.prefix}-`))]);
    }
    expect(labelled('Lease')).toEqual([live.prefix]);

    await live.finish();
    await dead.finish();
    expect(labelled('Lease')).toEqual([]);
  });

  it('says why it could not look, without failing, when listing across namespaces is forbidden', async () => {
    cluster.faults.forbid(cluster.token, 'pods');
    try {
      const report = await removeLeftovers(connection.client);
      expect(report).toEqual({ removed: [], skipped: expect.stringMatching(/forbidden/i) });
    } finally {
      cluster.faults.reset();
    }
  });
});
