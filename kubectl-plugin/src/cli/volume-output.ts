import type { Snapshot, VolumeProgress, VolumePruneReport } from '@kube-backup/core';
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

/** What became of each claim's data, a line each after a summary. */
export function volumeLines(snapshot: Snapshot): string[] {
  if (snapshot.volumes.length === 0) return [];
  const captured = snapshot.volumes.filter(volume => volume.data?.status === 'captured');
  const failed = snapshot.volumes.filter(volume => volume.data?.status === 'failed');
  const sum = (field: 'bytes' | 'files' | 'addedBytes') =>
    captured.reduce((total, volume) => total + (volume.data?.[field] ?? 0), 0);
  const counts = [
    `${captured.length} captured${captured.length ? ` (${formatBytes(sum('bytes'))} in ${sum('files')} files, ${formatBytes(sum('addedBytes'))} added)` : ''}`,
    ...(failed.length ? [`${failed.length} failed`] : []),
    `${snapshot.volumes.length - captured.length - failed.length} without data`,
  ];
  return [
    `volumes: ${counts.join(', ')}`,
    ...snapshot.volumes.map(
      volume => `  ${volume.namespace}/${volume.claim}: ${describeVolumeData(volume)}`,
    ),
  ];
}

export function describeVolumeData(volume: Snapshot['volumes'][number]): string {
  const data = volume.data;
  if (!data) return 'data not captured (the snapshot predates volume data)';
  if (data.status === 'not-captured') return `data not captured: ${data.reason ?? 'not chosen'}`;
  const hooks = (data.hooks ?? []).map(
    hook => `${hook.phase}-backup hook in ${hook.pod} ${hook.outcome}`,
  );
  if (data.status === 'failed') {
    return `failed${data.method ? ` (${data.method})` : ''}: ${(data.errors ?? []).join('; ')}`;
  }
  return [
    `captured by ${data.method}`,
    `${data.consistency}-consistent${hooks.length ? ` (${hooks.join(', ')})` : ''}`,
    `${formatBytes(data.bytes ?? 0)} in ${data.files ?? 0} files, ${formatBytes(data.addedBytes ?? 0)} added`,
    ...(data.volumeSnapshot ? [`VolumeSnapshot ${data.volumeSnapshot} kept`] : []),
    ...(data.errors?.length ? [`errors: ${data.errors.join('; ')}`] : []),
  ].join(', ');
}

/** What pruning volume data did, in a line. */
export function volumePruneLine(report: VolumePruneReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const freed = report.dryRun
    ? ''
    : `, ${formatBytes(report.bytesBefore - report.bytesAfter)} freed`;
  return `volume data: ${verb} ${report.forgotten.length} restic snapshot(s) no snapshot uses${freed}; ${formatBytes(report.bytesAfter)} kept`;
}
