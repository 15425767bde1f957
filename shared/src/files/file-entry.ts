import type { VolumeFileEntry } from '@kube-backup/backstage-plugin-kube-backup-common';

/** One file, folder or link in a volume as a snapshot holds it (the portal's shape too). */
export type FileEntry = VolumeFileEntry;

const TYPES = new Set(['file', 'dir', 'symlink']);

/** A node line of `restic ls --json`; undefined for the snapshot line and anything else. */
export function parseLsLine(line: string): FileEntry | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (value?.struct_type !== 'node' || typeof value.path !== 'string') return undefined;
  const type = String(value.type);
  return {
    path: value.path,
    name: String(value.name ?? ''),
    type: TYPES.has(type) ? (type as FileEntry['type']) : 'other',
    ...(typeof value.size === 'number' && type === 'file' ? { size: value.size } : {}),
    permissions: String(value.permissions ?? '?').replace(/^L/, 'l'),
    uid: Number(value.uid ?? 0),
    gid: Number(value.gid ?? 0),
    mtime: String(value.mtime ?? ''),
  };
}
