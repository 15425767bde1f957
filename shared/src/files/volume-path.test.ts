import { resticPattern, volumePath } from './volume-path';

describe('volumePath', () => {
  it('names every spelling of a path the same way, the root as /', () => {
    expect(volumePath('a/b')).toBe('/a/b');
    expect(volumePath('/a//b/')).toBe('/a/b');
    expect(volumePath('./a/./b')).toBe('/a/b');
    expect(volumePath('')).toBe('/');
    expect(volumePath('/')).toBe('/');
  });

  it('refuses a path that climbs out of the volume', () => {
    expect(() => volumePath('../etc/passwd')).toThrow(/leaves the volume/);
    expect(() => volumePath('/a/../../b')).toThrow(/leaves the volume/);
  });
});

describe('resticPattern', () => {
  it("escapes restic's wildcards so a name is matched as it is", () => {
    expect(resticPattern('/we[i]rd/x*y?')).toBe('/we\\[i\\]rd/x\\*y\\?');
    expect(resticPattern('/plain/name.txt')).toBe('/plain/name.txt');
  });
});
