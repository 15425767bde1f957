import {
  fieldPredicate,
  labelPredicate,
  matchesRequirements,
  parseLabelSelector,
  selectedName,
} from './selectors';
import { ApiError } from './status';
import type { KubeObject } from './json';

const obj = (labels: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name: 'x', namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  const matches = (selector: string, labels: Record<string, string>) =>
    labelPredicate(selector)!(obj(labels));

  test.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'api' }, false],
    ['app!=web', { app: 'api' }, true],
    ['app!=web', {}, true],
    ['app', { app: '' }, true],
    ['app', {}, false],
    ['!app', {}, true],
    ['!app', { app: 'x' }, false],
    ['tier in (front, back)', { tier: 'back' }, true],
    ['tier in (front,back)', { tier: 'db' }, false],
    ['tier notin (front,back)', {}, true],
    ['tier notin (front,back)', { tier: 'front' }, false],
    ['app=web,tier=front', { app: 'web', tier: 'front' }, true],
    ['app=web, tier=front', { app: 'web', tier: 'back' }, false],
    ['replicas>2', { replicas: '3' }, true],
    ['replicas<2', { replicas: '3' }, false],
    ['example.com/team=pay', { 'example.com/team': 'pay' }, true],
    ['empty=', { empty: '' }, true],
  ])('%s on %j → %s', (selector, labels, expected) => {
    expect(matches(selector, labels)).toBe(expected);
  });

  test('an empty selector selects everything', () => {
    expect(labelPredicate('')).toBeUndefined();
    expect(matchesRequirements(undefined, parseLabelSelector('  '))).toBe(true);
  });

  test.each(['a b', 'app in (x', 'app in x', '=x', 'app=web,', 'x>y'])('%s is a 400', selector => {
    try {
      parseLabelSelector(selector);
      throw new Error('parsed');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(400);
    }
  });
});

describe('field selectors', () => {
  test('metadata fields for every type, status.phase for pods', () => {
    const pod = obj({}, { status: { phase: 'Running' }, spec: { nodeName: 'node-a' } });
    expect(fieldPredicate('metadata.name=x', 'configmaps.')!(pod)).toBe(true);
    expect(fieldPredicate('metadata.namespace!=ns', 'configmaps.')!(pod)).toBe(false);
    expect(fieldPredicate('status.phase=Running,spec.nodeName=node-a', 'pods.')!(pod)).toBe(true);
    expect(fieldPredicate('status.phase==Pending', 'pods.')!(pod)).toBe(false);
  });

  test('unsupported fields are rejected', () => {
    expect(() => fieldPredicate('status.phase=Running', 'configmaps.')).toThrow(
      'field label not supported: status.phase',
    );
  });

  test('a single-name selector is recognised for a direct lookup', () => {
    expect(selectedName('metadata.name=web')).toBe('web');
    expect(selectedName('metadata.name==web')).toBe('web');
    expect(selectedName('metadata.name!=web')).toBeUndefined();
    expect(selectedName('metadata.name=web,metadata.namespace=x')).toBeUndefined();
  });
});
