import type { InventoryItem } from '../kubernetes-objects/inventory';
import type { SnapshotError, VolumeRecord } from '../snapshot/types';

/** What one volume is doing, for progress lines and job logs. */
export type VolumeStep =
  | 'pre-hooks'
  | 'snapshot'
  | 'copying'
  | 'post-hooks'
  | 'captured'
  | 'restoring'
  | 'restored'
  | 'failed';

export interface VolumeProgress {
  /** `namespace/claim`. */
  volume: string;
  step: VolumeStep;
  bytesDone?: number;
  totalBytes?: number;
  filesDone?: number;
  totalFiles?: number;
  /** Volumes finished (either way) so far, out of how many. */
  finished: number;
  volumes: number;
}

/** What a backup hands volume capture once its objects are stored. */
export interface VolumeCaptureInput {
  /** Everything the snapshot holds or records: its claims, the pods and workloads using them. */
  items: InventoryItem[];
  /** The snapshot's claims, as recorded without data. */
  volumes: VolumeRecord[];
  /** The snapshot's id (it is saved only after the volumes). */
  snapshotId: string;
  /** The cluster's name as snapshots record it. */
  cluster: string;
  onProgress?: (progress: VolumeProgress) => void;
}

export interface VolumeCaptureResult {
  volumes: VolumeRecord[];
  /** A failed volume, a failed hook: the snapshot is partial with these. */
  errors: SnapshotError[];
}

/** Captures claims' data for a backup (see volumeDataCapture). */
export interface VolumeDataCapture {
  capture(input: VolumeCaptureInput): Promise<VolumeCaptureResult>;
}
