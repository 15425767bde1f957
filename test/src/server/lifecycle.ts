/**
 * What the controllers of a real control plane do that clients can observe: namespaces
 * start with a `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap (and get them
 * back when deleted), deleting a namespace deletes its contents, and CRDs become
 * Established (serving their types) shortly after creation and take their custom
 * resources with them when deleted.
 */
import type { ApiServer, DeleteOptions } from './api';
import { crdStatus, isEstablished, typesOfCrd, versionOrder } from './crds';
import { forbidden } from './status';
import { isObject, nowTimestamp, type KubeObject } from './json';
import { keyOf } from './registry';
import type { ResourceType } from './resources';
import { SNAPSHOT_CRDS } from './snapshot-crds';

export interface LifecycleOptions {
  crdEstablishDelayMs: number;
  /** How long a deleted namespace stays Terminating before it and its contents go. */
  namespaceTerminationDelayMs: number;
  /** How soon the garbage collector removes an object none of whose owners exist. */
  garbageCollectionDelayMs: number;
  caPem: string;
}

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public'];
const CONTROLLER = 'kube-controller-manager';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class Lifecycle {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly api: ApiServer,
    private readonly options: LifecycleOptions,
  ) {
    api.lifecycle = this;
  }

  private type(group: string, resource: string): ResourceType {
    const type = this.api.registry.all().find(t => t.group === group && t.resource === resource);
    if (!type) throw new Error(`built-in type ${resource}.${group} missing`);
    return type;
  }

  /** The objects every fresh cluster has. */
  bootstrap(): void {
    for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
      this.api.systemWrite(this.type('', 'namespaces'), namespaceObject(name), 'kube-apiserver');
    }
    this.api.systemWrite(
      this.type('', 'services'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'kubernetes',
          namespace: 'default',
          labels: { component: 'apiserver', provider: 'kubernetes' },
        },
        spec: {
          clusterIP: '10.96.0.1',
          clusterIPs: ['10.96.0.1'],
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
          type: 'ClusterIP',
        },
        status: { loadBalancer: {} },
      },
      'kube-apiserver',
    );
    for (const crd of SNAPSHOT_CRDS) this.installCrd(structuredClone(crd), true);
  }

  /** Creates a CRD and, when `establishNow`, serves its types before returning. */
  installCrd(crd: KubeObject, establishNow: boolean): KubeObject {
    const stored = this.api.systemWrite(
      this.type('apiextensions.k8s.io', 'customresourcedefinitions'),
      crd,
      'kube-apiserver',
    );
    if (establishNow) return this.establish(stored.metadata.name!) ?? stored;
    return stored;
  }

  created(type: ResourceType, obj: KubeObject): void {
    this.watchOwners(type, obj);
    if (type.resource === 'namespaces' && !type.group)
      this.ensureNamespaceDefaults(obj.metadata.name!);
    if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io') {
      const name = obj.metadata.name!;
      this.later(this.options.crdEstablishDelayMs, () => this.establish(name));
    }
  }

  updated(type: ResourceType, _old: KubeObject, obj: KubeObject): void {
    this.watchOwners(type, obj);
    if (
      type.resource === 'customresourcedefinitions' &&
      type.group === 'apiextensions.k8s.io' &&
      isEstablished(obj)
    ) {
      this.serve(obj);
    }
  }

  deleted(type: ResourceType, obj: KubeObject): void {
    if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io') {
      const types = typesOfCrd(obj);
      if (types.length > 0) {
        this.api.registry.remove(types[0].group, types[0].resource);
        this.api.store.dropType(keyOf(types[0]));
      }
      return;
    }
    const namespace = obj.metadata.namespace;
    if (!namespace || type.group) return;
    const isDefaultSa = type.resource === 'serviceaccounts' && obj.metadata.name === 'default';
    const isRootCa = type.resource === 'configmaps' && obj.metadata.name === 'kube-root-ca.crt';
    if (isDefaultSa || isRootCa) {
      // Their controllers put them back straight away in a live namespace.
      const ns = this.api.store.get('namespaces.', '', namespace);
      if (ns && !(isObject(ns.status) && ns.status.phase === 'Terminating'))
        this.ensureNamespaceDefaults(namespace);
    }
  }

  /**
   * The garbage collector deletes dependents whose owners are all gone — including owners
   * that never existed, such as references restored from another cluster. An owner counts
   * when an object with its uid exists at cluster scope or in the dependent's namespace.
   */
  private watchOwners(type: ResourceType, obj: KubeObject): void {
    const refs = obj.metadata.ownerReferences;
    if (!refs || refs.length === 0) return;
    const uid = obj.metadata.uid;
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name!;
    const typeKey = keyOf(type);
    this.later(this.options.garbageCollectionDelayMs, () => {
      const current = this.api.store.get(typeKey, namespace, name);
      if (!current || current.metadata.uid !== uid || current.metadata.deletionTimestamp) return;
      const owners = current.metadata.ownerReferences ?? [];
      if (owners.length === 0) return;
      const alive = owners.some(ref => {
        const at = this.api.store.locate(ref.uid);
        return at !== undefined && (at.namespace === '' || at.namespace === namespace);
      });
      if (!alive) this.api.remove(type, current, 'Background');
    });
  }

  handlesDelete(type: ResourceType): boolean {
    return type.resource === 'namespaces' && !type.group;
  }

  /** Namespace deletion: Terminating at once, contents and namespace gone after the delay. */
  delete(type: ResourceType, ns: KubeObject, opts: DeleteOptions): KubeObject {
    const name = ns.metadata.name!;
    if (PROTECTED_NAMESPACES.includes(name)) {
      throw forbidden(
        { group: '', resource: 'namespaces' },
        name,
        'this namespace may not be deleted',
      );
    }
    if (isObject(ns.status) && ns.status.phase === 'Terminating') return ns;
    const terminating: KubeObject = {
      ...ns,
      metadata: { ...ns.metadata, deletionTimestamp: nowTimestamp() },
      status: { phase: 'Terminating' },
    };
    if (opts.dryRun) return terminating;
    terminating.metadata.resourceVersion = this.api.store.nextResourceVersion();
    this.api.store.put(keyOf(type), terminating, 'MODIFIED');
    if (this.options.namespaceTerminationDelayMs <= 0) this.finalizeNamespace(name);
    else this.later(this.options.namespaceTerminationDelayMs, () => this.finalizeNamespace(name));
    return terminating;
  }

  private finalizeNamespace(name: string): void {
    const store = this.api.store;
    for (const typeKey of store.typeKeys()) {
      if (typeKey === 'namespaces.') continue;
      for (const obj of [...store.iterate(typeKey, name)]) {
        if (!store.get(typeKey, name, obj.metadata.name!)) continue;
        const type = this.api.typeOfStored(typeKey, obj);
        if (type) this.api.remove(type, obj, 'Background');
        else store.remove(typeKey, name, obj.metadata.name!);
      }
    }
    const ns = store.get('namespaces.', '', name);
    if (ns) this.api.remove(this.type('', 'namespaces'), ns, 'Background');
  }

  private ensureNamespaceDefaults(namespace: string): void {
    const store = this.api.store;
    if (!store.get('serviceaccounts.', namespace, 'default')) {
      this.api.systemWrite(
        this.type('', 'serviceaccounts'),
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } },
        CONTROLLER,
      );
    }
    if (!store.get('configmaps.', namespace, 'kube-root-ca.crt')) {
      this.api.systemWrite(
        this.type('', 'configmaps'),
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'kube-root-ca.crt',
            namespace,
            annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION },
          },
          data: { 'ca.crt': this.options.caPem },
        },
        CONTROLLER,
      );
    }
  }

  /** NamesAccepted + Established, then its types are served. */
  establish(name: string): KubeObject | undefined {
    const crdType = this.type('apiextensions.k8s.io', 'customresourcedefinitions');
    const crd = this.api.store.get(keyOf(crdType), '', name);
    if (!crd || crd.metadata.deletionTimestamp) return undefined;
    const established = isEstablished(crd)
      ? crd
      : this.api.writeStatus(crdType, crd, crdStatus(crd, true, nowTimestamp()), 'kube-apiserver');
    this.serve(established);
    return established;
  }

  private serve(crd: KubeObject): void {
    const types = typesOfCrd(crd);
    if (types.length === 0) return;
    const registry = this.api.registry;
    registry.remove(types[0].group, types[0].resource);
    for (const type of types) registry.add(type);
    registry.setVersionOrder(
      types[0].group,
      mergeVersions(
        registry.groups().find(g => g.name === types[0].group)?.versions ?? [],
        versionOrder(crd),
      ),
    );
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function mergeVersions(existing: string[], preferred: string[]): string[] {
  return [...preferred, ...existing.filter(v => !preferred.includes(v))];
}

function namespaceObject(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
