export type * from './types';
export { volumeDataCapture, type VolumeCaptureOptions } from './capture-volumes';
export type { VolumeMethodChoice } from './capture-plan';
export {
  volumeDataRestore,
  type VolumeDataChoice,
  type VolumeRestoreOptions,
} from './restore-volumes';
export { DEFAULT_VOLUME_CONCURRENCY, moverSettings, type VolumeDataSettings } from './mover-access';
export { DEFAULT_MOVER_IMAGE } from './mover-pod';
export { VOLUME_SELECTIONS, type VolumeSelection } from './select-claims';
export {
  parseBackupHooks,
  kubeBackupHookAnnotation,
  veleroHookAnnotation,
  type HookSpec,
} from './hook-annotations';
export { removeLeftovers, type Leftover, type LeftoverReport } from './leftovers';
export { OPERATION_LABEL } from './operation';
export {
  pruneVolumeData,
  verifyVolumeData,
  type VolumePruneReport,
  type VolumeVerifyReport,
} from './maintenance';
export { hasVolumeRepository } from './volume-repository';
export { resticLocationOf, VOLUME_REPOSITORY_FOLDER, type ResticLocation } from './restic-location';
export { runRestic, type ResticRepository } from './restic';
