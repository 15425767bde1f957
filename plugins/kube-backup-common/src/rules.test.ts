import {
  hydrationRequestSchema,
  isKubeBackupAvailable,
  kubernetesClaim,
  labelKeyProblem,
  labelValueProblem,
  matchesAnyNamePattern,
  matchesNamePattern,
  namespaceNameProblem,
  objectReferenceProblem,
  parseRequestBody,
  requestBodyProblems,
  restoreDecisionSchema,
  restoreRequestSchema,
} from './index';

describe('name patterns', () => {
  it('takes * as any run of characters and ? as exactly one', () => {
    expect(matchesNamePattern('dev-*', 'dev-alice')).toBe(true);
    expect(matchesNamePattern('dev-*', 'staging')).toBe(false);
    expect(matchesNamePattern('dev-?', 'dev-1')).toBe(true);
    expect(matchesNamePattern('dev-?', 'dev-10')).toBe(false);
    expect(matchesNamePattern('dev-?', 'dev-')).toBe(false);
    expect(matchesNamePattern('team-[ab]-*', 'team-b-web')).toBe(true);
    expect(matchesNamePattern('team-[ab]-*', 'team-c-web')).toBe(false);
  });

  it('matches a plain name only as itself, dots included', () => {
    expect(matchesNamePattern('kube-system', 'kube-system')).toBe(true);
    expect(matchesNamePattern('kube-system', 'kube-system2')).toBe(false);
    expect(matchesNamePattern('a.b', 'axb')).toBe(false);
    expect(matchesNamePattern('*', '.env')).toBe(true);
  });

  it('matches any of several patterns', () => {
    expect(matchesAnyNamePattern(['prod-*', 'kube-system'], 'kube-system')).toBe(true);
    expect(matchesAnyNamePattern(['prod-*', 'kube-system'], 'dev-1')).toBe(false);
    expect(matchesAnyNamePattern([], 'anything')).toBe(false);
  });
});

describe('Kubernetes names', () => {
  it('takes namespace names as DNS labels of at most 63 characters', () => {
    expect(namespaceNameProblem('dev-alice')).toBeUndefined();
    expect(namespaceNameProblem('a'.repeat(63))).toBeUndefined();
    expect(namespaceNameProblem('a'.repeat(64))).toMatch(/^not a DNS label/);
    for (const bad of ['Dev', 'dev_1', '-dev', 'dev-', 'dev.1', '']) {
      expect(namespaceNameProblem(bad)).toMatch(/^not a DNS label/);
    }
  });

  it('takes label keys with a subdomain prefix and a name of at most 63 characters', () => {
    for (const good of ['app', 'app.kubernetes.io/name', 'backstage.io/kubernetes-id', 'A_b.c']) {
      expect(labelKeyProblem(good)).toBeUndefined();
    }
    expect(labelKeyProblem(`x/${'a'.repeat(63)}`)).toBeUndefined();
    expect(labelKeyProblem(`x/${'a'.repeat(64)}`)).toMatch(/^not a valid key/);
    expect(labelKeyProblem(`${'a'.repeat(254)}/name`)).toMatch(/^its prefix is not/);
    expect(labelKeyProblem('Example.com/name')).toMatch(/^its prefix is not/);
    expect(labelKeyProblem('-app')).toMatch(/^not a valid key/);
    expect(labelKeyProblem('')).toMatch(/^not a valid key/);
  });

  it('takes label values of at most 63 characters, and the empty value', () => {
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('v1.2_3-x')).toBeUndefined();
    expect(labelValueProblem('a'.repeat(64))).toMatch(/^not a valid label value/);
    expect(labelValueProblem('has space')).toMatch(/^not a valid label value/);
  });

  it('takes kind/name references with an optional group', () => {
    for (const good of [
      'Deployment/web',
      'deploy/web',
      'Ingress.networking.k8s.io/web',
      'ClusterRole/system:controller:x',
    ]) {
      expect(objectReferenceProblem(good)).toBeUndefined();
    }
    for (const bad of [
      'web',
      '/web',
      'Deployment/',
      'Deploy-ment/web',
      'Deployment/a/b',
      'x.Bad/y',
    ]) {
      expect(objectReferenceProblem(bad)).toBe('not kind/name (for example Deployment/web)');
    }
  });
});

describe('entity ↔ workload matching', () => {
  const entity = (annotations: Record<string, string>) => ({
    metadata: { name: 'x', annotations },
  });

  it('reads the Kubernetes plugin’s annotations, trimmed', () => {
    expect(
      kubernetesClaim(
        entity({
          'backstage.io/kubernetes-id': ' storefront ',
          'backstage.io/kubernetes-namespace': 'shop',
          'backstage.io/kubernetes-label-selector': 'app=web',
        }),
      ),
    ).toEqual({ id: 'storefront', namespace: 'shop', labelSelector: 'app=web' });
    expect(kubernetesClaim(entity({ 'backstage.io/kubernetes-id': '  ' }))).toBeUndefined();
  });

  it('offers the Backups tab for an id, a namespace alone or a selector alone', () => {
    expect(isKubeBackupAvailable(entity({ 'backstage.io/kubernetes-id': 'a' }))).toBe(true);
    expect(isKubeBackupAvailable(entity({ 'backstage.io/kubernetes-namespace': 'shop' }))).toBe(
      true,
    );
    expect(
      isKubeBackupAvailable(entity({ 'backstage.io/kubernetes-label-selector': 'app=web' })),
    ).toBe(true);
    expect(isKubeBackupAvailable(entity({ 'backstage.io/techdocs-ref': 'dir:.' }))).toBe(false);
    expect(isKubeBackupAvailable({ metadata: { name: 'x' } })).toBe(false);
  });
});

