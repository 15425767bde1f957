import {
  DEFAULT_PROTECTED_NAMESPACES,
  isLabelledProtected,
  isProtectedNamespace,
} from './protected-namespaces';

describe('protected namespaces', () => {
  it('protects the system namespaces by default, and nothing else', () => {
    for (const namespace of DEFAULT_PROTECTED_NAMESPACES) {
      expect(isProtectedNamespace(namespace)).toBe(true);
    }
    expect(DEFAULT_PROTECTED_NAMESPACES).toEqual([
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'default',
    ]);
    expect(isProtectedNamespace('kube-systems')).toBe(false);
    expect(isProtectedNamespace('dev')).toBe(false);
  });

  it.each([
    ['prod-*', 'prod-eu', true],
    ['prod-*', 'prod-', true],
    ['prod-*', 'preprod-eu', false],
    ['prod-*', 'prod', false],
    ['*-prod', 'shop-prod', true],
    ['team-?', 'team-a', true],
    ['team-?', 'team-ab', false],
    ['shop', 'shop', true],
    ['shop', 'shop-dev', false],
    ['*', 'anything', true],
  ])('pattern %s matches %s: %s', (pattern, namespace, matches) => {
    expect(isProtectedNamespace(namespace, [pattern])).toBe(matches);
  });

  it('reads the protected label of a live namespace', () => {
    const namespace = (labels?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x', labels },
    });
    expect(isLabelledProtected(namespace({ 'kube-backup.io/protected': 'true' }))).toBe(true);
    expect(isLabelledProtected(namespace({ 'kube-backup.io/protected': 'false' }))).toBe(false);
    expect(isLabelledProtected(namespace())).toBe(false);
    expect(isLabelledProtected(null)).toBe(false);
  });
});
