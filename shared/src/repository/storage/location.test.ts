import { UserError } from '../../errors';
import { createBackend, parseRepositoryLocation } from './location';
import { LocalBackend } from './local-backend';
import { S3Backend } from './s3-backend';

function fails(location: string): UserError {
  try {
    parseRepositoryLocation(location);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('invalid-argument');
    expect((error as UserError).message).not.toContain('\n');
    return error as UserError;
  }
  throw new Error(`${location} was accepted`);
}

describe('parseRepositoryLocation', () => {
  it('takes file URLs and plain, relative and home paths', () => {
    expect(parseRepositoryLocation('file:///srv/backups')).toEqual({
      kind: 'local',
      path: '/srv/backups',
      url: 'file:///srv/backups',
    });
    expect(parseRepositoryLocation('/srv/backups/')).toMatchObject({
      kind: 'local',
      path: '/srv/backups',
    });
    expect(parseRepositoryLocation('repo', { cwd: '/work' })).toMatchObject({ path: '/work/repo' });
    expect(parseRepositoryLocation('~/kb', { home: '/home/ana' })).toMatchObject({
      path: '/home/ana/kb',
    });
    expect(parseRepositoryLocation('file:///with%20space')).toMatchObject({ path: '/with space' });
  });

  it('takes S3 buckets, prefixes and endpoint options', () => {
    expect(
      parseRepositoryLocation(
        's3://backups/team/prod?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'backups',
      prefix: 'team/prod',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      url: 's3://backups/team/prod',
    });
    expect(parseRepositoryLocation('s3://backups')).toMatchObject({
      bucket: 'backups',
      prefix: '',
      forcePathStyle: undefined,
    });
    expect(parseRepositoryLocation('s3://backups/x/?endpoint=https://minio.local')).toMatchObject({
      prefix: 'x',
      forcePathStyle: true,
    });
    expect(
      parseRepositoryLocation('s3://backups?forcePathStyle=false&endpoint=https://s3.example'),
    ).toMatchObject({
      forcePathStyle: false,
    });
  });

  it('explains unsupported schemes, missing buckets and bad options', () => {
    expect(fails('gs://bucket/x').message).toMatch(/unsupported repository location scheme "gs:"/);
    expect(fails('http://example.com/repo').message).toMatch(/scheme "http:"/);
    expect(fails('s3:///prefix').message).toMatch(/no bucket/);
    expect(fails('s3://').message).toMatch(/no bucket|invalid S3 location/);
    expect(fails('s3://Bad_Bucket').message).toMatch(/invalid S3 bucket name/);
    expect(fails('s3://bucket?endpont=http://x').message).toMatch(
      /unknown S3 location option "endpont"/,
    );
    expect(fails('s3://bucket?endpoint=ftp://x').message).toMatch(/invalid S3 endpoint/);
    expect(fails('s3://bucket:9000/x').message).toMatch(/endpoint=/);
    expect(fails('   ').message).toMatch(/empty repository location/);
  });

  it('never echoes credentials written into the location', () => {
    const error = fails('s3://AKIAEXAMPLE:s3cr3t@bucket/prefix');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('builds the matching backend', async () => {
    const local = await createBackend('/tmp/x');
    expect(local).toBeInstanceOf(LocalBackend);
    expect(local.location).toBe('/tmp/x');
    const s3 = await createBackend('s3://bucket/p?endpoint=http://127.0.0.1:1');
    expect(s3).toBeInstanceOf(S3Backend);
    expect(s3.location).toBe('s3://bucket/p');
    await s3.close?.();
  });
});
