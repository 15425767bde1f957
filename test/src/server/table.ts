/**
 * meta.k8s.io/v1 Table responses, which `kubectl get` asks for: the server decides the
 * columns. Columns follow the API server's printers for common kinds, CRDs'
 * additionalPrinterColumns for custom resources, and Name/Created At for the rest.
 */
import { isObject, type JsonValue, type KubeObject } from './json';
import type { ResourceType } from './resources';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  format?: string;
  priority?: number;
  cell: (obj: KubeObject) => JsonValue;
}

type Any = Record<string, unknown>;

function at(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const part of path.split('.')) {
    if (!part) continue;
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else node = isObject(node) ? (node as Any)[part] : undefined;
  }
  return node;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function list(value: unknown): Any[] {
  return Array.isArray(value) ? (value.filter(isObject) as Any[]) : [];
}

/** translateTimestampSince: "5s", "3m", "2h", "4d", "2y" as kubectl shows ages. */
export function age(timestamp: unknown): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return `${days}d${hours % 24 ? `${hours % 24}h` : ''}`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  cell: o => o.metadata.name ?? '',
};
const AGE: Column = { name: 'Age', type: 'string', cell: o => age(o.metadata.creationTimestamp) };
const CREATED_AT: Column = {
  name: 'Created At',
  type: 'date',
  cell: o => o.metadata.creationTimestamp ?? '',
};

function c(
  name: string,
  cell: (o: KubeObject) => JsonValue,
  priority = 0,
  type: Column['type'] = 'string',
): Column {
  return { name, type, priority, cell };
}

const containers = (o: KubeObject, path: string) => list(at(o, path));
const names = (o: KubeObject, path: string) =>
  containers(o, path)
    .map(x => String(x.name))
    .join(',');
const images = (o: KubeObject, path: string) =>
  containers(o, path)
    .map(x => String(x.image))
    .join(',');
const selector = (o: KubeObject) => {
  const s = at(o, 'spec.selector');
  if (!isObject(s)) return '<none>';
  const labels = isObject(s.matchLabels)
    ? s.matchLabels
    : isObject(s) && !('matchExpressions' in s)
      ? s
      : {};
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  return text || '<none>';
};

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const statuses = list(at(o, 'status.containerStatuses'));
  for (const s of statuses) {
    const waiting = at(s, 'state.waiting.reason');
    if (typeof waiting === 'string') return waiting;
    const terminated = at(s, 'state.terminated.reason');
    if (typeof terminated === 'string') return terminated;
  }
  return String(at(o, 'status.reason') ?? at(o, 'status.phase') ?? 'Pending');
}

function servicePorts(o: KubeObject): string {
  const ports = list(at(o, 'spec.ports')).map(p => {
    const node = p.nodePort ? `:${String(p.nodePort)}` : '';
    return `${String(p.port)}${node}/${String(p.protocol ?? 'TCP')}`;
  });
  return ports.join(',') || '<none>';
}

function externalIp(o: KubeObject): string {
  const type = at(o, 'spec.type');
  const ingress = list(at(o, 'status.loadBalancer.ingress')).map(i => String(i.ip ?? i.hostname));
  const external = (at(o, 'spec.externalIPs') as string[] | undefined) ?? [];
  if (type === 'ExternalName') return String(at(o, 'spec.externalName') ?? '<none>');
  if (type === 'LoadBalancer') return [...ingress, ...external].join(',') || '<pending>';
  return external.join(',') || '<none>';
}

