/**
 * Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) that
 * kubectl's typed commands use for request bodies (`kubectl create namespace|configmap|
 * secret|deployment|job|cronjob|service|…`). Field numbers follow the k8s.io/api
 * generated.proto definitions for the messages those commands produce; fields outside
 * this table are skipped. The result is the JSON the Go types would marshal to (zero
 * values of omitempty fields dropped, pointers kept).
 */
import { badRequest, unsupportedMediaType } from './status';
import type { JsonObject, JsonValue } from './json';

/** [field number, JSON name, type, flags] — flags: 'p' keep zero values (pointer or required). */
type Field = [number, string, string, string?];

const MESSAGES: Record<string, Field[]> = {
  // runtime and meta/v1
  Unknown: [
    [1, 'typeMeta', 'TypeMeta'],
    [2, 'raw', 'bytes'],
  ],
  TypeMeta: [
    [1, 'apiVersion', 'string'],
    [2, 'kind', 'string'],
  ],
  ObjectMeta: [
    [1, 'name', 'string'],
    [2, 'generateName', 'string'],
    [3, 'namespace', 'string'],
    [5, 'uid', 'string'],
    [6, 'resourceVersion', 'string'],
    [7, 'generation', 'int'],
    [8, 'creationTimestamp', 'Time'],
    [11, 'labels', 'map<string>'],
    [12, 'annotations', 'map<string>'],
    [13, 'ownerReferences', '[OwnerReference]'],
    [14, 'finalizers', '[string]'],
  ],
  OwnerReference: [
    [1, 'kind', 'string', 'p'],
    [3, 'name', 'string', 'p'],
    [4, 'uid', 'string', 'p'],
    [5, 'apiVersion', 'string', 'p'],
    [6, 'controller', 'bool', 'p'],
    [7, 'blockOwnerDeletion', 'bool', 'p'],
  ],
  LabelSelector: [
    [1, 'matchLabels', 'map<string>'],
    [2, 'matchExpressions', '[LabelSelectorRequirement]'],
  ],
  LabelSelectorRequirement: [
    [1, 'key', 'string', 'p'],
    [2, 'operator', 'string', 'p'],
    [3, 'values', '[string]'],
  ],
  // core/v1
  Namespace: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'NamespaceSpec'],
    [3, 'status', 'Empty'],
  ],
  NamespaceSpec: [[1, 'finalizers', '[string]']],
  ConfigMap: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'data', 'map<string>'],
    [3, 'binaryData', 'map<bytes>'],
    [4, 'immutable', 'bool', 'p'],
  ],
  Secret: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'data', 'map<bytes>'],
    [3, 'type', 'string'],
    [4, 'stringData', 'map<string>'],
    [5, 'immutable', 'bool', 'p'],
  ],
  ServiceAccount: [
    [1, 'metadata', 'ObjectMeta'],
    [3, 'imagePullSecrets', '[LocalObjectReference]'],
    [4, 'automountServiceAccountToken', 'bool', 'p'],
  ],
  LocalObjectReference: [[1, 'name', 'string']],
  Service: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'ServiceSpec'],
    [3, 'status', 'Empty'],
  ],
  ServiceSpec: [
    [1, 'ports', '[ServicePort]'],
    [2, 'selector', 'map<string>'],
    [3, 'clusterIP', 'string'],
    [4, 'type', 'string'],
    [5, 'externalIPs', '[string]'],
    [7, 'sessionAffinity', 'string'],
    [8, 'loadBalancerIP', 'string'],
    [9, 'loadBalancerSourceRanges', '[string]'],
    [10, 'externalName', 'string'],
    [11, 'externalTrafficPolicy', 'string'],
    [13, 'publishNotReadyAddresses', 'bool'],
    [17, 'ipFamilyPolicy', 'string', 'p'],
    [18, 'clusterIPs', '[string]'],
    [19, 'ipFamilies', '[string]'],
    [20, 'allocateLoadBalancerNodePorts', 'bool', 'p'],
    [21, 'loadBalancerClass', 'string', 'p'],
    [22, 'internalTrafficPolicy', 'string', 'p'],
  ],
  ServicePort: [
    [1, 'name', 'string'],
    [2, 'protocol', 'string'],
    [3, 'port', 'int', 'p'],
    [4, 'targetPort', 'IntOrString'],
    [5, 'nodePort', 'int'],
    [6, 'appProtocol', 'string', 'p'],
  ],
  ResourceQuota: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'ResourceQuotaSpec'],
    [3, 'status', 'Empty'],
  ],
  ResourceQuotaSpec: [
    [1, 'hard', 'map<Quantity>'],
    [2, 'scopes', '[string]'],
    [3, 'scopeSelector', 'ScopeSelector'],
  ],
  ScopeSelector: [[1, 'matchExpressions', '[ScopedResourceSelectorRequirement]']],
  ScopedResourceSelectorRequirement: [
    [1, 'scopeName', 'string', 'p'],
    [2, 'operator', 'string', 'p'],
    [3, 'values', '[string]'],
  ],
  PodTemplateSpec: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'PodSpec'],
  ],
  PodSpec: [
    [1, 'volumes', '[Volume]'],
    [2, 'containers', '[Container]'],
    [3, 'restartPolicy', 'string'],
    [4, 'terminationGracePeriodSeconds', 'int', 'p'],
    [5, 'activeDeadlineSeconds', 'int', 'p'],
    [6, 'dnsPolicy', 'string'],
    [7, 'nodeSelector', 'map<string>'],
    [8, 'serviceAccountName', 'string'],
    [10, 'nodeName', 'string'],
    [14, 'securityContext', 'PodSecurityContext'],
    [15, 'imagePullSecrets', '[LocalObjectReference]'],
    [16, 'hostname', 'string'],
    [17, 'subdomain', 'string'],
    [19, 'schedulerName', 'string'],
    [20, 'initContainers', '[Container]'],
    [21, 'automountServiceAccountToken', 'bool', 'p'],
    [24, 'priorityClassName', 'string'],
    [25, 'priority', 'int', 'p'],
    [30, 'enableServiceLinks', 'bool', 'p'],
  ],
  Container: [
    [1, 'name', 'string', 'p'],
    [2, 'image', 'string'],
    [3, 'command', '[string]'],
    [4, 'args', '[string]'],
    [5, 'workingDir', 'string'],
    [6, 'ports', '[ContainerPort]'],
    [7, 'env', '[EnvVar]'],
    [8, 'resources', 'ResourceRequirements'],
    [9, 'volumeMounts', '[VolumeMount]'],
    [13, 'terminationMessagePath', 'string'],
    [14, 'imagePullPolicy', 'string'],
    [15, 'securityContext', 'SecurityContext'],
    [16, 'stdin', 'bool'],
    [17, 'stdinOnce', 'bool'],
    [18, 'tty', 'bool'],
    [19, 'envFrom', '[EnvFromSource]'],
    [20, 'terminationMessagePolicy', 'string'],
  ],
  ContainerPort: [
    [1, 'name', 'string'],
    [2, 'hostPort', 'int'],
    [3, 'containerPort', 'int', 'p'],
    [4, 'protocol', 'string'],
    [5, 'hostIP', 'string'],
  ],
  EnvVar: [
    [1, 'name', 'string', 'p'],
    [2, 'value', 'string'],
    [3, 'valueFrom', 'EnvVarSource'],
  ],
  EnvVarSource: [
    [1, 'fieldRef', 'ObjectFieldSelector'],
    [2, 'resourceFieldRef', 'ResourceFieldSelector'],
    [3, 'configMapKeyRef', 'ConfigMapKeySelector'],
    [4, 'secretKeyRef', 'SecretKeySelector'],
  ],
  ObjectFieldSelector: [
    [1, 'apiVersion', 'string'],
    [2, 'fieldPath', 'string', 'p'],
  ],
  ResourceFieldSelector: [
    [1, 'containerName', 'string'],
    [2, 'resource', 'string', 'p'],
    [3, 'divisor', 'Quantity'],
  ],
  ConfigMapKeySelector: [
    [1, '', 'LocalObjectReference'],
    [2, 'key', 'string', 'p'],
    [3, 'optional', 'bool', 'p'],
  ],
  SecretKeySelector: [
    [1, '', 'LocalObjectReference'],
    [2, 'key', 'string', 'p'],
    [3, 'optional', 'bool', 'p'],
  ],
  EnvFromSource: [
    [1, 'prefix', 'string'],
    [2, 'configMapRef', 'ConfigMapEnvSource'],
    [3, 'secretRef', 'SecretEnvSource'],
  ],
  ConfigMapEnvSource: [
    [1, '', 'LocalObjectReference'],
    [2, 'optional', 'bool', 'p'],
  ],
  SecretEnvSource: [
    [1, '', 'LocalObjectReference'],
    [2, 'optional', 'bool', 'p'],
  ],
  VolumeMount: [
    [1, 'name', 'string', 'p'],
    [2, 'readOnly', 'bool'],
    [3, 'mountPath', 'string', 'p'],
    [4, 'subPath', 'string'],
    [5, 'mountPropagation', 'string', 'p'],
    [6, 'subPathExpr', 'string'],
  ],
  Volume: [
    [1, 'name', 'string', 'p'],
    [2, '', 'VolumeSource'],
  ],
  VolumeSource: [
    [1, 'hostPath', 'HostPathVolumeSource'],
    [2, 'emptyDir', 'EmptyDirVolumeSource'],
    [6, 'secret', 'SecretVolumeSource'],
    [10, 'persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource'],
    [19, 'configMap', 'ConfigMapVolumeSource'],
  ],
  HostPathVolumeSource: [
    [1, 'path', 'string', 'p'],
    [2, 'type', 'string', 'p'],
  ],
  EmptyDirVolumeSource: [
    [1, 'medium', 'string'],
    [2, 'sizeLimit', 'Quantity'],
  ],
  SecretVolumeSource: [
    [1, 'secretName', 'string'],
    [2, 'items', '[KeyToPath]'],
    [3, 'defaultMode', 'int', 'p'],
    [4, 'optional', 'bool', 'p'],
  ],
  ConfigMapVolumeSource: [
    [1, '', 'LocalObjectReference'],
    [2, 'items', '[KeyToPath]'],
    [3, 'defaultMode', 'int', 'p'],
    [4, 'optional', 'bool', 'p'],
  ],
  KeyToPath: [
    [1, 'key', 'string', 'p'],
    [2, 'path', 'string', 'p'],
    [3, 'mode', 'int', 'p'],
  ],
  PersistentVolumeClaimVolumeSource: [
    [1, 'claimName', 'string', 'p'],
    [2, 'readOnly', 'bool'],
  ],
  PodSecurityContext: [
    [2, 'runAsUser', 'int', 'p'],
    [3, 'runAsNonRoot', 'bool', 'p'],
    [4, 'supplementalGroups', '[int]'],
    [5, 'fsGroup', 'int', 'p'],
    [6, 'runAsGroup', 'int', 'p'],
    [9, 'fsGroupChangePolicy', 'string', 'p'],
  ],
  SecurityContext: [
    [1, 'capabilities', 'Capabilities'],
    [2, 'privileged', 'bool', 'p'],
    [4, 'runAsUser', 'int', 'p'],
    [5, 'runAsNonRoot', 'bool', 'p'],
    [6, 'readOnlyRootFilesystem', 'bool', 'p'],
    [7, 'allowPrivilegeEscalation', 'bool', 'p'],
    [8, 'runAsGroup', 'int', 'p'],
  ],
  Capabilities: [
    [1, 'add', '[string]'],
    [2, 'drop', '[string]'],
  ],
  ResourceRequirements: [
    [1, 'limits', 'map<Quantity>'],
    [2, 'requests', 'map<Quantity>'],
  ],
  // apps/v1
  Deployment: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'DeploymentSpec'],
    [3, 'status', 'Empty'],
  ],
  DeploymentSpec: [
    [1, 'replicas', 'int', 'p'],
    [2, 'selector', 'LabelSelector'],
    [3, 'template', 'PodTemplateSpec'],
    [4, 'strategy', 'DeploymentStrategy'],
    [5, 'minReadySeconds', 'int'],
    [6, 'revisionHistoryLimit', 'int', 'p'],
    [7, 'paused', 'bool'],
    [9, 'progressDeadlineSeconds', 'int', 'p'],
  ],
  DeploymentStrategy: [
    [1, 'type', 'string'],
    [2, 'rollingUpdate', 'RollingUpdateDeployment'],
  ],
  RollingUpdateDeployment: [
    [1, 'maxUnavailable', 'IntOrString', 'p'],
    [2, 'maxSurge', 'IntOrString', 'p'],
  ],
  // batch/v1
  Job: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'JobSpec'],
    [3, 'status', 'Empty'],
  ],
  JobSpec: [
    [1, 'parallelism', 'int', 'p'],
    [2, 'completions', 'int', 'p'],
    [3, 'activeDeadlineSeconds', 'int', 'p'],
    [4, 'selector', 'LabelSelector'],
    [5, 'manualSelector', 'bool', 'p'],
    [6, 'template', 'PodTemplateSpec'],
    [7, 'backoffLimit', 'int', 'p'],
    [8, 'ttlSecondsAfterFinished', 'int', 'p'],
    [9, 'completionMode', 'string', 'p'],
    [10, 'suspend', 'bool', 'p'],
  ],
  CronJob: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'CronJobSpec'],
    [3, 'status', 'Empty'],
  ],
  CronJobSpec: [
    [1, 'schedule', 'string', 'p'],
    [2, 'startingDeadlineSeconds', 'int', 'p'],
    [3, 'concurrencyPolicy', 'string'],
    [4, 'suspend', 'bool', 'p'],
    [5, 'jobTemplate', 'JobTemplateSpec'],
    [6, 'successfulJobsHistoryLimit', 'int', 'p'],
    [7, 'failedJobsHistoryLimit', 'int', 'p'],
    [8, 'timeZone', 'string', 'p'],
  ],
  JobTemplateSpec: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'JobSpec'],
  ],
  // networking/v1
  Ingress: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'IngressSpec'],
    [3, 'status', 'Empty'],
  ],
  IngressSpec: [
    [1, 'defaultBackend', 'IngressBackend'],
    [2, 'tls', '[IngressTLS]'],
    [3, 'rules', '[IngressRule]'],
    [4, 'ingressClassName', 'string', 'p'],
  ],
  IngressTLS: [
    [1, 'hosts', '[string]'],
    [2, 'secretName', 'string'],
  ],
  IngressRule: [
    [1, 'host', 'string'],
    [2, '', 'IngressRuleValue'],
  ],
  IngressRuleValue: [[1, 'http', 'HTTPIngressRuleValue']],
  HTTPIngressRuleValue: [[1, 'paths', '[HTTPIngressPath]']],
  HTTPIngressPath: [
    [1, 'path', 'string'],
    [2, 'backend', 'IngressBackend'],
    [3, 'pathType', 'string', 'p'],
  ],
  IngressBackend: [[4, 'service', 'IngressServiceBackend']],
  IngressServiceBackend: [
    [1, 'name', 'string', 'p'],
    [2, 'port', 'ServiceBackendPort'],
  ],
  ServiceBackendPort: [
    [1, 'name', 'string'],
    [2, 'number', 'int'],
  ],
  // rbac/v1
  Role: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'rules', '[PolicyRule]'],
  ],
  ClusterRole: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'rules', '[PolicyRule]'],
    [3, 'aggregationRule', 'AggregationRule'],
  ],
  AggregationRule: [[1, 'clusterRoleSelectors', '[LabelSelector]']],
  PolicyRule: [
    [1, 'verbs', '[string]'],
    [2, 'apiGroups', '[string]'],
    [3, 'resources', '[string]'],
    [4, 'resourceNames', '[string]'],
    [5, 'nonResourceURLs', '[string]'],
  ],
  RoleBinding: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'subjects', '[Subject]'],
    [3, 'roleRef', 'RoleRef'],
  ],
  ClusterRoleBinding: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'subjects', '[Subject]'],
    [3, 'roleRef', 'RoleRef'],
  ],
  Subject: [
    [1, 'kind', 'string', 'p'],
    [2, 'apiGroup', 'string'],
    [3, 'name', 'string', 'p'],
    [4, 'namespace', 'string'],
  ],
  RoleRef: [
    [1, 'apiGroup', 'string', 'p'],
    [2, 'kind', 'string', 'p'],
    [3, 'name', 'string', 'p'],
  ],
  // policy/v1, scheduling/v1
  PodDisruptionBudget: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'PodDisruptionBudgetSpec'],
    [3, 'status', 'Empty'],
  ],
  PodDisruptionBudgetSpec: [
    [1, 'minAvailable', 'IntOrString', 'p'],
    [2, 'selector', 'LabelSelector'],
    [3, 'maxUnavailable', 'IntOrString', 'p'],
    [4, 'unhealthyPodEvictionPolicy', 'string', 'p'],
  ],
  PriorityClass: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'value', 'int', 'p'],
    [3, 'globalDefault', 'bool'],
    [4, 'description', 'string'],
    [5, 'preemptionPolicy', 'string', 'p'],
  ],
  // authorization/v1, authentication/v1 (kubectl auth can-i / whoami)
  SelfSubjectAccessReview: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'SelfSubjectAccessReviewSpec'],
  ],
  SelfSubjectAccessReviewSpec: [
    [1, 'resourceAttributes', 'ResourceAttributes'],
    [2, 'nonResourceAttributes', 'NonResourceAttributes'],
  ],
  LocalSubjectAccessReview: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'SelfSubjectAccessReviewSpec'],
  ],
  ResourceAttributes: [
    [1, 'namespace', 'string'],
    [2, 'verb', 'string'],
    [3, 'group', 'string'],
    [4, 'version', 'string'],
    [5, 'resource', 'string'],
    [6, 'subresource', 'string'],
    [7, 'name', 'string'],
  ],
  NonResourceAttributes: [
    [1, 'path', 'string'],
    [2, 'verb', 'string'],
  ],
  SelfSubjectRulesReview: [
    [1, 'metadata', 'ObjectMeta'],
    [2, 'spec', 'SelfSubjectRulesReviewSpec'],
  ],
  SelfSubjectRulesReviewSpec: [[1, 'namespace', 'string']],
  SelfSubjectReview: [[1, 'metadata', 'ObjectMeta']],
  /** A message whose fields this table does not need (statuses). */
  Empty: [],
};

