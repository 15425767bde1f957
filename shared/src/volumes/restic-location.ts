import type { RepositoryLocation } from '../repository/storage/location';

/** The folder (or key prefix) of the object repository that holds the restic repository. */
export const VOLUME_REPOSITORY_FOLDER = 'volumes';

/**
 * Where restic finds the volume-data repository: a folder (of a `file://` repository, as
 * seen from this machine) or an S3 URL in restic's form with its extended options.
 */
export type ResticLocation =
  { kind: 'local'; path: string } | { kind: 's3'; repository: string; options: string[] };

/**
 * The restic repository beside an object repository: `file:///path/repo` keeps it in
 * `/path/repo/volumes`, `s3://bucket/prefix?endpoint=…&region=…` under
 * `s3:<endpoint>/bucket/prefix/volumes` (AWS's regional endpoint without one).
 */
export function resticLocationOf(location: RepositoryLocation): ResticLocation {
  if (location.kind === 'local') {
    return {
      kind: 'local',
      path: `${location.path.replace(/\/+$/, '')}/${VOLUME_REPOSITORY_FOLDER}`,
    };
  }
  const region = location.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const endpoint = location.endpoint
    ? location.endpoint.replace(/\/+$/, '')
    : region
      ? `s3.${region}.amazonaws.com`
      : 's3.amazonaws.com';
  const path = [location.bucket, location.prefix, VOLUME_REPOSITORY_FOLDER]
    .filter(Boolean)
    .join('/');
  const options: string[] = [];
  if (region) options.push(`s3.region=${region}`);
  if (location.forcePathStyle) options.push('s3.bucket-lookup=path');
  return { kind: 's3', repository: `s3:${endpoint}/${path}`, options };
}

/** restic's `-o key=value` arguments for a location. */
export function resticOptionArgs(location: ResticLocation): string[] {
  return location.kind === 's3' ? location.options.flatMap(option => ['-o', option]) : [];
}
