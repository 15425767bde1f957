/**
 * Per-type behaviour of the registry: the defaults the API server fills in, the
 * validation that matters to clients restoring objects (required fields, immutable
 * fields, Job selectors), and server-allocated values (Service cluster IPs). Only what
 * real manifests and restores run into is covered; everything else is accepted as given.
 */
import {
  badRequest,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  type FieldError,
} from './status';
import { deepEqual, isObject, type JsonObject, type JsonValue, type KubeObject } from './json';
import { validateConfigKeys } from './validation';

export interface StrategyContext {
  /** Seeding a live-looking cluster: keep status and controller-set fields as given. */
  system: boolean;
  allocateClusterIP(): string;
  allocateNodePort(): number;
}

export interface Strategy {
  /**
   * Defaults and server-set fields for a new object (mutates its private copy); may
   * reject what only a create can get wrong.
   */
  prepareCreate?(obj: KubeObject, ctx: StrategyContext): FieldError[] | void;
  validate?(obj: KubeObject, ctx: StrategyContext): FieldError[];
  /** Carries server-owned values over from the old object (mutates the new copy). */
  prepareUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  /** The status an object gets when created through the API (status subresource types). */
  initialStatus?(obj: KubeObject): JsonObject | undefined;
}

type Obj = JsonObject;

