import type { KubeObject } from '../snapshot/types';
import { groupByHooks, nodeOfSoleWriter, type PlannedClaim } from './capture-plan';

function pod(name: string, annotations: Record<string, string> = {}, node = 'node-a'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', annotations },
    spec: { nodeName: node, containers: [{ name: 'app' }] },
  };
}

function planned(name: string, users: KubeObject[], accessModes = ['ReadWriteOnce']): PlannedClaim {
  return {
    claim: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: 'shop' },
      spec: { accessModes },
    },
    key: `shop/${name}`,
    method: 'fs',
    users,
  };
}

const claimsOf = (units: ReturnType<typeof groupByHooks>['units']) =>
  units.map(unit => unit.claims.map(claim => claim.claim.metadata.name).sort());

describe('grouping claims so hooks bracket them together', () => {
  it('captures together the claims a hooked pod mounts, and each other claim on its own', () => {
    const db = pod('db', { 'kube-backup.io/pre-backup': 'sync' });
    const plain = pod('web');
    const { units, broken } = groupByHooks([
      planned('wal', [db]),
      planned('data', [db, plain]),
      planned('cache', [plain]),
      planned('idle', []),
    ]);
    expect(claimsOf(units)).toEqual([['data', 'wal'], ['cache'], ['idle']]);
    expect(units[0].pods.map(entry => entry.pod.metadata.name)).toEqual(['db']);
    expect(broken.size).toBe(0);
  });

  it('joins groups that a second hooked pod links', () => {
    const a = pod('a', { 'pre.hook.backup.velero.io/command': '["sync"]' });
    const b = pod('b', { 'kube-backup.io/post-backup': 'sync' });
    const { units } = groupByHooks([
      planned('one', [a]),
      planned('two', [b]),
      planned('both', [a, b]),
    ]);
    expect(claimsOf(units)).toEqual([['both', 'one', 'two']]);
    expect(units[0].pods.map(entry => entry.pod.metadata.name).sort()).toEqual(['a', 'b']);
  });

  it('fails the claims of a pod whose hook annotations cannot be read, naming the pod', () => {
    const bad = pod('bad', {
      'kube-backup.io/pre-backup-timeout': 'soon',
      'kube-backup.io/pre-backup': 'x',
    });
    const { units, broken } = groupByHooks([planned('data', [bad]), planned('other', [])]);
    expect(claimsOf(units)).toEqual([['other']]);
    expect([...broken.values()]).toEqual([
      expect.stringMatching(/^pod bad: kube-backup.io\/pre-backup-timeout "soon"/),
    ]);
  });

  it('reads a ReadWriteOnce claim on the node of the pod using it, others anywhere', () => {
    expect(nodeOfSoleWriter(planned('data', [pod('db', {}, 'node-b')]))).toBe('node-b');
    expect(
      nodeOfSoleWriter(planned('shared', [pod('db', {}, 'node-b')], ['ReadWriteMany'])),
    ).toBeUndefined();
    expect(nodeOfSoleWriter(planned('idle', []))).toBeUndefined();
  });
});