const COLUMNS: Record<string, Column[]> = {
  'pods.': [
    NAME,
    c('Ready', o => {
      const s = list(at(o, 'status.containerStatuses'));
      return `${s.filter(x => x.ready === true).length}/${containers(o, 'spec.containers').length}`;
    }),
    c('Status', podStatus),
    c('Restarts', o =>
      String(list(at(o, 'status.containerStatuses')).reduce((n, s) => n + num(s.restartCount), 0)),
    ),
    AGE,
    c('IP', o => String(at(o, 'status.podIP') ?? '<none>'), 1),
    c('Node', o => String(at(o, 'spec.nodeName') ?? '<none>'), 1),
    c('Nominated Node', o => String(at(o, 'status.nominatedNodeName') ?? '<none>'), 1),
    c('Readiness Gates', () => '<none>', 1),
  ],
  'deployments.apps': [
    NAME,
    c('Ready', o => `${num(at(o, 'status.readyReplicas'))}/${num(at(o, 'spec.replicas'))}`),
    c('Up-to-date', o => num(at(o, 'status.updatedReplicas')), 0, 'integer'),
    c('Available', o => num(at(o, 'status.availableReplicas')), 0, 'integer'),
    AGE,
    c('Containers', o => names(o, 'spec.template.spec.containers'), 1),
    c('Images', o => images(o, 'spec.template.spec.containers'), 1),
    c('Selector', selector, 1),
  ],
  'replicasets.apps': [
    NAME,
    c('Desired', o => num(at(o, 'spec.replicas')), 0, 'integer'),
    c('Current', o => num(at(o, 'status.replicas')), 0, 'integer'),
    c('Ready', o => num(at(o, 'status.readyReplicas')), 0, 'integer'),
    AGE,
    c('Containers', o => names(o, 'spec.template.spec.containers'), 1),
    c('Images', o => images(o, 'spec.template.spec.containers'), 1),
    c('Selector', selector, 1),
  ],
  'statefulsets.apps': [
    NAME,
    c('Ready', o => `${num(at(o, 'status.readyReplicas'))}/${num(at(o, 'spec.replicas'))}`),
    AGE,
    c('Containers', o => names(o, 'spec.template.spec.containers'), 1),
    c('Images', o => images(o, 'spec.template.spec.containers'), 1),
  ],
  'daemonsets.apps': [
    NAME,
    c('Desired', o => num(at(o, 'status.desiredNumberScheduled')), 0, 'integer'),
    c('Current', o => num(at(o, 'status.currentNumberScheduled')), 0, 'integer'),
    c('Ready', o => num(at(o, 'status.numberReady')), 0, 'integer'),
    c('Up-to-date', o => num(at(o, 'status.updatedNumberScheduled')), 0, 'integer'),
    c('Available', o => num(at(o, 'status.numberAvailable')), 0, 'integer'),
    c('Node Selector', o => {
      const s = at(o, 'spec.template.spec.nodeSelector');
      return isObject(s)
        ? Object.entries(s)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(',')
        : '<none>';
    }),
    AGE,
  ],
  'services.': [
    NAME,
    c('Type', o => String(at(o, 'spec.type') ?? 'ClusterIP')),
    c('Cluster-IP', o => String(at(o, 'spec.clusterIP') ?? '<none>')),
    c('External-IP', externalIp),
    c('Port(s)', servicePorts),
    AGE,
    c('Selector', selector, 1),
  ],
  'namespaces.': [NAME, c('Status', o => String(at(o, 'status.phase') ?? '')), AGE],
  'configmaps.': [
    NAME,
    c(
      'Data',
      o =>
        Object.keys(isObject(o.data) ? o.data : {}).length +
        Object.keys(isObject(o.binaryData) ? o.binaryData : {}).length,
      0,
      'integer',
    ),
    AGE,
  ],
  'secrets.': [
    NAME,
    c('Type', o => String(o.type ?? 'Opaque')),
    c('Data', o => Object.keys(isObject(o.data) ? o.data : {}).length, 0, 'integer'),
    AGE,
  ],
  'serviceaccounts.': [NAME, c('Secrets', o => list(o.secrets).length, 0, 'integer'), AGE],
  'jobs.batch': [
    NAME,
    c('Status', o => {
      const conditions = list(at(o, 'status.conditions'));
      const done = conditions.find(
        x => x.status === 'True' && (x.type === 'Complete' || x.type === 'Failed'),
      );
      if (done) return String(done.type);
      return at(o, 'spec.suspend') === true ? 'Suspended' : 'Running';
    }),
    c(
      'Completions',
      o => `${num(at(o, 'status.succeeded'))}/${num(at(o, 'spec.completions')) || 1}`,
    ),
    c('Duration', o => {
      const start = at(o, 'status.startTime');
      const end = at(o, 'status.completionTime');
      if (typeof start !== 'string') return '';
      return age(
        new Date(
          Date.now() -
            ((typeof end === 'string' ? Date.parse(end) : Date.now()) - Date.parse(start)),
        ).toISOString(),
      );
    }),
    AGE,
  ],
  'cronjobs.batch': [
    NAME,
    c('Schedule', o => String(at(o, 'spec.schedule') ?? '')),
    c('Timezone', o => String(at(o, 'spec.timeZone') ?? '<none>')),
    c('Suspend', o => String(at(o, 'spec.suspend') ?? false), 0, 'boolean'),
    c('Active', o => list(at(o, 'status.active')).length, 0, 'integer'),
    c('Last Schedule', o =>
      at(o, 'status.lastScheduleTime') ? age(at(o, 'status.lastScheduleTime')) : '<none>',
    ),
    AGE,
  ],
  'persistentvolumeclaims.': [
    NAME,
    c('Status', o => String(at(o, 'status.phase') ?? 'Pending')),
    c('Volume', o => String(at(o, 'spec.volumeName') ?? '')),
    c('Capacity', o => String(at(o, 'status.capacity.storage') ?? '')),
    c('Access Modes', o => accessModes(at(o, 'status.accessModes') ?? [])),
    c('StorageClass', o => String(at(o, 'spec.storageClassName') ?? '')),
    c('VolumeAttributesClass', o => String(at(o, 'spec.volumeAttributesClassName') ?? '<unset>')),
    AGE,
    c('VolumeMode', o => String(at(o, 'spec.volumeMode') ?? 'Filesystem'), 1),
  ],
  'persistentvolumes.': [
    NAME,
    c('Capacity', o => String(at(o, 'spec.capacity.storage') ?? '')),
    c('Access Modes', o => accessModes(at(o, 'spec.accessModes'))),
    c('Reclaim Policy', o => String(at(o, 'spec.persistentVolumeReclaimPolicy') ?? '')),
    c('Status', o => String(at(o, 'status.phase') ?? '')),
    c('Claim', o =>
      at(o, 'spec.claimRef.name')
        ? `${String(at(o, 'spec.claimRef.namespace'))}/${String(at(o, 'spec.claimRef.name'))}`
        : '',
    ),
    c('StorageClass', o => String(at(o, 'spec.storageClassName') ?? '')),
    c('VolumeAttributesClass', o => String(at(o, 'spec.volumeAttributesClassName') ?? '<unset>')),
    c('Reason', o => String(at(o, 'status.reason') ?? '')),
    AGE,
  ],
  'ingresses.networking.k8s.io': [
    NAME,
    c('Class', o => String(at(o, 'spec.ingressClassName') ?? '<none>')),
    c(
      'Hosts',
      o =>
        list(at(o, 'spec.rules'))
          .map(r => String(r.host ?? '*'))
          .join(',') || '*',
    ),
    c('Address', o =>
      list(at(o, 'status.loadBalancer.ingress'))
        .map(i => String(i.ip ?? i.hostname))
        .join(','),
    ),
    c('Ports', o => (list(at(o, 'spec.tls')).length > 0 ? '80, 443' : '80')),
    AGE,
  ],
  'horizontalpodautoscalers.autoscaling': [
    NAME,
    c(
      'Reference',
      o =>
        `${String(at(o, 'spec.scaleTargetRef.kind'))}/${String(at(o, 'spec.scaleTargetRef.name'))}`,
    ),
    c('Targets', () => '<unknown>'),
    c('MinPods', o => num(at(o, 'spec.minReplicas')) || 1, 0, 'integer'),
    c('MaxPods', o => num(at(o, 'spec.maxReplicas')), 0, 'integer'),
    c('Replicas', o => num(at(o, 'status.currentReplicas')), 0, 'integer'),
    AGE,
  ],
  'poddisruptionbudgets.policy': [
    NAME,
    c('Min Available', o => String(at(o, 'spec.minAvailable') ?? 'N/A')),
    c('Max Unavailable', o => String(at(o, 'spec.maxUnavailable') ?? 'N/A')),
    c('Allowed Disruptions', o => num(at(o, 'status.disruptionsAllowed')), 0, 'integer'),
    AGE,
  ],
  'networkpolicies.networking.k8s.io': [
    NAME,
    c('Pod-Selector', o => {
      const s = at(o, 'spec.podSelector.matchLabels');
      return isObject(s) && Object.keys(s).length > 0
        ? Object.entries(s)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(',')
        : '<none>';
    }),
    AGE,
  ],
  'storageclasses.storage.k8s.io': [
    {
      ...NAME,
      cell: o =>
        o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true'
          ? `${o.metadata.name} (default)`
          : o.metadata.name!,
    },
    c('Provisioner', o => String(o.provisioner ?? '')),
    c('ReclaimPolicy', o => String(o.reclaimPolicy ?? 'Delete')),
    c('VolumeBindingMode', o => String(o.volumeBindingMode ?? 'Immediate')),
    c('AllowVolumeExpansion', o => String(o.allowVolumeExpansion ?? false), 0, 'boolean'),
    AGE,
  ],
  'endpointslices.discovery.k8s.io': [
    NAME,
    c('AddressType', o => String(o.addressType ?? '')),
    c(
      'Ports',
      o =>
        list(o.ports)
          .map(p => String(p.port))
          .join(',') || '<unset>',
    ),
    c(
      'Endpoints',
      o =>
        list(o.endpoints)
          .flatMap(e => (Array.isArray(e.addresses) ? e.addresses.map(String) : []))
          .join(',') || '<unset>',
    ),
    AGE,
  ],
  'rolebindings.rbac.authorization.k8s.io': [
    NAME,
    c('Role', o => `${String(at(o, 'roleRef.kind'))}/${String(at(o, 'roleRef.name'))}`),
    AGE,
  ],
  'clusterrolebindings.rbac.authorization.k8s.io': [
    NAME,
    c('Role', o => `${String(at(o, 'roleRef.kind'))}/${String(at(o, 'roleRef.name'))}`),
    AGE,
  ],
  'nodes.': [
    NAME,
    c('Status', o =>
      list(at(o, 'status.conditions')).some(x => x.type === 'Ready' && x.status === 'True')
        ? 'Ready'
        : 'NotReady',
    ),
    c(
      'Roles',
      o =>
        Object.keys(o.metadata.labels ?? {})
          .filter(k => k.startsWith('node-role.kubernetes.io/'))
          .map(k => k.slice(24))
          .join(',') || '<none>',
    ),
    AGE,
    c('Version', o => String(at(o, 'status.nodeInfo.kubeletVersion') ?? '')),
  ],
  'events.': [
    c('Last Seen', o =>
      age(at(o, 'lastTimestamp') ?? at(o, 'eventTime') ?? o.metadata.creationTimestamp),
    ),
    c('Type', o => String(o.type ?? '')),
    c('Reason', o => String(o.reason ?? '')),
    c(
      'Object',
      o =>
        `${String(at(o, 'involvedObject.kind')).toLowerCase()}/${String(at(o, 'involvedObject.name'))}`,
    ),
    c('Message', o => String(o.message ?? '')),
  ],
};