describe('request bodies', () => {
  it('parses a hydration, trimming its names', () => {
    expect(
      parseRequestBody(hydrationRequestSchema, {
        snapshotId: ' abc ',
        target: 'dev',
        namespace: 'dev-1 ',
        replicas: 0,
        extra: 'ignored',
      }),
    ).toEqual({ value: { snapshotId: 'abc', target: 'dev', namespace: 'dev-1', replicas: 0 } });
  });

  it('names the first field at fault, in one line', () => {
    const problem = (body: unknown) => parseRequestBody(hydrationRequestSchema, body).problem;
    const valid = { snapshotId: 'a', target: 'dev', namespace: 'dev-x' };
    expect(problem(null)).toBe('the request body must be a JSON object');
    expect(problem([])).toBe('the request body must be a JSON object');
    expect(problem({ ...valid, snapshotId: ' ' })).toBe('snapshotId is required');
    expect(problem({ target: 'dev', namespace: 'dev-x' })).toBe('snapshotId is required');
    expect(problem({ ...valid, namespace: 'Bad_NS' })).toMatch(
      /^namespace "Bad_NS" is not a DNS label \(lowercase letters/,
    );
    for (const replicas of [11, -1, 1.5, '2', null]) {
      expect(problem({ ...valid, replicas })).toBe('replicas must be a whole number from 0 to 10');
    }
    expect(problem({ ...valid, includeSecrets: 'yes' })).toBe(
      'includeSecrets must be true or false',
    );
  });

  it('lists every problem by field, for a form', () => {
    expect(
      requestBodyProblems(hydrationRequestSchema, {
        snapshotId: 'a',
        target: 'dev',
        namespace: 'dev_1',
        replicas: 12,
      }).map(problem => problem.path),
    ).toEqual(['namespace', 'replicas']);
  });

  it('parses restore requests and their scope', () => {
    const parse = (body: unknown) => parseRequestBody(restoreRequestSchema, body);
    expect(
      parse({
        snapshotId: 'a',
        reason: 'outage',
        scope: { namespaces: ['shop'], objects: ['Deployment/web'], existing: 'update' },
      }),
    ).toEqual({
      value: {
        snapshotId: 'a',
        reason: 'outage',
        scope: { namespaces: ['shop'], objects: ['Deployment/web'], existing: 'update' },
      },
    });
    expect(parse({ snapshotId: 'a' }).problem).toBe('reason is required');
    expect(parse({ snapshotId: 'a', reason: 'x', scope: { existing: 'replace' } }).problem).toBe(
      'scope.existing must be "skip" or "update"',
    );
    expect(parse({ snapshotId: 'a', reason: 'x', scope: 'all' }).problem).toBe(
      'scope must be a JSON object',
    );
    expect(parse({ snapshotId: 'a', reason: 'x', scope: { namespaces: 'shop' } }).problem).toBe(
      'scope.namespaces must be a list of namespace names',
    );
    expect(
      parse({ snapshotId: 'a', reason: 'x', scope: { namespaces: ['shop', 'Shop'] } }).problem,
    ).toMatch(/^scope\.namespaces\[1\] "Shop" is not a DNS label/);
    expect(parse({ snapshotId: 'a', reason: 'x', scope: { objects: ['web'] } }).problem).toBe(
      'scope.objects[0] "web" is not kind/name (for example Deployment/web)',
    );
  });

  it('parses files restore requests: a claim, paths, a target claim and a policy, never with a scope', () => {
    const parse = (body: unknown) => parseRequestBody(restoreRequestSchema, body);
    const files = { namespace: 'shop', claim: 'data', paths: ['/conf/app.yaml'] };
    expect(parse({ snapshotId: 'a', reason: 'x', files })).toEqual({
      value: { snapshotId: 'a', reason: 'x', files },
    });
    expect(
      parse({ snapshotId: 'a', reason: 'x', files: { ...files, existing: 'merge' } }).problem,
    ).toBe('files.existing must be "skip", "overwrite" or "rename"');
    expect(parse({ snapshotId: 'a', reason: 'x', files: { ...files, paths: [] } }).problem).toBe(
      'files.paths must name at least one path',
    );
    expect(
      parse({ snapshotId: 'a', reason: 'x', files: { ...files, targetClaim: 'Data_2' } }).problem,
    ).toMatch(/^files\.targetClaim "Data_2" is not/);
    expect(parse({ snapshotId: 'a', reason: 'x', files, scope: {} }).problem).toBe(
      'files names a scope and files: a request restores objects or files, not both',
    );
  });

  it('parses decisions', () => {
    const parse = (body: unknown) => parseRequestBody(restoreDecisionSchema, body);
    expect(parse({ decision: 'approve', comment: 'go' })).toEqual({
      value: { decision: 'approve', comment: 'go' },
    });
    expect(parse({ decision: 'maybe' }).problem).toBe('decision must be "approve" or "reject"');
    expect(parse({ decision: 'reject', comment: 3 }).problem).toBe('comment must be text');
  });
});
