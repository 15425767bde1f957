import type { ClusterConnection } from '../cluster/connect';
import { snapshotDoc } from '../repository/testing';
import type { ObjectOutcome, PlannedObject, VolumeDataStep } from '../restore/types';
import type { KubeObject, ObjectRecord, VolumeRecord } from '../snapshot/types';
import { volumeDataRestore, type VolumeRestoreOptions } from './restore-volumes';
import type { VolumeDataRepository } from './volume-repository';

const repository: VolumeDataRepository = {
  backend: { exists: async () => true } as unknown as VolumeDataRepository['backend'],
  volumeDataPassword: () => 'derived',
};
// Planning and dry runs never reach the cluster.
const connection = {} as ClusterConnection;
const settings = { location: 'file:///srv/repo', nodePath: '/srv/repo' };

function planned(
  kind: string,
  name: string,
  spec: object,
  tags?: string[],
  namespace = 'shop',
): PlannedObject {
  const clusterScoped = kind === 'PersistentVolume';
  const record: ObjectRecord = {
    group: kind === 'Deployment' ? 'apps' : '',
    version: 'v1',
    kind,
    resource: `${kind.toLowerCase()}s`,
    name,
    restorable: true,
    ...(clusterScoped ? {} : { namespace: 'shop' }),
    ...(tags ? { tags } : {}),
  };
  const object: KubeObject = {
    apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
    kind,
    metadata: { name, ...(clusterScoped ? {} : { namespace }) },
    spec,
  };
  return {
    type: {
      group: record.group,
      version: 'v1',
      kind,
      resource: record.resource,
      namespaced: !clusterScoped,
    },
    object,
    record,
  };
}

const volumes: VolumeRecord[] = [
  {
    namespace: 'shop',
    claim: 'data',
    dataSnapshotId: 'a'.repeat(64),
    data: { status: 'captured', bytes: 4096, files: 3 },
  },
  {
    namespace: 'shop',
    claim: 'logs',
    data: { status: 'not-captured', reason: 'not marked for data capture' },
  },
  { namespace: 'shop', claim: 'scratch', data: { status: 'captured', bytes: 0, files: 0 } },
];

function plan(namespace = 'shop'): PlannedObject[] {
  return [
    planned('PersistentVolume', 'pv-data', {}),
    planned('PersistentVolume', 'pv-logs', {}),
    planned('PersistentVolumeClaim', 'data', { volumeName: 'pv-data' }, undefined, namespace),
    planned('PersistentVolumeClaim', 'logs', { volumeName: 'pv-logs' }, undefined, namespace),
    planned('PersistentVolumeClaim', 'scratch', {}, undefined, namespace),
    planned(
      'Deployment',
      'web',
      {
        template: {
          spec: {
            containers: [{ name: 'web' }],
            volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
          },
        },
      },
      ['hydrate'],
      namespace,
    ),
  ];
}

const names = (objects: PlannedObject[]) =>
  objects.map(({ object }) => `${object.kind}/${object.metadata.name}`);
const written = (outcome: ObjectOutcome['outcome'], ...claims: string[]): ObjectOutcome[] =>
  claims.map(name => ({
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: 'shop',
    name,
    outcome,
  }));

/** A restore step over the test snapshot, planned with `plan`. */
async function prepared(options: Partial<VolumeRestoreOptions> = {}, namespace = 'shop') {
  const step = volumeDataRestore(
    connection,
    repository,
    snapshotDoc({ recordLists: [], volumes }),
    {
      ...settings,
      ...options,
    },
  );
  return { step, objects: await step.prepare(plan(namespace)) };
}

/** What a dry run's fill says, given what the restore did to the claims. */
function dryFill(step: VolumeDataStep, outcomes: ObjectOutcome[]) {
  return step.fill(outcomes, { dryRun: true, onProgress: () => undefined });
}

describe("restoring claims' data", () => {
  it('gives a claim with data a fresh volume: its binding and old volume stay behind', async () => {
    const { objects } = await prepared();
    expect(names(objects)).toEqual([
      'PersistentVolume/pv-logs',
      'PersistentVolumeClaim/data',
      'PersistentVolumeClaim/logs',
      'PersistentVolumeClaim/scratch',
      'Deployment/web',
    ]);
    const spec = (name: string) => objects.find(p => p.object.metadata.name === name)?.object.spec;
    expect(spec('data')).toEqual({});
    expect(spec('logs')).toEqual({ volumeName: 'pv-logs' });
    // The plan it was given is not changed.
    expect(plan()[2].object.spec).toEqual({ volumeName: 'pv-data' });
  });

  it('plans what a dry run would restore, with sizes, and says why the rest is not', async () => {
    const { step } = await prepared();
    expect(await dryFill(step, written('created', 'data', 'logs', 'scratch'))).toEqual([
      {
        namespace: 'shop',
        claim: 'logs',
        outcome: 'skipped',
        reason: 'not-captured',
        message: 'the snapshot holds no data for it (not marked for data capture)',
      },
      { namespace: 'shop', claim: 'data', outcome: 'would-restore', bytes: 4096, files: 3 },
      { namespace: 'shop', claim: 'scratch', outcome: 'would-restore', bytes: 0, files: 0 },
    ]);
  });

  it('never writes into a claim that exists unless asked to overwrite one the restore updated', async () => {
    const existing = [...written('skipped-exists', 'data'), ...written('updated', 'scratch')];
    const kept = await dryFill((await prepared()).step, existing);
    expect(kept.filter(o => o.claim !== 'logs')).toEqual([
      expect.objectContaining({ claim: 'data', outcome: 'skipped', reason: 'claim-exists' }),
      expect.objectContaining({ claim: 'scratch', outcome: 'skipped', reason: 'claim-exists' }),
    ]);
    const replaced = await dryFill((await prepared({ overwrite: true })).step, existing);
    expect(replaced.filter(o => o.claim !== 'logs')).toEqual([
      expect.objectContaining({ claim: 'data', outcome: 'skipped', reason: 'claim-exists' }),
      expect.objectContaining({ claim: 'scratch', outcome: 'would-restore' }),
    ]);
  });

  it('hydration takes by default the data of claims tagged for it, or mounted by a workload that is', async () => {
    const { step, objects } = await prepared({ data: { tag: 'hydrate' } }, 'dev');
    expect(objects.find(p => p.object.metadata.name === 'data')?.object.spec).toEqual({});
    const outcomes = await dryFill(
      step,
      written('created', 'data', 'logs', 'scratch').map(o => ({ ...o, namespace: 'dev' })),
    );
    expect(
      outcomes.map(o => [o.claim, o.namespace, o.sourceNamespace, o.outcome, o.reason]),
    ).toEqual([
      ['logs', 'dev', 'shop', 'skipped', 'not-captured'],
      ['scratch', 'dev', 'shop', 'skipped', 'not-chosen'],
      ['data', 'dev', 'shop', 'would-restore', undefined],
    ]);
  });

  it('checks that movers can reach the repository before anything is written', async () => {
    await expect(prepared({ nodePath: undefined })).rejects.toMatchObject({
      code: 'volume-repository-unreachable',
    });
  });
});
