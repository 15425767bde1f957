import type { StorageBackend } from '../repository/storage/backend';
import type { MoverRunner } from './mover';
import { VOLUME_REPOSITORY_FOLDER } from './restic-location';

/** What volume work needs of the object repository: its storage, and the derived password. */
export interface VolumeDataRepository {
  readonly backend: StorageBackend;
  volumeDataPassword(): string;
}

/** Whether the restic repository for volume data exists yet (its config file is there). */
export function hasVolumeRepository(repository: VolumeDataRepository): Promise<boolean> {
  return repository.backend.exists(`${VOLUME_REPOSITORY_FOLDER}/config`);
}

/**
 * Creates the volume-data repository the first time it is needed, with a mover (the
 * cluster reaches the repository; this machine may have no restic). Two backups creating
 * it at once are fine: the one that loses finds it made.
 */
export async function ensureVolumeRepository(
  repository: VolumeDataRepository,
  runner: MoverRunner,
  namespace: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (await hasVolumeRepository(repository)) return { ok: true };
  const outcome = await runner.run({ script: 'init', namespace, args: ['init'] });
  if (outcome.ok || (await hasVolumeRepository(repository))) return { ok: true };
  return {
    ok: false,
    reason: `the volume repository could not be created: ${outcome.errors.join('; ')}`,
  };
}
