import { isAbsolute } from 'node:path';
import { UserError } from '../errors';
import { parseRepositoryLocation, type RepositoryLocation } from '../repository/storage/location';
import type { MoverSettings } from './mover';
import { DEFAULT_MOVER_IMAGE, type MoverRepository } from './mover-pod';
import { resticLocationOf } from './restic-location';

/** How volume data is moved: where movers find the repository, and with what. */
export interface VolumeDataSettings {
  /** The object repository's location. */
  location: string | RepositoryLocation;
  /**
   * For a `file://` repository: the path at which the cluster's nodes see its folder (an
   * NFS mount, or the same folder where the cluster runs on this machine).
   */
  nodePath?: string;
  /** Default DEFAULT_MOVER_IMAGE. */
  moverImage?: string;
  /** Movers running at once. Default 4. */
  concurrency?: number;
  /** How long a mover may take to be scheduled and start. Default 5 minutes. */
  moverStartTimeoutMs?: number;
}

export const DEFAULT_VOLUME_CONCURRENCY = 4;

/**
 * Checks that movers can reach the volume repository, before any pod starts, and builds
 * what they get: where it is and the credentials (the restic password derived from the
 * repository's master key; for S3, the credentials this process resolved).
 */
export async function moverSettings(
  settings: VolumeDataSettings,
  password: string,
): Promise<MoverSettings> {
  const location =
    typeof settings.location === 'string'
      ? parseRepositoryLocation(settings.location)
      : settings.location;
  const common = {
    image: settings.moverImage ?? DEFAULT_MOVER_IMAGE,
    startTimeoutMs: settings.moverStartTimeoutMs,
  };
  if (location.kind === 'local') {
    if (!settings.nodePath) {
      throw new UserError(
        'volume-repository-unreachable',
        `movers in the cluster cannot reach the repository at ${location.url}: it is a folder on this machine and no path was given at which the cluster's nodes mount it`,
      );
    }
    if (!isAbsolute(settings.nodePath)) {
      throw new UserError(
        'invalid-argument',
        `the repository's path on the nodes must be absolute, not "${settings.nodePath}"`,
      );
    }
    const repository: MoverRepository = {
      kind: 'node-path',
      path: settings.nodePath.replace(/\/+$/, ''),
    };
    return { ...common, repository, credentials: { RESTIC_PASSWORD: password } };
  }
  const restic = resticLocationOf(location);
  if (restic.kind !== 's3') throw new Error('an S3 location gave a local restic location');
  return {
    ...common,
    repository: { kind: 's3', repository: restic.repository, options: restic.options },
    credentials: { RESTIC_PASSWORD: password, ...(await s3Credentials(location.region)) },
  };
}

/** The S3 credentials this process uses (environment, profile, web identity…), for movers. */
async function s3Credentials(region: string | undefined): Promise<Record<string, string>> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ region: region ?? process.env.AWS_REGION ?? 'us-east-1' });
  try {
    const credentials = await client.config.credentials();
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    };
  } catch (error) {
    throw new UserError(
      'volume-repository-unreachable',
      `no S3 credentials to give the movers: ${(error as Error).message.split('\n')[0]}`,
    );
  } finally {
    client.destroy();
  }
}
