import { posix } from 'node:path';
import { UserError } from '../errors';

/**
 * A path inside a volume as restic stores it: absolute from the volume's root, `/` for the
 * root itself. `a/b`, `/a/b/` and `./a/b` all name `/a/b`; a path that climbs out of the
 * volume (`..`) is refused rather than silently clamped.
 */
export function volumePath(input: string): string {
  const text = input.trim();
  if (text.includes('\0')) throw new UserError('invalid-argument', 'a path cannot hold a NUL byte');
  if (text.split('/').includes('..')) {
    throw new UserError('invalid-argument', `"${input}" leaves the volume: ".." is not allowed`);
  }
  const normal = posix.normalize(`/${text}`);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : '/';
}

/** A volume path as a restic include pattern, its wildcard characters escaped. */
export function resticPattern(path: string): string {
  return path.replace(/[\\*?[\]]/g, character => `\\${character}`);
}
