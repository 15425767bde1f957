export {
  restoreSnapshot,
  planRestore,
  type PlanOptions,
  type RestoreProfile,
  type SelectedObjects,
} from './restore-snapshot';
export { countOutcomes } from './report';
export {
  executeRestorePlan,
  DEFAULT_RESTORE_CONCURRENCY,
  DEFAULT_CRD_TIMEOUT_MS,
  type RestorePlan,
} from './execute-plan';
export { parseMapping, parseAssignments } from './mappings';
export {
  namespaceNameProblem,
  objectNameProblem,
  labelKeyProblem,
  labelValueProblem,
} from './kubernetes-names';
export { flagPrivilegedContent } from './privileged-content';
export { parsePatchRules } from './patch-rules/parse';
export { validatePatchRules } from './patch-rules/validate';
export { applyJsonPatch, JsonPatchError } from './patch-rules/json-patch';
export { applyMergePatch } from './patch-rules/merge-patch';
export { transformObjects } from './transforms/transform-objects';
export { fullImageReference, imageRewriter } from './transforms/image-registry';
export { tierOf, groupByTier, TIERS, type Tier } from './tiers';
export { FIELD_MANAGER } from './write-object';
export { comparableForm, unifiedDiff, changedFields } from './object-diff';
export type * from './types';
