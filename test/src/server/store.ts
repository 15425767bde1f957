/**
 * In-memory object storage, the server's etcd. Objects are stored by type key
 * (`resource.group`), namespace ('' for cluster scope) and name; stored objects are never
 * mutated in place (every write stores a new object), so reads hand them out without
 * copying. One resourceVersion counter spans all types, as etcd's revision does.
 */
import type { KubeObject } from './json';

/** How many recent events a watch from a resourceVersion can be replayed from. */
const HISTORY_KEPT = 10_000;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  typeKey: string;
  object: KubeObject;
}

class Namespace {
  readonly objects = new Map<string, KubeObject>();
  private sorted: string[] | undefined;

  names(): string[] {
    if (!this.sorted) this.sorted = [...this.objects.keys()].sort();
    return this.sorted;
  }

  set(name: string, obj: KubeObject): void {
    if (!this.objects.has(name)) this.sorted = undefined;
    this.objects.set(name, obj);
  }

  delete(name: string): void {
    if (this.objects.delete(name)) this.sorted = undefined;
  }
}

class Collection {
  readonly namespaces = new Map<string, Namespace>();
  private sortedNamespaces: string[] | undefined;
  size = 0;

  namespace(ns: string, create: boolean): Namespace | undefined {
    let entry = this.namespaces.get(ns);
    if (!entry && create) {
      entry = new Namespace();
      this.namespaces.set(ns, entry);
      this.sortedNamespaces = undefined;
    }
    return entry;
  }

  namespaceNames(): string[] {
    if (!this.sortedNamespaces) this.sortedNamespaces = [...this.namespaces.keys()].sort();
    return this.sortedNamespaces;
  }
}

export interface Locator {
  typeKey: string;
  namespace: string;
  name: string;
}

export class ObjectStore {
  private revision = 0;
  private readonly collections = new Map<string, Collection>();
  private readonly byUid = new Map<string, Locator>();
  /** owner uid → dependents, for garbage collection. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  /**
   * Recent events with the revision each was written at, oldest first: what a watch from a
   * resourceVersion replays, as the API server's watch cache does. Older ones are dropped.
   */
  private readonly history: Array<{ revision: number; event: StoreEvent }> = [];
  /** The newest revision whose events were dropped: a watch from before it gets 410 Gone. */
  private droppedUpTo = 0;

  nextResourceVersion(): string {
    return String(++this.revision);
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(typeKey: string, namespace: string, name: string): KubeObject | undefined {
    return this.collections.get(typeKey)?.namespaces.get(namespace)?.objects.get(name);
  }

  locate(uid: string): Locator | undefined {
    return this.byUid.get(uid);
  }

  getByUid(uid: string): KubeObject | undefined {
    const at = this.byUid.get(uid);
    return at && this.get(at.typeKey, at.namespace, at.name);
  }

  dependentsOf(uid: string): Locator[] {
    const set = this.dependents.get(uid);
    if (!set) return [];
    return [...set].map(key => {
      const [typeKey, namespace, name] = key.split('\u0000');
      return { typeKey, namespace, name };
    });
  }

  /** Stores a new version (or first version) of an object; it must not be mutated after. */
  put(typeKey: string, obj: KubeObject, type: WatchEventType): void {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name!;
    let collection = this.collections.get(typeKey);
    if (!collection) {
      collection = new Collection();
      this.collections.set(typeKey, collection);
    }
    const ns = collection.namespace(namespace, true)!;
    const previous = ns.objects.get(name);
    if (!previous) collection.size++;
    ns.set(name, obj);
    const locator = `${typeKey}\u0000${namespace}\u0000${name}`;
    if (previous) this.unindex(previous, locator);
    this.index(obj, typeKey, namespace, name, locator);
    this.emit({ type, typeKey, object: obj });
  }

  remove(typeKey: string, namespace: string, name: string): KubeObject | undefined {
    const collection = this.collections.get(typeKey);
    const ns = collection?.namespaces.get(namespace);
    const previous = ns?.objects.get(name);
    if (!collection || !ns || !previous) return undefined;
    ns.delete(name);
    collection.size--;
    this.unindex(previous, `${typeKey}\u0000${namespace}\u0000${name}`);
    // A deletion is a write of its own: its event carries the revision it happened at.
    const deleted = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: this.nextResourceVersion() },
    };
    this.emit({ type: 'DELETED', typeKey, object: deleted });
    return previous;
  }

  /** Objects of a type, sorted by namespace then name (etcd key order). */
  *iterate(
    typeKey: string,
    namespace?: string,
    after?: { namespace: string; name: string },
  ): Generator<KubeObject> {
    const collection = this.collections.get(typeKey);
    if (!collection) return;
    const namespaces = namespace !== undefined ? [namespace] : collection.namespaceNames();
    for (const nsName of namespaces) {
      if (after && nsName < after.namespace) continue;
      const ns = collection.namespaces.get(nsName);
      if (!ns) continue;
      const names = ns.names();
      let start = 0;
      if (after && nsName === after.namespace) start = upperBound(names, after.name);
      for (let i = start; i < names.length; i++) {
        const obj = ns.objects.get(names[i]);
        if (obj) yield obj;
      }
    }
  }

  /** How many objects a type holds (in one namespace, or in all). */
  size(typeKey: string, namespace?: string): number {
    const collection = this.collections.get(typeKey);
    if (!collection) return 0;
    return namespace === undefined
      ? collection.size
      : (collection.namespaces.get(namespace)?.objects.size ?? 0);
  }

  count(): number {
    let total = 0;
    for (const collection of this.collections.values()) total += collection.size;
    return total;
  }

  typeKeys(): string[] {
    return [...this.collections.keys()].filter(key => (this.collections.get(key)?.size ?? 0) > 0);
  }

  dropType(typeKey: string): void {
    for (const obj of [...this.iterate(typeKey)]) {
      this.remove(typeKey, obj.metadata.namespace ?? '', obj.metadata.name!);
    }
    this.collections.delete(typeKey);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The events written after `resourceVersion`, oldest first; undefined when some of them
   * are no longer kept (the client must list again).
   */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.droppedUpTo) return undefined;
    let first = this.history.length;
    while (first > 0 && this.history[first - 1].revision > resourceVersion) first--;
    return this.history.slice(first).map(entry => entry.event);
  }

  private emit(event: StoreEvent): void {
    this.history.push({ revision: this.revision, event });
    if (this.history.length > 2 * HISTORY_KEPT) {
      const dropped = this.history.splice(0, this.history.length - HISTORY_KEPT);
      this.droppedUpTo = dropped[dropped.length - 1].revision;
    }
    for (const listener of this.listeners) listener(event);
  }

  private index(
    obj: KubeObject,
    typeKey: string,
    namespace: string,
    name: string,
    locator: string,
  ): void {
    if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, { typeKey, namespace, name });
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(ref.uid, set);
      }
      set.add(locator);
    }
  }

  private unindex(obj: KubeObject, locator: string): void {
    if (obj.metadata.uid) this.byUid.delete(obj.metadata.uid);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(locator);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
  }
}

function upperBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