/** Top-level kinds whose protobuf bodies this server understands. */
const TOP_LEVEL = new Set([
  'Namespace',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Service',
  'ResourceQuota',
  'Deployment',
  'Job',
  'CronJob',
  'Ingress',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'PodDisruptionBudget',
  'PriorityClass',
  'SelfSubjectAccessReview',
  'LocalSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SelfSubjectReview',
]);

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface WireField {
  number: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, pos: { at: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.at >= buf.length) throw badRequest('protobuf: truncated varint');
    const byte = buf[pos.at++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 70n) throw badRequest('protobuf: varint too long');
  }
}

function readFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const tag = Number(readVarint(buf, pos));
    const field: WireField = { number: tag >>> 3, wire: tag & 7 };
    switch (field.wire) {
      case 0:
        field.varint = readVarint(buf, pos);
        break;
      case 1:
        field.bytes = buf.subarray(pos.at, pos.at + 8);
        pos.at += 8;
        break;
      case 2: {
        const length = Number(readVarint(buf, pos));
        if (pos.at + length > buf.length) throw badRequest('protobuf: truncated field');
        field.bytes = buf.subarray(pos.at, pos.at + length);
        pos.at += length;
        break;
      }
      case 5:
        field.bytes = buf.subarray(pos.at, pos.at + 4);
        pos.at += 4;
        break;
      default:
        throw badRequest(`protobuf: unsupported wire type ${field.wire}`);
    }
    fields.push(field);
  }
  return fields;
}

