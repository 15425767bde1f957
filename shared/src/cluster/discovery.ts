import type { KubeClient } from './kube-client';
import { KubeApiError } from './kube-api-error';
import { mapConcurrent } from '../util/limiter';
import { apiVersionOf, type ResourceType } from './resource-types';

interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
}

interface APIGroupList {
  groups: Array<{
    name: string;
    preferredVersion?: { version: string };
    versions: Array<{ version: string }>;
  }>;
}

export interface Discovery {
  types: ResourceType[];
  /** Group versions that could not be read (an aggregated API that is down, say). */
  errors: Array<{ groupVersion: string; message: string }>;
  serverVersion?: string;
}

/** Every served resource type at each group's preferred version, subresources left out. */
export async function discoverResourceTypes(client: KubeClient): Promise<Discovery> {
  const [core, groups, version] = await Promise.all([
    client.request<{ versions: string[] }>({ method: 'GET', path: '/api' }),
    client.request<APIGroupList>({ method: 'GET', path: '/apis' }),
    client
      .request<{ gitVersion?: string }>({ method: 'GET', path: '/version' })
      .catch(() => undefined),
  ]);
  const groupVersions = [
    ...core.versions.slice(0, 1).map(version => ({ group: '', version })),
    ...groups.groups.map(group => ({
      group: group.name,
      version: group.preferredVersion?.version ?? group.versions[0].version,
    })),
  ];
  const errors: Discovery['errors'] = [];
  const lists = await mapConcurrent(groupVersions, 16, async ({ group, version }) => {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    try {
      const list = await client.request<{ resources: APIResource[] }>({ method: 'GET', path });
      return list.resources
        .filter(resource => !resource.name.includes('/'))
        .map((resource): ResourceType => ({
          group,
          version,
          apiVersion: apiVersionOf(group, version),
          kind: resource.kind,
          resource: resource.name,
          namespaced: resource.namespaced,
          verbs: resource.verbs,
          shortNames: resource.shortNames ?? [],
          singularName: resource.singularName || resource.kind.toLowerCase(),
        }));
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      errors.push({ groupVersion: apiVersionOf(group, version), message: error.message });
      return [];
    }
  });
  return { types: lists.flat(), errors, serverVersion: version?.gitVersion };
}
