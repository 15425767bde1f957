import { parseRepositoryLocation } from '../repository/storage/location';
import { resticLocationOf } from './restic-location';

describe('the volume repository beside an object repository', () => {
  it('is the volumes folder of a local repository', () => {
    expect(resticLocationOf(parseRepositoryLocation('file:///srv/backups/repo/'))).toEqual({
      kind: 'local',
      path: '/srv/backups/repo/volumes',
    });
  });

  it('is under the same S3 prefix, at the same endpoint, region and addressing', () => {
    expect(
      resticLocationOf(
        parseRepositoryLocation(
          's3://backups/team-a/prod?endpoint=http://127.0.0.1:9000&region=eu-west-1',
        ),
      ),
    ).toEqual({
      kind: 's3',
      repository: 's3:http://127.0.0.1:9000/backups/team-a/prod/volumes',
      options: ['s3.region=eu-west-1', 's3.bucket-lookup=path'],
    });
  });

  it("is at AWS's regional endpoint without an endpoint", () => {
    expect(resticLocationOf(parseRepositoryLocation('s3://backups?region=us-west-2'))).toEqual({
      kind: 's3',
      repository: 's3:s3.us-west-2.amazonaws.com/backups/volumes',
      options: ['s3.region=us-west-2'],
    });
  });
});
