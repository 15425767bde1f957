/**
 * Which types are served right now: the built-in table plus types of established CRDs.
 * Lookups are by URL (group, version, plural), by kind, and by short name.
 */
import { BUILTIN_TYPES, typeKey, type ResourceType } from './resources';

export interface GroupInfo {
  name: string;
  /** Preferred first. */
  versions: string[];
}

export class Registry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly groupOrder: string[] = [];
  private readonly groupVersions = new Map<string, string[]>();
  /** Bumped whenever the served set changes, so discovery responses can be cached. */
  generation = 0;

  constructor(types: ResourceType[] = BUILTIN_TYPES) {
    for (const type of types) this.add(type);
  }

  add(type: ResourceType): void {
    this.byPath.set(`${type.group}/${type.version}/${type.resource}`, type);
    this.byKind.set(`${type.group}/${type.version}/${type.kind}`, type);
    if (!this.groupVersions.has(type.group)) {
      this.groupOrder.push(type.group);
      this.groupVersions.set(type.group, []);
    }
    const versions = this.groupVersions.get(type.group)!;
    if (!versions.includes(type.version)) versions.push(type.version);
    this.generation++;
  }

  /** Drops every version of a type (its CRD is gone). */
  remove(group: string, resource: string): void {
    for (const [key, type] of this.byPath) {
      if (type.group === group && type.resource === resource) {
        this.byPath.delete(key);
        this.byKind.delete(`${type.group}/${type.version}/${type.kind}`);
      }
    }
    for (const [g, versions] of this.groupVersions) {
      const remaining = versions.filter(v =>
        [...this.byPath.values()].some(t => t.group === g && t.version === v),
      );
      if (remaining.length === 0) {
        this.groupVersions.delete(g);
        this.groupOrder.splice(this.groupOrder.indexOf(g), 1);
      } else {
        this.groupVersions.set(g, remaining);
      }
    }
    this.generation++;
  }

  /** Orders a group's versions as a CRD lists them (storage/preferred first). */
  setVersionOrder(group: string, versions: string[]): void {
    if (this.groupVersions.has(group)) this.groupVersions.set(group, versions);
    this.generation++;
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  lookupKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${group}/${version}/${kind}`);
  }

  /** Any served version of a kind, preferring the group's preferred version. */
  lookupGroupKind(group: string, kind: string): ResourceType | undefined {
    for (const version of this.groupVersions.get(group) ?? []) {
      const type = this.lookupKind(group, version, kind);
      if (type) return type;
    }
    return undefined;
  }

  groups(): GroupInfo[] {
    return this.groupOrder.map(name => ({ name, versions: this.groupVersions.get(name)! }));
  }

  typesIn(group: string, version: string): ResourceType[] {
    return [...this.byPath.values()].filter(t => t.group === group && t.version === version);
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.groupVersions.get(group)?.includes(version) ?? false;
  }
}

export { typeKey };

/** Storage key of a type: all versions of a resource share one collection. */
export function keyOf(type: ResourceType): string {
  return typeKey(type.group, type.resource);
}