function obj(parent: Obj, key: string): Obj {
  const value = parent[key];
  if (isObject(value)) return value;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

function setDefault(target: Obj, key: string, value: JsonValue): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function spec(o: KubeObject): Obj {
  return obj(o as unknown as Obj, 'spec');
}

/** The spec of a stored object, which must never be edited. */
function readSpec(o: KubeObject): Obj {
  return isObject(o.spec) ? o.spec : {};
}

function asList(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

// ---- pods and pod templates --------------------------------------------------------------

function defaultContainer(c: Obj): void {
  const image = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  setDefault(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const port of asList(c.ports)) setDefault(port, 'protocol', 'TCP');
  for (const env of asList(c.env)) {
    const from = env.valueFrom;
    if (isObject(from) && isObject(from.fieldRef)) setDefault(from.fieldRef, 'apiVersion', 'v1');
  }
}

export function defaultPodSpec(podSpec: Obj, restartPolicy = 'Always'): void {
  for (const c of asList(podSpec.containers)) defaultContainer(c);
  for (const c of asList(podSpec.initContainers)) defaultContainer(c);
  setDefault(podSpec, 'restartPolicy', restartPolicy);
  setDefault(podSpec, 'terminationGracePeriodSeconds', 30);
  setDefault(podSpec, 'dnsPolicy', 'ClusterFirst');
  setDefault(podSpec, 'securityContext', {});
  setDefault(podSpec, 'schedulerName', 'default-scheduler');
  if (podSpec.serviceAccount !== undefined && podSpec.serviceAccountName === undefined) {
    podSpec.serviceAccountName = podSpec.serviceAccount;
  }
  for (const volume of asList(podSpec.volumes)) {
    for (const source of ['configMap', 'secret'] as const) {
      const s = volume[source];
      if (isObject(s)) setDefault(s, 'defaultMode', 420);
    }
    const pvc = volume.persistentVolumeClaim;
    if (pvc !== undefined && !isObject(pvc)) volume.persistentVolumeClaim = {};
  }
}

function defaultTemplate(template: Obj, restartPolicy = 'Always'): void {
  // The API server of this era serialises the template's empty creationTimestamp as null.
  const meta = obj(template, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPodSpec(obj(template, 'spec'), restartPolicy);
}

function validateContainers(podSpec: Obj, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push(fieldRequired(`${field}.containers`));
    return errors;
  }
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${field}.containers[${i}]`;
    if (!isObject(c)) return;
    if (typeof c.name !== 'string' || !c.name) errors.push(fieldRequired(`${at}.name`));
    else if (names.has(c.name))
      errors.push({
        type: 'FieldValueDuplicate',
        field: `${at}.name`,
        detail: `Duplicate value: "${c.name}"`,
      });
    else names.add(c.name);
    if (typeof c.image !== 'string' || !c.image) errors.push(fieldRequired(`${at}.image`));
  });
  return errors;
}

function selectorMatchesTemplate(s: Obj, field: string): FieldError[] {
  const selector = s.selector;
  if (!isObject(selector)) return [fieldRequired(`${field}.selector`)];
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  const template = isObject(s.template) ? s.template : {};
  const labels =
    isObject(template.metadata) && isObject(template.metadata.labels)
      ? template.metadata.labels
      : {};
  if (Object.keys(matchLabels).length === 0 && !Array.isArray(selector.matchExpressions)) {
    return [
      fieldInvalid(`${field}.selector`, selector, 'empty selector is invalid for deployment'),
    ];
  }
  for (const [k, v] of Object.entries(matchLabels)) {
    if (labels[k] !== v) {
      return [
        fieldInvalid(
          `${field}.template.metadata.labels`,
          labels,
          '`selector` does not match template `labels`',
        ),
      ];
    }
  }
  return [];
}

function immutable(field: string, before: unknown, after: unknown): FieldError[] {
  return deepEqual(before ?? null, after ?? null)
    ? []
    : [fieldInvalid(field, after, 'field is immutable')];
}

const workload = (restartPolicy?: string): Strategy => ({
  validate(o) {
    const s = spec(o);
    const template = isObject(s.template) ? s.template : undefined;
    const errors = selectorMatchesTemplate(s, 'spec');
    if (!template) errors.push(fieldRequired('spec.template'));
    else
      errors.push(
        ...validateContainers(isObject(template.spec) ? template.spec : {}, 'spec.template.spec'),
      );
    if (typeof s.replicas === 'number' && s.replicas < 0) {
      errors.push(fieldInvalid('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
    }
    return errors;
  },
  validateUpdate(o, old) {
    return immutable('spec.selector', readSpec(old).selector, spec(o).selector);
  },
  prepareCreate(o) {
    const s = spec(o);
    if (isObject(s.template)) defaultTemplate(s.template, restartPolicy);
  },
});

// ---- the table ---------------------------------------------------------------------------

const deployment: Strategy = {
  ...workload(),
  prepareCreate(o) {
    const s = spec(o);
    setDefault(s, 'replicas', 1);
    setDefault(s, 'revisionHistoryLimit', 10);
    setDefault(s, 'progressDeadlineSeconds', 600);
    const strategy = obj(s, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const rolling = obj(strategy, 'rollingUpdate');
      setDefault(rolling, 'maxUnavailable', '25%');
      setDefault(rolling, 'maxSurge', '25%');
    }
    if (isObject(s.template)) defaultTemplate(s.template);
  },
};

const replicaSet: Strategy = {
  ...workload(),
  prepareCreate(o) {
    setDefault(spec(o), 'replicas', 1);
    const t = spec(o).template;
    if (isObject(t)) defaultTemplate(t);
  },
};

const STS_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

const statefulSet: Strategy = {
  ...workload(),
  prepareCreate(o) {
    const s = spec(o);
    setDefault(s, 'replicas', 1);
    setDefault(s, 'podManagementPolicy', 'OrderedReady');
    setDefault(s, 'revisionHistoryLimit', 10);
    const update = obj(s, 'updateStrategy');
    setDefault(update, 'type', 'RollingUpdate');
    if (update.type === 'RollingUpdate') setDefault(obj(update, 'rollingUpdate'), 'partition', 0);
    const retention = obj(s, 'persistentVolumeClaimRetentionPolicy');
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
    for (const claim of asList(s.volumeClaimTemplates)) {
      setDefault(claim, 'apiVersion', 'v1');
      setDefault(claim, 'kind', 'PersistentVolumeClaim');
      setDefault(obj(claim, 'spec'), 'volumeMode', 'Filesystem');
      setDefault(claim, 'status', { phase: 'Pending' });
    }
    if (isObject(s.template)) defaultTemplate(s.template);
  },
  validateUpdate(o, old) {
    const before = { ...readSpec(old) };
    const after = { ...spec(o) };
    for (const key of STS_MUTABLE) {
      delete before[key];
      delete after[key];
    }
    if (!deepEqual(before, after)) {
      return [
        fieldForbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      ];
    }
    return [];
  },
};

const daemonSet: Strategy = {
  ...workload(),
  prepareCreate(o) {
    const s = spec(o);
    setDefault(s, 'revisionHistoryLimit', 10);
    const update = obj(s, 'updateStrategy');
    setDefault(update, 'type', 'RollingUpdate');
    if (update.type === 'RollingUpdate') {
      const rolling = obj(update, 'rollingUpdate');
      setDefault(rolling, 'maxUnavailable', 1);
      setDefault(rolling, 'maxSurge', 0);
    }
    if (isObject(s.template)) defaultTemplate(s.template);
  },
};

function jobSpecDefaults(s: Obj): void {
  setDefault(s, 'parallelism', 1);
  setDefault(s, 'completions', 1);
  setDefault(s, 'backoffLimit', 6);
  setDefault(s, 'completionMode', 'NonIndexed');
  setDefault(s, 'suspend', false);
  setDefault(s, 'podReplacementPolicy', 'TerminatingOrFailed');
  if (isObject(s.template)) defaultTemplate(s.template, 'Never');
}

function validateJobTemplate(s: Obj, field: string): FieldError[] {
  const template = isObject(s.template) ? s.template : undefined;
  if (!template) return [fieldRequired(`${field}.template`)];
  const podSpec = isObject(template.spec) ? template.spec : {};
  const errors = validateContainers(podSpec, `${field}.template.spec`);
  const policy = podSpec.restartPolicy;
  if (policy !== 'OnFailure' && policy !== 'Never') {
    errors.push(
      policy === undefined
        ? fieldRequired(
            `${field}.template.spec.restartPolicy`,
            'valid values: "OnFailure", "Never"',
          )
        : fieldNotSupported(`${field}.template.spec.restartPolicy`, policy, ['OnFailure', 'Never']),
    );
  }
  return errors;
}

const job: Strategy = {
  prepareCreate(o, ctx) {
    const s = spec(o);
    const errors: FieldError[] = [];
    // Without manualSelector the server generates the selector from the Job's uid and
    // rejects one sent by the client (the classic pitfall of restoring a captured Job).
    if (s.manualSelector !== true) {
      if (s.selector && !ctx.system) {
        errors.push(fieldInvalid('spec.selector', s.selector, '`selector` not auto-generated'));
      } else if (!s.selector) {
        const uid = o.metadata.uid!;
        const name = o.metadata.name!;
        s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        const generated = {
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': name,
          'controller-uid': uid,
          'job-name': name,
        };
        if (isObject(s.template))
          Object.assign(obj(obj(s.template, 'metadata'), 'labels'), generated);
        o.metadata.labels = { ...generated, ...o.metadata.labels };
      }
    }
    jobSpecDefaults(s);
    return errors;
  },
  validate(o) {
    return validateJobTemplate(spec(o), 'spec');
  },
  validateUpdate(o, old) {
    const a = spec(o);
    const b = readSpec(old);
    return [
      ...immutable('spec.selector', b.selector, a.selector),
      ...immutable('spec.template', b.template, a.template),
      ...immutable('spec.completions', b.completions, a.completions),
    ];
  },
};

const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/;

const cronJob: Strategy = {
  prepareCreate(o) {
    const s = spec(o);
    setDefault(s, 'concurrencyPolicy', 'Allow');
    setDefault(s, 'suspend', false);
    setDefault(s, 'successfulJobsHistoryLimit', 3);
    setDefault(s, 'failedJobsHistoryLimit', 1);
    const jobTemplate = obj(s, 'jobTemplate');
    const meta = obj(jobTemplate, 'metadata');
    if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
    const js = obj(jobTemplate, 'spec');
    setDefault(js, 'backoffLimit', 6);
    setDefault(js, 'completionMode', 'NonIndexed');
    setDefault(js, 'suspend', false);
    setDefault(js, 'podReplacementPolicy', 'TerminatingOrFailed');
    if (isObject(js.template)) defaultTemplate(js.template, 'Never');
  },
  validate(o) {
    const s = spec(o);
    const errors: FieldError[] = [];
    if (typeof s.schedule !== 'string' || !s.schedule) errors.push(fieldRequired('spec.schedule'));
    else if (!CRON.test(s.schedule.trim().replace(/^(CRON_)?TZ=\S+\s+/, ''))) {
      errors.push(fieldInvalid('spec.schedule', s.schedule, `unparseable schedule: ${s.schedule}`));
    }
    const jobSpec =
      isObject(s.jobTemplate) && isObject(s.jobTemplate.spec) ? s.jobTemplate.spec : {};
    errors.push(...validateJobTemplate(jobSpec, 'spec.jobTemplate.spec'));
    return errors;
  },
};

const pod: Strategy = {
  prepareCreate(o) {
    defaultPodSpec(spec(o));
    const s = spec(o);
    setDefault(s, 'serviceAccountName', 'default');
    setDefault(s, 'enableServiceLinks', true);
    setDefault(s, 'preemptionPolicy', 'PreemptLowerPriority');
    setDefault(s, 'priority', 0);
    setDefault(s, 'tolerations', [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
  },
  validate(o) {
    return validateContainers(spec(o), 'spec');
  },
  validateUpdate(o, old, ctx) {
    // The scheduler's binding sets nodeName once.
    const binding = ctx.system && !readSpec(old).nodeName;
    const strip = (p: KubeObject): Obj => {
      const s = { ...readSpec(p) };
      if (binding) delete s.nodeName;
      delete s.activeDeadlineSeconds;
      delete s.tolerations;
      delete s.terminationGracePeriodSeconds;
      for (const key of ['containers', 'initContainers']) {
        if (Array.isArray(s[key])) s[key] = asList(s[key]).map(c => ({ ...c, image: null }));
      }
      return s;
    };
    if (!deepEqual(strip(o), strip(old))) {
      return [
        fieldForbidden(
          'spec',
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        ),
      ];
    }
    return [];
  },
  initialStatus: () => ({ phase: 'Pending', qosClass: 'BestEffort' }),
};

const service: Strategy = {
  prepareCreate(o, ctx) {
    const s = spec(o);
    setDefault(s, 'type', 'ClusterIP');
    setDefault(s, 'sessionAffinity', 'None');
    if (s.type !== 'ExternalName') {
      if (!s.clusterIP && !(Array.isArray(s.clusterIPs) && s.clusterIPs.length > 0)) {
        const ip = ctx.allocateClusterIP();
        s.clusterIP = ip;
        s.clusterIPs = [ip];
      } else if (!s.clusterIP && Array.isArray(s.clusterIPs)) {
        s.clusterIP = s.clusterIPs[0];
      } else if (!Array.isArray(s.clusterIPs)) {
        s.clusterIPs = [s.clusterIP!];
      }
      setDefault(s, 'ipFamilies', ['IPv4']);
      setDefault(s, 'ipFamilyPolicy', 'SingleStack');
      setDefault(s, 'internalTrafficPolicy', 'Cluster');
    }
    for (const port of asList(s.ports)) {
      setDefault(port, 'protocol', 'TCP');
      setDefault(port, 'targetPort', port.port ?? null);
      if ((s.type === 'NodePort' || s.type === 'LoadBalancer') && port.nodePort === undefined) {
        port.nodePort = ctx.allocateNodePort();
      }
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer')
      setDefault(s, 'externalTrafficPolicy', 'Cluster');
    if (s.type === 'LoadBalancer') setDefault(s, 'allocateLoadBalancerNodePorts', true);
  },
  prepareUpdate(o, old) {
    // A client that leaves allocated values out keeps them, as on a real server.
    const s = spec(o);
    const before = readSpec(old);
    if (s.type === before.type || s.type === undefined) {
      setDefault(s, 'clusterIP', before.clusterIP ?? null);
      setDefault(s, 'clusterIPs', before.clusterIPs ?? null);
      if (s.clusterIP === null) delete s.clusterIP;
      if (s.clusterIPs === null) delete s.clusterIPs;
    }
    setDefault(s, 'type', before.type ?? 'ClusterIP');
    for (const port of asList(s.ports)) {
      setDefault(port, 'protocol', 'TCP');
      setDefault(port, 'targetPort', port.port ?? null);
      const match = asList(before.ports).find(
        p => p.port === port.port && (p.protocol ?? 'TCP') === port.protocol,
      );
      if (match?.nodePort !== undefined) setDefault(port, 'nodePort', match.nodePort);
    }
  },
  validate(o) {
    const s = spec(o);
    const errors: FieldError[] = [];
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    if (!types.includes(String(s.type))) errors.push(fieldNotSupported('spec.type', s.type, types));
    if (s.type !== 'ExternalName' && s.clusterIP !== 'None' && asList(s.ports).length === 0) {
      errors.push(fieldRequired('spec.ports'));
    }
    asList(s.ports).forEach((port, i) => {
      if (typeof port.port !== 'number') errors.push(fieldRequired(`spec.ports[${i}].port`));
      if (asList(s.ports).length > 1 && !port.name)
        errors.push(fieldRequired(`spec.ports[${i}].name`));
    });
    return errors;
  },
  validateUpdate(o, old) {
    const s = spec(o);
    const before = readSpec(old);
    if (before.type === 'ExternalName' || s.type === 'ExternalName') return [];
    if (!deepEqual(before.clusterIPs ?? null, s.clusterIPs ?? null)) {
      return [fieldInvalid('spec.clusterIPs[0]', s.clusterIPs, 'may not change once set')];
    }
    return [];
  },
  initialStatus: () => ({ loadBalancer: {} }),
};

/**
 * Byte fields (Secret data, ConfigMap binaryData) are decoded as base64 before anything
 * else; bad input fails decoding with a 400, not validation.
 */
function checkBase64(kind: string, data: unknown): FieldError[] {
  if (!isObject(data)) return [];
  for (const value of Object.values(data)) {
    const text = typeof value === 'string' ? value : '';
    const bad = text.search(/[^A-Za-z0-9+/=]/);
    const padding = text.indexOf('=');
    const offset =
      typeof value !== 'string'
        ? 0
        : bad >= 0
          ? bad
          : padding >= 0 && padding < text.length - 2
            ? padding
            : text.length % 4 !== 0
              ? text.length - (text.length % 4)
              : -1;
    if (offset >= 0) {
      throw badRequest(
        `${kind} in version "v1" cannot be handled as a ${kind}: illegal base64 data at input byte ${offset}`,
      );
    }
  }
  return [];
}

function immutableData(o: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  const errors: FieldError[] = [];
  const was = (old as Obj).immutable === true;
  if (was && (o as Obj).immutable !== true) {
    errors.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
  }
  if (was) {
    for (const field of fields) {
      if (!deepEqual((old as Obj)[field] ?? null, (o as Obj)[field] ?? null)) {
        errors.push(fieldForbidden(field, 'field is immutable when `immutable` is set'));
      }
    }
  }
  return errors;
}

const secret: Strategy = {
  prepareCreate(o) {
    setDefault(o as unknown as Obj, 'type', 'Opaque');
    foldStringData(o);
  },
  prepareUpdate(o) {
    setDefault(o as unknown as Obj, 'type', 'Opaque');
    foldStringData(o);
  },
  validate(o) {
    const errors = [...validateConfigKeys(o.data, 'data'), ...checkBase64('Secret', o.data)];
    if (
      o.type === 'kubernetes.io/service-account-token' &&
      !o.metadata.annotations?.['kubernetes.io/service-account.name']
    ) {
      errors.push(fieldRequired('metadata.annotations[kubernetes.io/service-account.name]'));
    }
    if (
      o.type === 'kubernetes.io/dockerconfigjson' &&
      !(isObject(o.data) && o.data['.dockerconfigjson'])
    ) {
      errors.push(fieldRequired('data[.dockerconfigjson]'));
    }
    if (
      o.type === 'kubernetes.io/tls' &&
      !(isObject(o.data) && 'tls.crt' in o.data && 'tls.key' in o.data)
    ) {
      errors.push(
        fieldRequired(isObject(o.data) && 'tls.crt' in o.data ? 'data[tls.key]' : 'data[tls.crt]'),
      );
    }
    return errors;
  },
  validateUpdate(o, old) {
    return [...immutable('type', old.type, o.type), ...immutableData(o, old, ['data'])];
  },
};

function foldStringData(o: KubeObject): void {
  const stringData = o.stringData;
  if (!isObject(stringData)) return;
  const data = isObject(o.data) ? { ...o.data } : {};
  for (const [key, value] of Object.entries(stringData)) {
    data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  o.data = data;
  delete o.stringData;
}

const configMap: Strategy = {
  validate(o) {
    return [
      ...validateConfigKeys(o.data, 'data'),
      ...validateConfigKeys(o.binaryData, 'binaryData'),
      ...checkBase64('ConfigMap', o.binaryData),
    ];
  },
  validateUpdate(o, old) {
    return immutableData(o, old, ['data', 'binaryData']);
  },
};

const namespace: Strategy = {
  prepareCreate(o) {
    const s = spec(o);
    setDefault(s, 'finalizers', ['kubernetes']);
    (o.metadata.labels ??= {})['kubernetes.io/metadata.name'] = o.metadata.name!;
  },
  prepareUpdate(o, old) {
    (o.metadata.labels ??= {})['kubernetes.io/metadata.name'] = o.metadata.name!;
    // Namespace spec.finalizers only change through /finalize.
    (o as unknown as Obj).spec = (old as unknown as Obj).spec ?? { finalizers: ['kubernetes'] };
  },
  initialStatus: () => ({ phase: 'Active' }),
};

const pvc: Strategy = {
  prepareCreate(o) {
    setDefault(spec(o), 'volumeMode', 'Filesystem');
  },
  validate(o) {
    const s = spec(o);
    const errors: FieldError[] = [];
    if (!Array.isArray(s.accessModes) || s.accessModes.length === 0) {
      errors.push(fieldRequired('spec.accessModes', 'at least 1 access mode is required'));
    }
    const requests =
      isObject(s.resources) && isObject(s.resources.requests) ? s.resources.requests : {};
    if (!requests.storage) errors.push(fieldRequired('spec.resources[storage]'));
    return errors;
  },
  validateUpdate(o, old, ctx) {
    const a = { ...spec(o) };
    const b = { ...readSpec(old) };
    for (const s of [a, b]) {
      delete s.resources;
      delete s.volumeAttributesClassName;
    }
    // Binding fills volumeName; a client that leaves it out does not change it.
    if (a.volumeName === undefined) a.volumeName = b.volumeName ?? null;
    // The volume controller gives a claim without a class the default one, once.
    if (ctx.system && (b.storageClassName === undefined || b.storageClassName === null))
      b.storageClassName = a.storageClassName;
    if (b.volumeName === undefined) b.volumeName = a.volumeName;
    if (!deepEqual(a, b)) {
      return [
        fieldForbidden(
          'spec',
          'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        ),
      ];
    }
    return [];
  },
  prepareUpdate(o, old) {
    const s = spec(o);
    if (s.volumeName === undefined && readSpec(old).volumeName !== undefined)
      s.volumeName = readSpec(old).volumeName!;
  },
  initialStatus: () => ({ phase: 'Pending' }),
};

const pv: Strategy = {
  prepareCreate(o) {
    const s = spec(o);
    setDefault(s, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(s, 'volumeMode', 'Filesystem');
  },
  validate(o) {
    const s = spec(o);
    const errors: FieldError[] = [];
    if (!isObject(s.capacity) || !s.capacity.storage) errors.push(fieldRequired('spec.capacity'));
    if (!Array.isArray(s.accessModes) || s.accessModes.length === 0)
      errors.push(fieldRequired('spec.accessModes'));
    return errors;
  },
  initialStatus: () => ({ phase: 'Pending' }),
};

const storageClass: Strategy = {
  prepareCreate(o) {
    const r = o as unknown as Obj;
    setDefault(r, 'reclaimPolicy', 'Delete');
    setDefault(r, 'volumeBindingMode', 'Immediate');
  },
  validate(o) {
    return typeof o.provisioner === 'string' && o.provisioner ? [] : [fieldRequired('provisioner')];
  },
  validateUpdate(o, old) {
    const errors: FieldError[] = [];
    if (!deepEqual(o.parameters ?? null, old.parameters ?? null)) {
      errors.push(fieldForbidden('parameters', 'updates to parameters are forbidden.'));
    }
    if (o.provisioner !== old.provisioner)
      errors.push(fieldForbidden('provisioner', 'updates to provisioner are forbidden.'));
    if ((o.reclaimPolicy ?? 'Delete') !== (old.reclaimPolicy ?? 'Delete')) {
      errors.push(fieldForbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    }
    return errors;
  },
  prepareUpdate(o, old) {
    const r = o as unknown as Obj;
    setDefault(r, 'reclaimPolicy', (old.reclaimPolicy as JsonValue) ?? 'Delete');
    setDefault(r, 'volumeBindingMode', (old.volumeBindingMode as JsonValue) ?? 'Immediate');
  },
};

const binding: Strategy = {
  validate(o) {
    const ref = o.roleRef;
    if (!isObject(ref)) return [fieldRequired('roleRef')];
    const errors: FieldError[] = [];
    if (!ref.kind) errors.push(fieldRequired('roleRef.kind'));
    if (!ref.name) errors.push(fieldRequired('roleRef.name'));
    return errors;
  },
  validateUpdate(o, old) {
    return deepEqual(o.roleRef, old.roleRef)
      ? []
      : [fieldInvalid('roleRef', o.roleRef, 'cannot change roleRef')];
  },
};

const ingress: Strategy = {
  validate(o) {
    const errors: FieldError[] = [];
    asList(spec(o).rules).forEach((rule, i) => {
      const http = isObject(rule.http) ? rule.http : undefined;
      asList(http?.paths).forEach((p, j) => {
        const at = `spec.rules[${i}].http.paths[${j}]`;
        if (!p.pathType) errors.push(fieldRequired(`${at}.pathType`, 'pathType must be specified'));
        if (!isObject(p.backend)) errors.push(fieldRequired(`${at}.backend`));
      });
    });
    return errors;
  },
};

const networkPolicy: Strategy = {
  prepareCreate(o) {
    const s = spec(o);
    if (!Array.isArray(s.policyTypes)) {
      s.policyTypes = Array.isArray(s.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  validate(o) {
    return isObject(spec(o).podSelector) ? [] : [fieldRequired('spec.podSelector')];
  },
};

const endpointSlice: Strategy = {
  validate(o) {
    const types = ['IPv4', 'IPv6', 'FQDN'];
    return types.includes(String(o.addressType))
      ? []
      : [fieldNotSupported('addressType', o.addressType, types)];
  },
};

const HPA_SCALE_UP = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const HPA_SCALE_DOWN = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** autoscaling/v2 defaults: minReplicas, a CPU metric, and a given behavior completed. */
const hpa: Strategy = {
  prepareCreate(o) {
    defaultHpa(spec(o));
  },
  prepareUpdate(o) {
    defaultHpa(spec(o));
  },
  validate(o) {
    const s = spec(o);
    const errors: FieldError[] = [];
    if (!isObject(s.scaleTargetRef)) errors.push(fieldRequired('spec.scaleTargetRef'));
    if (typeof s.maxReplicas !== 'number' || s.maxReplicas < 1) {
      errors.push(
        fieldInvalid('spec.maxReplicas', s.maxReplicas ?? 0, 'must be greater than or equal to 1'),
      );
    }
    return errors;
  },
};

function defaultHpa(s: Obj): void {
  setDefault(s, 'minReplicas', 1);
  if (!Array.isArray(s.metrics) || s.metrics.length === 0) {
    s.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  }
  const behavior = s.behavior;
  if (!isObject(behavior)) return;
  for (const [key, defaults] of [
    ['scaleUp', HPA_SCALE_UP],
    ['scaleDown', HPA_SCALE_DOWN],
  ] as const) {
    const rules = isObject(behavior[key]) ? behavior[key] : {};
    setDefault(rules, 'stabilizationWindowSeconds', defaults.stabilizationWindowSeconds);
    setDefault(rules, 'selectPolicy', defaults.selectPolicy);
    if (!Array.isArray(rules.policies)) rules.policies = defaults.policies.map(p => ({ ...p }));
    behavior[key] = rules;
  }
}

export const STRATEGIES: Record<string, Strategy> = {
  'horizontalpodautoscalers.autoscaling': hpa,
  'deployments.apps': deployment,
  'replicasets.apps': replicaSet,
  'statefulsets.apps': statefulSet,
  'daemonsets.apps': daemonSet,
  'jobs.batch': job,
  'cronjobs.batch': cronJob,
  'pods.': pod,
  'replicationcontrollers.': replicaSet,
  'services.': service,
  'secrets.': secret,
  'configmaps.': configMap,
  'namespaces.': namespace,
  'persistentvolumeclaims.': pvc,
  'persistentvolumes.': pv,
  'storageclasses.storage.k8s.io': storageClass,
  'rolebindings.rbac.authorization.k8s.io': binding,
  'clusterrolebindings.rbac.authorization.k8s.io': binding,
  'ingresses.networking.k8s.io': ingress,
  'networkpolicies.networking.k8s.io': networkPolicy,
  'endpointslices.discovery.k8s.io': endpointSlice,
};
