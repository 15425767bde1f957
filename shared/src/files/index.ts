export type { FileEntry } from './file-entry';
export { volumePath } from './volume-path';
export { volumeAt, claimName, type VolumeAtSnapshot } from './volume-at';
export {
  openResticReader,
  type ReaderChoice,
  type ReaderOptions,
  type ResticReader,
} from './restic-reader';
export { listFiles, statPath, copyOut, fileHistory, type FileVersion } from './browse-files';
export {
  restoreFiles,
  EXISTING_FILE_POLICIES,
  type ExistingFilePolicy,
  type FilesRestoreRequest,
  type FilesRestoreReport,
  type PathOutcome,
} from './restore-files';
