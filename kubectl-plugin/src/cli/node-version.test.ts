import { unsupportedNode } from './node-version';

describe('unsupportedNode', () => {
  it('accepts Node 22.15 and anything newer', () => {
    for (const version of ['v22.15.0', 'v22.23.3', 'v23.0.0', 'v24.1.2']) {
      expect(unsupportedNode(version)).toBeUndefined();
    }
  });

  it('refuses an older Node in one line that names both versions', () => {
    for (const version of ['v20.20.2', 'v22.14.0', 'v18.0.0']) {
      const message = unsupportedNode(version);
      expect(message).toContain('needs Node 22.15 or newer');
      expect(message).toContain(`this is Node ${version.slice(1)}`);
      expect(message).not.toContain('\n');
    }
  });
});
