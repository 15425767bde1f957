/**
 * Where the repository's files live in storage (see FORMAT.md): one place for the key
 * layout and the id shape every part of the repository checks.
 */

/** Content and snapshot ids: 64 hex digits. */
const ID = /^[0-9a-f]{64}$/;

export function isId(value: string): boolean {
  return ID.test(value);
}

/** Created up front where storage has folders, so a backup's writes never create any. */
export const REPOSITORY_FOLDERS = [
  'snapshots',
  'locks',
  ...Array.from({ length: 256 }, (_, i) => `data/${i.toString(16).padStart(2, '0')}`),
];

export const CONFIG_KEY = 'config';
export const BLOBS_PREFIX = 'data/';
export const SNAPSHOTS_PREFIX = 'snapshots/';

export function blobKey(id: string): string {
  return `data/${id.slice(0, 2)}/${id}`;
}

export function snapshotKey(id: string): string {
  return `snapshots/${id}`;
}

/** The id at the end of a storage key (`data/ab/ab12…` → `ab12…`). */
export function idOfKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
