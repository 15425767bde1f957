/** One served resource type, as discovery describes it. */
export interface ResourceType {
  group: string;
  version: string;
  /** `v1` or `apps/v1`: what goes in an object's apiVersion. */
  apiVersion: string;
  kind: string;
  /** Plural name used in paths, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  singularName: string;
}

/** `deployments.apps`, or `pods` for the core group: how kubectl names a resource type. */
export function qualifiedResourceName(type: Pick<ResourceType, 'group' | 'resource'>): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits `apps/v1` into its group and version (`v1` is the core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function collectionPath(
  type: Pick<ResourceType, 'group' | 'version' | 'resource' | 'namespaced'>,
  namespace?: string,
): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const scope = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${prefix}${scope}/${type.resource}`;
}

export function objectPath(
  type: Pick<ResourceType, 'group' | 'version' | 'resource' | 'namespaced'>,
  name: string,
  namespace?: string,
): string {
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
}