function int(field: WireField): number {
  return Number(BigInt.asIntN(64, field.varint ?? 0n));
}

function isZero(value: JsonValue): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

function decodeScalar(type: string, field: WireField): JsonValue {
  switch (type) {
    case 'string':
      return (field.bytes ?? Buffer.alloc(0)).toString('utf8');
    case 'bytes':
      return (field.bytes ?? Buffer.alloc(0)).toString('base64');
    case 'int':
      return int(field);
    case 'bool':
      return (field.varint ?? 0n) !== 0n;
    case 'Quantity': {
      const inner = readFields(field.bytes ?? Buffer.alloc(0)).find(f => f.number === 1);
      return inner ? decodeScalar('string', inner) : '0';
    }
    case 'IntOrString': {
      const inner = readFields(field.bytes ?? Buffer.alloc(0));
      const kind = inner.find(f => f.number === 1);
      if (kind && int(kind) === 1) {
        const s = inner.find(f => f.number === 3);
        return s ? decodeScalar('string', s) : '';
      }
      const i = inner.find(f => f.number === 2);
      return i ? int(i) : 0;
    }
    case 'Time': {
      const inner = readFields(field.bytes ?? Buffer.alloc(0));
      const seconds = inner.find(f => f.number === 1);
      if (!seconds || int(seconds) === 0) return null;
      return new Date(int(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    default:
      return decodeMessage(type, field.bytes ?? Buffer.alloc(0));
  }
}

function decodeMessage(name: string, buf: Buffer): JsonObject {
  const schema = MESSAGES[name];
  const out: JsonObject = {};
  const byNumber = new Map(schema.map(f => [f[0], f]));
  for (const field of readFields(buf)) {
    const def = byNumber.get(field.number);
    if (!def) continue;
    const [, json, type, flags] = def;
    if (type.startsWith('[')) {
      const itemType = type.slice(1, -1);
      const list = (out[json] as JsonValue[] | undefined) ?? [];
      list.push(decodeScalar(itemType, field));
      out[json] = list;
    } else if (type.startsWith('map<')) {
      const valueType = type.slice(4, -1);
      const entry = readFields(field.bytes ?? Buffer.alloc(0));
      const key = entry.find(f => f.number === 1);
      const value = entry.find(f => f.number === 2);
      const map = (out[json] as JsonObject | undefined) ?? {};
      map[key ? String(decodeScalar('string', key)) : ''] = value
        ? decodeScalar(valueType, value)
        : valueType === 'bytes' || valueType === 'string'
          ? ''
          : '0';
      out[json] = map;
    } else {
      const value = decodeScalar(type, field);
      if (json === '') {
        // An embedded struct marshalled inline in JSON (IngressRule.IngressRuleValue).
        Object.assign(out, value as JsonObject);
      } else if (
        flags?.includes('p') ||
        !isZero(value) ||
        (type === 'Time' && json === 'creationTimestamp')
      ) {
        if (type === 'IntOrString' && value === 0 && !flags?.includes('p')) continue;
        out[json] = value;
      }
    }
  }
  return out;
}

/** A protobuf request body as the JSON object it encodes. */
export function decodeProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest('the body of the request is not a Kubernetes protobuf message');
  }
  const envelope = decodeMessage('Unknown', body.subarray(4));
  const typeMeta = (envelope.typeMeta ?? {}) as JsonObject;
  const kind = String(typeMeta.kind ?? '');
  if (!TOP_LEVEL.has(kind)) {
    throw unsupportedMediaType(['application/json', 'application/yaml']);
  }
  const raw = Buffer.from(String(envelope.raw ?? ''), 'base64');
  return { apiVersion: typeMeta.apiVersion ?? '', kind, ...decodeMessage(kind, raw) };
}
