export {
  UserError,
  type UserErrorCode,
  type UserErrorDetails,
  type UserErrorInput,
} from './errors';
export type * from './snapshot/types';

export { connectToCluster, type ClusterConnection, type ConnectOptions } from './cluster/connect';
export { KubeClient, type KubeClientOptions, type KubeRequest } from './cluster/kube-client';
export { KubeApiError } from './cluster/kube-api-error';
export { discoverResourceTypes, type Discovery } from './cluster/discovery';
export { listObjects, type ListOptions } from './cluster/list-objects';
export * from './cluster/resource-types';
export { mapConcurrent, ConcurrencyLimiter } from './cluster/limiter';

export * from './selectors/label-selector';
export {
  namePatternMatcher,
  matchesAnyNamePattern,
} from '@kube-backup/backstage-plugin-kube-backup-common';
export {
  DEFAULT_PROTECTED_NAMESPACES,
  isProtectedNamespace,
  isLabelledProtected,
} from './protection/protected-namespaces';
export {
  reviewAccess,
  reviewedUser,
  type AccessCheck,
  type AccessAnswer,
} from './cluster/access-review';

export * from './capture/annotations';
export {
  captureSnapshot,
  type CaptureOptions,
  type CaptureProgress,
  type CaptureTarget,
} from './capture/capture-snapshot';
export { markForCapture, type MarkOptions, type MarkResult } from './capture/mark-for-capture';
export { listMarked, type MarkedObject } from './capture/list-marked';
export { sanitizeObject } from './capture/sanitize';

export * from './catalog/snapshot-records';
export * from './catalog/find-snapshots';

export * from './repository';

export * from './restore';
export * from './hydrate';
export * from './volumes';
