import type { KubeObject } from '../snapshot/types';

type Json = Record<string, unknown>;

const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'managedFields',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
];

const SERVER_SET_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'pv.kubernetes.io/provisioned-by',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/selected-node',
  'kubernetes.io/service-account.uid',
];

const SERVER_SET_FINALIZERS = [
  'kubernetes.io/pvc-protection',
  'kubernetes.io/pv-protection',
  'foregroundDeletion',
  'orphan',
];

/** Labels the Job controller stamps with the old Job's uid; a restored Job must get fresh ones. */
const JOB_CONTROLLER_LABELS = [
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
];

/**
 * Returns a copy of the object without the fields the API server or controllers set, so
 * the stored object is what a user would apply — and so an unchanged object hashes the
 * same in every snapshot even though its resourceVersion and status move.
 */
export function sanitizeObject(object: KubeObject): KubeObject {
  const copy = structuredClone(object) as KubeObject & Json;
  const metadata = copy.metadata as Json;
  for (const field of SERVER_SET_METADATA) delete metadata[field];
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations) {
    for (const name of SERVER_SET_ANNOTATIONS) delete annotations[name];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
  }
  const finalizers = metadata.finalizers as string[] | undefined;
  if (finalizers) {
    const kept = finalizers.filter(finalizer => !SERVER_SET_FINALIZERS.includes(finalizer));
    if (kept.length > 0) metadata.finalizers = kept;
    else delete metadata.finalizers;
  }
  delete copy.status;
  const spec = copy.spec as Json | undefined;
  switch (`${copy.apiVersion}/${copy.kind}`) {
    case 'v1/Service':
      if (spec) sanitizeService(spec);
      break;
    case 'v1/PersistentVolume':
      if (spec) delete spec.claimRef;
      break;
    case 'v1/Namespace':
      delete copy.spec;
      break;
    case 'v1/ServiceAccount':
      delete copy.secrets;
      break;
    case 'v1/Pod':
      if (spec) delete spec.nodeName;
      break;
    case 'batch/v1/Job':
      if (spec) sanitizeJob(spec);
      break;
  }
  return copy;
}

function sanitizeService(spec: Json): void {
  // A headless service's clusterIP "None" is the user's choice; an allocated one is not.
  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  delete spec.healthCheckNodePort;
  for (const port of (spec.ports as Json[] | undefined) ?? []) delete port.nodePort;
}

function sanitizeJob(spec: Json): void {
  if (spec.manualSelector) return;
  delete spec.selector;
  const labels = ((spec.template as Json | undefined)?.metadata as Json | undefined)?.labels as
    Record<string, string> | undefined;
  for (const label of JOB_CONTROLLER_LABELS) delete labels?.[label];
}
