import type { KubeObject } from '../../snapshot/types';

type Json = Record<string, unknown>;

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Moves an object to its mapped namespace, along with the namespaces it names elsewhere:
 * binding subjects, a volume's claim, webhook and API service backends, and network
 * policies that select namespaces by name. Namespaces without a mapping stay as they are.
 */
export function mapNamespaces(object: KubeObject, mapping: Readonly<Record<string, string>>): void {
  const map = (namespace: unknown) =>
    typeof namespace === 'string' && mapping[namespace] !== undefined
      ? mapping[namespace]
      : namespace;
  const metadata = object.metadata;
  if (metadata.namespace) metadata.namespace = map(metadata.namespace) as string;
  const spec = object.spec as Json | undefined;

  switch (`${object.apiVersion}/${object.kind}`) {
    case 'v1/Namespace':
      if (metadata.name) metadata.name = map(metadata.name) as string;
      if (metadata.labels?.[NAMESPACE_NAME_LABEL] !== undefined && metadata.name) {
        metadata.labels[NAMESPACE_NAME_LABEL] = metadata.name;
      }
      return;
    case 'v1/PersistentVolume': {
      const claimRef = spec?.claimRef as Json | undefined;
      if (claimRef?.namespace) claimRef.namespace = map(claimRef.namespace);
      return;
    }
  }

  switch (object.kind) {
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      for (const subject of (object.subjects as Json[] | undefined) ?? []) {
        if (subject.namespace) subject.namespace = map(subject.namespace);
      }
      return;
    case 'ValidatingWebhookConfiguration':
    case 'MutatingWebhookConfiguration':
      for (const webhook of (object.webhooks as Json[] | undefined) ?? []) {
        mapServiceReference(webhook.clientConfig, map);
      }
      return;
    case 'APIService':
      mapServiceReference(spec, map);
      return;
    case 'CustomResourceDefinition': {
      const webhook = (spec?.conversion as Json | undefined)?.webhook as Json | undefined;
      mapServiceReference(webhook?.clientConfig, map);
      return;
    }
    case 'NetworkPolicy':
      for (const rule of [
        ...((spec?.ingress as Json[] | undefined) ?? []).flatMap(r => (r.from as Json[]) ?? []),
        ...((spec?.egress as Json[] | undefined) ?? []).flatMap(r => (r.to as Json[]) ?? []),
      ]) {
        const labels = (rule.namespaceSelector as Json | undefined)?.matchLabels as
          Record<string, string> | undefined;
        if (labels?.[NAMESPACE_NAME_LABEL]) {
          labels[NAMESPACE_NAME_LABEL] = map(labels[NAMESPACE_NAME_LABEL]) as string;
        }
      }
      return;
  }
}

function mapServiceReference(config: unknown, map: (namespace: unknown) => unknown): void {
  const service = (config as Json | undefined)?.service as Json | undefined;
  if (service?.namespace) service.namespace = map(service.namespace);
}
