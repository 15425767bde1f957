import type { KubeObject } from '../snapshot/types';

export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
  volumes?: VolumeLike[];
  imagePullSecrets?: Array<{ name?: string }>;
  serviceAccountName?: string;
  serviceAccount?: string;
  nodeName?: string;
}

export interface ContainerLike {
  name: string;
  image?: string;
  env?: Array<{
    valueFrom?: {
      configMapKeyRef?: { name?: string };
      secretKeyRef?: { name?: string };
    };
  }>;
  envFrom?: Array<{ configMapRef?: { name?: string }; secretRef?: { name?: string } }>;
}

export interface VolumeLike {
  name: string;
  configMap?: { name?: string };
  secret?: { secretName?: string };
  persistentVolumeClaim?: { claimName?: string };
  projected?: { sources?: Array<{ configMap?: { name?: string }; secret?: { name?: string } }> };
}

export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpecLike;
}

type Json = Record<string, unknown>;

/**
 * The pod template of anything that runs pods: a Pod itself, the built-in controllers
 * (`spec.template`), a CronJob (`spec.jobTemplate.spec.template`) and custom workloads
 * that follow the same shape.
 */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const spec = object.spec as Json | undefined;
  if (!spec) return undefined;
  if (object.kind === 'Pod' && object.apiVersion === 'v1') {
    return { metadata: object.metadata, spec: spec as PodSpecLike };
  }
  const template =
    (spec.template as Json | undefined) ??
    (((spec.jobTemplate as Json | undefined)?.spec as Json | undefined)?.template as
      Json | undefined);
  const templateSpec = template?.spec as PodSpecLike | undefined;
  if (!templateSpec || !Array.isArray(templateSpec.containers)) return undefined;
  return { metadata: (template?.metadata as PodTemplate['metadata']) ?? {}, spec: templateSpec };
}

export function allContainers(spec: PodSpecLike): ContainerLike[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
}

/** ConfigMaps, Secrets and claims a pod spec needs to start. */
export function podSpecReferences(spec: PodSpecLike): {
  configMaps: string[];
  secrets: string[];
  claims: string[];
  serviceAccount: string;
} {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const claims = new Set<string>();
  const add = (set: Set<string>, name: string | undefined) => name && set.add(name);
  for (const volume of spec.volumes ?? []) {
    add(configMaps, volume.configMap?.name);
    add(secrets, volume.secret?.secretName);
    add(claims, volume.persistentVolumeClaim?.claimName);
    for (const source of volume.projected?.sources ?? []) {
      add(configMaps, source.configMap?.name);
      add(secrets, source.secret?.name);
    }
  }
  for (const container of allContainers(spec)) {
    for (const env of container.env ?? []) {
      add(configMaps, env.valueFrom?.configMapKeyRef?.name);
      add(secrets, env.valueFrom?.secretKeyRef?.name);
    }
    for (const from of container.envFrom ?? []) {
      add(configMaps, from.configMapRef?.name);
      add(secrets, from.secretRef?.name);
    }
  }
  for (const pull of spec.imagePullSecrets ?? []) add(secrets, pull.name);
  return {
    configMaps: [...configMaps],
    secrets: [...secrets],
    claims: [...claims],
    serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
  };
}
