export {
  isKubeBackupAvailable,
  kubernetesClaim,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_ID_LABEL,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  type KubernetesClaim,
} from './entity';
export {
  DEFAULT_HYDRATION_REPLICAS,
  DEFAULT_SNAPSHOT_PAGE_SIZE,
  MAX_FILE_SEARCH_RESULTS,
  MAX_FILES_RESTORE_PATHS,
  MAX_HYDRATION_REPLICAS,
  MAX_SNAPSHOT_PAGE_SIZE,
} from './limits';
export {
  labelKeyProblem,
  labelValueProblem,
  MAX_LABEL_LENGTH,
  MAX_SUBDOMAIN_LENGTH,
  namespaceNameProblem,
  objectReferenceProblem,
  subdomainProblem,
} from './names';
export { entityOwners } from './ownership';
export { matchesAnyNamePattern, matchesNamePattern, namePatternMatcher } from './patterns';
export * from './permissions';
export {
  EXISTING_FILE_POLICIES,
  fileDownloadQuerySchema,
  fileListQuerySchema,
  filesRestoreSchema,
  fileSearchQuerySchema,
  hydrationRequestSchema,
  parseRequestBody,
  requestBodyProblems,
  restoreDecisionSchema,
  restoreRequestSchema,
  restoreScopeSchema,
  type ExistingFilePolicy,
  type FilesRestoreScope,
  type HydrationRequestBody,
  type ParsedRequestBody,
  type RequestBodyProblem,
  type RequestBodySchema,
  type RestoreDecisionBody,
  type RestoreRequestBody,
  type RestoreScope,
} from './requests';
export type * from './types';
