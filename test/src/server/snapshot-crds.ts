/**
 * The CSI snapshot CRDs (external-snapshotter), installed in every test cluster as on a
 * cluster with the snapshot controller: volume data capture depends on them. Schemas are
 * trimmed to the fields clients set; spec and status keep anything else.
 */
import type { KubeObject } from './json';

const GROUP = 'snapshot.storage.k8s.io';

function crd(
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster',
  shortNames: string[],
  schema: Record<string, unknown>,
  columns: Array<{
    name: string;
    type: string;
    jsonPath: string;
    description?: string;
    priority?: number;
  }>,
  status: boolean,
): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${GROUP}`,
      annotations: {
        'api-approved.kubernetes.io':
          'https://github.com/kubernetes-csi/external-snapshotter/pull/955',
        'controller-gen.kubebuilder.io/version': 'v0.15.0',
      },
    },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          additionalPrinterColumns: columns,
          schema: { openAPIV3Schema: schema },
          ...(status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

// VolumeSnapshots and their contents require a spec and keep spec and status as written.
const withSpecAndStatus = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: open,
    status: open,
  },
};
const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const SNAPSHOT_CRDS: KubeObject[] = [
  crd(
    'VolumeSnapshotClass',
    'volumesnapshotclasses',
    'Cluster',
    ['vsclass', 'vsclasses'],
    {
      type: 'object',
      required: ['deletionPolicy', 'driver'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        driver: { type: 'string' },
        deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
        parameters: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    [
      { name: 'Driver', type: 'string', jsonPath: '.driver' },
      { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy' },
      age,
    ],
    false,
  ),
  crd(
    'VolumeSnapshotContent',
    'volumesnapshotcontents',
    'Cluster',
    ['vsc', 'vscs'],
    withSpecAndStatus,
    [
      { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse' },
      { name: 'RestoreSize', type: 'integer', jsonPath: '.status.restoreSize' },
      { name: 'DeletionPolicy', type: 'string', jsonPath: '.spec.deletionPolicy' },
      { name: 'Driver', type: 'string', jsonPath: '.spec.driver' },
      { name: 'VolumeSnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName' },
      { name: 'VolumeSnapshot', type: 'string', jsonPath: '.spec.volumeSnapshotRef.name' },
      {
        name: 'VolumeSnapshotNamespace',
        type: 'string',
        jsonPath: '.spec.volumeSnapshotRef.namespace',
      },
      age,
    ],
    true,
  ),
  crd(
    'VolumeSnapshot',
    'volumesnapshots',
    'Namespaced',
    ['vs'],
    withSpecAndStatus,
    [
      { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse' },
      { name: 'SourcePVC', type: 'string', jsonPath: '.spec.source.persistentVolumeClaimName' },
      {
        name: 'SourceSnapshotContent',
        type: 'string',
        jsonPath: '.spec.source.volumeSnapshotContentName',
      },
      { name: 'RestoreSize', type: 'string', jsonPath: '.status.restoreSize' },
      { name: 'SnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName' },
      {
        name: 'SnapshotContent',
        type: 'string',
        jsonPath: '.status.boundVolumeSnapshotContentName',
      },
      { name: 'CreationTime', type: 'date', jsonPath: '.status.creationTime' },
      age,
    ],
    true,
  ),
];
