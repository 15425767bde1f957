import { servedType } from '../cluster/testing';
import { UserError } from '../errors';
import { findResourceType, isTypeNamed, resolveResourceType } from './type-names';

const deployments = servedType('apps', 'Deployment', 'deployments', { shortNames: ['deploy'] });
const extensionDeployments = servedType('example.com', 'Deployment', 'deployments');
const configMaps = servedType('', 'ConfigMap', 'configmaps', { shortNames: ['cm'] });
const networkPolicies = servedType('networking.k8s.io', 'NetworkPolicy', 'networkpolicies');
const types = [extensionDeployments, deployments, configMaps, networkPolicies];

describe('resource type names', () => {
  it('finds a served type by plural, kind, singular, short name and group, as kubectl does', () => {
    for (const name of ['deployments', 'Deployment', 'deployment', 'deploy', 'deployments.apps'])
      expect(findResourceType(types, name)).toBe(deployments);
    expect(findResourceType(types, 'Deployment.example.com')).toBe(extensionDeployments);
    expect(findResourceType(types, 'cm')).toBe(configMaps);
  });

  it("falls back to kubectl's short names when discovery publishes none", () => {
    expect(findResourceType(types, 'netpol')).toBe(networkPolicies);
  });

  it('refuses an unknown type with the name the user gave', () => {
    expect(findResourceType(types, 'widgets')).toBeUndefined();
    expect(() => resolveResourceType(types, 'widgets')).toThrow(
      new UserError(
        'invalid-argument',
        'unknown resource type "widgets" (see kubectl api-resources)',
      ),
    );
  });

  it("matches a snapshot record's type with kubectl's names, group included", () => {
    const record = { group: 'apps', kind: 'StatefulSet', resource: 'statefulsets' };
    for (const name of ['sts', 'statefulset', 'StatefulSets', 'statefulsets.apps'])
      expect(isTypeNamed(record, name)).toBe(true);
    expect(isTypeNamed(record, 'statefulsets.example.com')).toBe(false);
    expect(isTypeNamed(record, 'deploy')).toBe(false);
  });
});