function accessModes(value: unknown): string {
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return Array.isArray(value) ? value.map(m => short[String(m)] ?? String(m)).join(',') : '';
}

/**
 * Evaluates the JSONPath subset CRD printer columns use: `.a.b`, `.a[0].b`, `.a[*].b` and
 * filters like `.conditions[?(@.type=="Ready")].status`. Returns the first match.
 */
export function jsonPath(obj: unknown, path: string): unknown {
  const expr = path.trim().replace(/^\{/, '').replace(/\}$/, '');
  const tokens = expr.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let nodes: unknown[] = [obj];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (token.startsWith('.')) {
        if (isObject(node)) next.push((node as Any)[token.slice(1)]);
        continue;
      }
      const inner = token.slice(1, -1);
      if (!Array.isArray(node)) continue;
      if (inner === '*') next.push(...node);
      else if (/^-?\d+$/.test(inner)) next.push(node.at(Number(inner)));
      else {
        const filter = /^\?\(@\.([\w.-]+)\s*==\s*['"]?([^'"]*)['"]?\)$/.exec(inner);
        if (filter) next.push(...node.filter(item => String(at(item, filter[1])) === filter[2]));
      }
    }
    nodes = next.filter(n => n !== undefined);
  }
  return nodes[0];
}

function customColumns(type: ResourceType): Column[] {
  const columns: Column[] = [NAME];
  for (const pc of type.printerColumns ?? []) {
    const isDate = pc.type === 'date';
    columns.push({
      name: pc.name,
      type: isDate ? 'string' : (pc.type as Column['type']),
      format: pc.format,
      priority: pc.priority ?? 0,
      cell: o => {
        const value = jsonPath(o, pc.jsonPath);
        if (isDate) return value === undefined ? '<unknown>' : age(value);
        if (value === undefined || value === null) return null;
        return isObject(value) || Array.isArray(value)
          ? JSON.stringify(value)
          : (value as JsonValue);
      },
    });
  }
  return columns;
}

function columnsFor(type: ResourceType, typeKey: string): Column[] {
  if (type.custom) return customColumns(type);
  return COLUMNS[typeKey] ?? [NAME, CREATED_AT];
}

export function toTable(
  type: ResourceType,
  typeKey: string,
  items: KubeObject[],
  metadata: Record<string, unknown>,
): Record<string, unknown> {
  const columns = columnsFor(type, typeKey);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.map(col => ({
      name: col.name,
      type: col.type,
      format: col.format ?? '',
      description: '',
      priority: col.priority ?? 0,
    })),
    rows: items.map(obj => ({
      cells: columns.map(col => col.cell(obj)),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: obj.metadata,
      },
    })),
  };
}

export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0].replace(/\s+/g, '');
  return first.includes('as=Table') && first.includes('g=meta.k8s.io');
}
