import { parseLsLine } from './file-entry';

describe('parseLsLine', () => {
  it("reads restic's node lines and leaves out its snapshot line", () => {
    expect(
      parseLsLine(
        '{"name":"app.yaml","type":"file","path":"/conf/app.yaml","uid":1000,"gid":2000,"size":12,"mode":416,"permissions":"-rw-r-----","mtime":"2026-01-02T03:04:05Z","struct_type":"node"}',
      ),
    ).toEqual({
      path: '/conf/app.yaml',
      name: 'app.yaml',
      type: 'file',
      size: 12,
      permissions: '-rw-r-----',
      uid: 1000,
      gid: 2000,
      mtime: '2026-01-02T03:04:05Z',
    });
    expect(
      parseLsLine(
        '{"name":"link","type":"symlink","path":"/link","uid":0,"gid":0,"mode":134218239,"permissions":"Lrwxrwxrwx","mtime":"2026-01-02T03:04:05Z","struct_type":"node"}',
      ),
    ).toMatchObject({ type: 'symlink', permissions: 'lrwxrwxrwx' });
    expect(parseLsLine('{"time":"2026-01-02T03:04:05Z","struct_type":"snapshot"}')).toBeUndefined();
    expect(parseLsLine('not json')).toBeUndefined();
  });
});
