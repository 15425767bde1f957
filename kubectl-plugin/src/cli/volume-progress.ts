import type { VolumeProgress } from '@kube-backup/core';
import { formatBytes } from './output';

const STEPS: Record<VolumeProgress['step'], string> = {
  'pre-hooks': 'running pre-backup hooks',
  snapshot: 'taking a volume snapshot',
  copying: 'copying',
  'post-hooks': 'running post-backup hooks',
  captured: 'captured',
  restoring: 'restoring',
  restored: 'restored',
  failed: 'failed',
};

/** A progress line for volume data: which volume, what it is doing, bytes and files so far. */
export function describeVolumeProgress(event: VolumeProgress): [string, string?] {
  const amounts = [
    event.bytesDone !== undefined
      ? `${formatBytes(event.bytesDone)}${event.totalBytes ? `/${formatBytes(event.totalBytes)}` : ''}`
      : '',
    event.filesDone !== undefined
      ? `${event.filesDone}${event.totalFiles ? `/${event.totalFiles}` : ''} files`
      : '',
  ].filter(Boolean);
  return [
    `volume data ${event.finished}/${event.volumes}`,
    `${event.volume} ${STEPS[event.step]}${amounts.length ? ` ${amounts.join(', ')}` : ''}`,
  ];
}
