/**
 * Discovery documents: /version, the legacy lists (/api, /apis, /api/v1, /apis/g/v) and
 * the aggregated APIGroupDiscoveryList (apidiscovery.k8s.io/v2) that kubectl 1.32 asks
 * for first. Built from the registry on demand and cached until the served set changes.
 */
import { apiVersionOf } from './json';
import type { Registry } from './registry';
import type { ResourceType } from './resources';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function versionInfo(gitVersion: string): Record<string, string> {
  const match = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: match?.[1] ?? '1',
    minor: match?.[2] ?? '32',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Does the Accept header ask for aggregated discovery before plain JSON? */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0].replace(/\s+/g, '');
  return (
    first.includes('as=APIGroupDiscoveryList') &&
    first.includes('v=v2') &&
    !first.includes('v=v2beta1')
  );
}

function resourceEntries(types: ResourceType[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const t of [...types].sort((a, b) => a.resource.localeCompare(b.resource))) {
    const entry: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames.length > 0) entry.shortNames = t.shortNames;
    if (t.categories.length > 0) entry.categories = t.categories;
    out.push(entry);
    if (t.scale) {
      out.push({
        name: `${t.resource}/scale`,
        singularName: '',
        namespaced: t.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (t.status) {
      out.push({
        name: `${t.resource}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return out;
}

export class Discovery {
  private cacheGeneration = -1;
  private cache = new Map<string, string>();

  constructor(
    private readonly registry: Registry,
    private readonly serverAddress: () => string,
  ) {}

  private cached(key: string, build: () => unknown): string {
    if (this.cacheGeneration !== this.registry.generation) {
      this.cache = new Map();
      this.cacheGeneration = this.registry.generation;
    }
    let json = this.cache.get(key);
    if (json === undefined) {
      json = JSON.stringify(build());
      this.cache.set(key, json);
    }
    return json;
  }

  /** The JSON for a discovery path, or undefined when the path is not a discovery path. */
  document(path: string, aggregated: boolean): { json: string; contentType: string } | undefined {
    const plain = (json: string) => ({ json, contentType: 'application/json' });
    if (path === '/api') {
      if (aggregated)
        return {
          json: this.cached('agg:/api', () => this.aggregated(true)),
          contentType: AGGREGATED_V2,
        };
      return plain(
        this.cached('/api', () => ({
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [
            { clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() },
          ],
        })),
      );
    }
    if (path === '/apis') {
      if (aggregated)
        return {
          json: this.cached('agg:/apis', () => this.aggregated(false)),
          contentType: AGGREGATED_V2,
        };
      return plain(
        this.cached('/apis', () => ({
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: this.registry
            .groups()
            .filter(g => g.name)
            .map(g => this.group(g.name, g.versions)),
        })),
      );
    }
    if (path === '/api/v1') {
      return plain(this.cached(path, () => this.resourceList('', 'v1')));
    }
    const groupMatch = /^\/apis\/([^/]+)$/.exec(path);
    if (groupMatch) {
      const info = this.registry.groups().find(g => g.name === groupMatch[1]);
      if (!info) return undefined;
      return plain(
        this.cached(path, () => ({
          kind: 'APIGroup',
          apiVersion: 'v1',
          ...this.group(info.name, info.versions),
        })),
      );
    }
    const versionMatch = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (versionMatch && this.registry.hasGroupVersion(versionMatch[1], versionMatch[2])) {
      return plain(this.cached(path, () => this.resourceList(versionMatch[1], versionMatch[2])));
    }
    return undefined;
  }

  private group(name: string, versions: string[]): Record<string, unknown> {
    const entries = versions.map(version => ({
      groupVersion: apiVersionOf(name, version),
      version,
    }));
    return { name, versions: entries, preferredVersion: entries[0] };
  }

  private resourceList(group: string, version: string): Record<string, unknown> {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf(group, version),
      resources: resourceEntries(this.registry.typesIn(group, version)),
    };
  }

  private aggregated(core: boolean): Record<string, unknown> {
    const groups = this.registry.groups().filter(g => (core ? g.name === '' : g.name !== ''));
    return {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: groups.map(g => ({
        metadata: core ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
        versions: g.versions.map(version => ({
          version,
          resources: [...this.registry.typesIn(g.name, version)]
            .sort((a, b) => a.resource.localeCompare(b.resource))
            .map(t => {
              const entry: Record<string, unknown> = {
                resource: t.resource,
                responseKind: { group: t.group, version: t.version, kind: t.kind },
                scope: t.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: t.singular,
                verbs: t.verbs,
              };
              if (t.shortNames.length > 0) entry.shortNames = t.shortNames;
              if (t.categories.length > 0) entry.categories = t.categories;
              const subresources: Array<Record<string, unknown>> = [];
              if (t.scale) {
                subresources.push({
                  subresource: 'scale',
                  responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
                  verbs: ['get', 'patch', 'update'],
                });
              }
              if (t.status) {
                subresources.push({
                  subresource: 'status',
                  responseKind: { group: t.group, version: t.version, kind: t.kind },
                  verbs: ['get', 'patch', 'update'],
                });
              }
              if (subresources.length > 0) entry.subresources = subresources;
              return entry;
            }),
          freshness: 'Current',
        })),
      })),
    };
  }
}
