import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../../errors';
import type { StorageBackend } from './backend';
import { LocalBackend, type LocalBackendOptions } from './local-backend';
import type { S3BackendOptions } from './s3-backend';

export type RepositoryLocation =
  | { kind: 'local'; path: string; url: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      endpoint?: string;
      region?: string;
      forcePathStyle?: boolean;
      url: string;
    };

const S3_PARAMS = new Set(['endpoint', 'region', 'forcePathStyle']);
const HINT = 'use a directory path, file:///absolute/path or s3://bucket/prefix';

/**
 * Parses a repository location: `file:///abs/path`, a plain path (relative paths resolve
 * against `cwd`, `~/` against the home directory), or
 * `s3://bucket/prefix?endpoint=http://host:9000&region=us-east-1&forcePathStyle=true`.
 */
export function parseRepositoryLocation(
  location: string,
  options: { cwd?: string; home?: string } = {},
): RepositoryLocation {
  const text = location.trim();
  if (text === '') throw new UserError('invalid-argument', `empty repository location; ${HINT}`);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  // A single letter before ':' is a Windows drive, not a scheme.
  if (!scheme || scheme.length === 1) {
    let path = text;
    if (path === '~' || path.startsWith('~/')) path = (options.home ?? homedir()) + path.slice(1);
    path = isAbsolute(path) ? resolve(path) : resolve(options.cwd ?? process.cwd(), path);
    return { kind: 'local', path, url: pathToFileURL(path).href };
  }
  if (scheme === 'file') {
    let path: string;
    try {
      path = fileURLToPath(text);
    } catch {
      throw new UserError(
        'invalid-argument',
        `invalid file location "${text}"; use file:///absolute/path (three slashes)`,
      );
    }
    path = resolve(path);
    return { kind: 'local', path, url: pathToFileURL(path).href };
  }
  if (scheme === 's3') return parseS3(text);
  throw new UserError(
    'invalid-argument',
    `unsupported repository location scheme "${scheme}:"; ${HINT}`,
  );
}

function parseS3(text: string): RepositoryLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError('invalid-argument', `invalid S3 location; use s3://bucket/prefix`);
  }
  if (url.username || url.password) {
    // Never echo the location back: it holds a secret.
    throw new UserError(
      'invalid-argument',
      'credentials in the repository location are not supported; use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  const bucket = url.hostname;
  if (!bucket) {
    throw new UserError('invalid-argument', 'S3 location has no bucket; use s3://bucket/prefix');
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UserError('invalid-argument', `invalid S3 bucket name "${bucket}"`);
  }
  if (url.port) {
    throw new UserError(
      'invalid-argument',
      'an S3 location names a bucket, not a host; put the server in ?endpoint=http://host:port',
    );
  }
  const prefix = decodeURIComponent(url.pathname)
    .replace(/^\/+|\/+$/g, '')
    .replace(/\/{2,}/g, '/');
  if (prefix.split('/').some(part => part === '.' || part === '..')) {
    throw new UserError('invalid-argument', `invalid S3 prefix "${prefix}"`);
  }
  for (const name of url.searchParams.keys()) {
    if (!S3_PARAMS.has(name)) {
      throw new UserError(
        'invalid-argument',
        `unknown S3 location option "${name}"; supported: endpoint, region, forcePathStyle`,
      );
    }
  }
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(endpoint);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      throw new UserError(
        'invalid-argument',
        `invalid S3 endpoint "${endpoint}"; use http://host:port or https://host`,
      );
    }
  }
  const region = url.searchParams.get('region') || undefined;
  const style = url.searchParams.get('forcePathStyle');
  let forcePathStyle: boolean | undefined;
  if (style !== null) {
    if (!['true', 'false', ''].includes(style)) {
      throw new UserError(
        'invalid-argument',
        `forcePathStyle must be true or false, not "${style}"`,
      );
    }
    forcePathStyle = style !== 'false';
  } else if (endpoint !== undefined) {
    // Self-hosted services (MinIO, Ceph) rarely have per-bucket DNS names.
    forcePathStyle = true;
  }
  return {
    kind: 's3',
    bucket,
    prefix,
    endpoint,
    region,
    forcePathStyle,
    url: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
  };
}

export interface BackendOptions {
  local?: LocalBackendOptions;
  s3?: Partial<S3BackendOptions>;
}

/**
 * Builds the storage backend for a location. The AWS SDK is loaded only for an S3
 * location: it is the largest part of the engine and a local repository never needs it.
 */
export async function createBackend(
  location: string | RepositoryLocation,
  options: BackendOptions = {},
): Promise<StorageBackend> {
  const parsed = typeof location === 'string' ? parseRepositoryLocation(location) : location;
  if (parsed.kind === 'local') return new LocalBackend(parsed.path, options.local);
  const { S3Backend } = await import('./s3-backend');
  return new S3Backend({
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    endpoint: parsed.endpoint,
    region: parsed.region,
    forcePathStyle: parsed.forcePathStyle,
    ...options.s3,
  });
}
