import { UserError } from '../errors';
import {
  fromStructuredSelector,
  matchesEqualitySelector,
  matchesLabels,
  parseLabelSelector,
} from './label-selector';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend', 'backstage.io/kubernetes-id': 'storefront' };

  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=api', false],
    ['app in (api, web)', true],
    ['app notin (api,web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=web,tier=frontend', true],
    ['app=web,tier in (backend)', false],
    ['backstage.io/kubernetes-id=storefront', true],
    ['', true],
  ])('%s matches: %s', (text, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected);
  });

  it('rejects malformed selectors with the offending term', () => {
    expect(() => parseLabelSelector('app=web,=x')).toThrow(UserError);
    expect(() => parseLabelSelector('app in (a')).toThrow(/invalid label selector/);
  });

  it('reads matchLabels and matchExpressions', () => {
    const selector = fromStructuredSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }],
    });
    expect(matchesLabels(selector, labels)).toBe(true);
    expect(matchesLabels(selector, { app: 'web' })).toBe(false);
    expect(matchesLabels(fromStructuredSelector({}), labels)).toBe(true);
  });

  it('treats an empty service selector as selecting nothing', () => {
    expect(matchesEqualitySelector({}, labels)).toBe(false);
    expect(matchesEqualitySelector({ app: 'web' }, labels)).toBe(true);
  });
});
