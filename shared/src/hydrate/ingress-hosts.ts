import type { LoadedObject } from '../restore/snapshot-objects';
import type { PlannedObject } from '../restore/types';
import type { KubeObject } from '../snapshot/types';
import type { LeftOutIngress } from './types';

interface IngressSpec {
  defaultBackend?: unknown;
  rules?: Array<{ host?: string }>;
  tls?: Array<{ hosts?: string[] }>;
}

const isIngress = ({ type }: Pick<PlannedObject, 'type'>) =>
  type.group === 'networking.k8s.io' && type.kind === 'Ingress';

/**
 * Moves every host of the Ingresses to the given suffix: `shop.example.com` with suffix
 * `dev.example.test` becomes `shop.example.com.dev.example.test`, in rules and TLS
 * entries alike, so a dev copy answers on names of its own. Objects are copied.
 */
export function rewriteIngressHosts(
  objects: readonly PlannedObject[],
  suffix: string | undefined,
): PlannedObject[] {
  if (!suffix) return [...objects];
  const rewrite = (host: string) => `${host}.${suffix}`;
  return objects.map(planned => {
    if (!isIngress(planned)) return planned;
    const object = structuredClone(planned.object);
    const spec = (object.spec ?? {}) as IngressSpec;
    for (const rule of spec.rules ?? []) if (rule.host) rule.host = rewrite(rule.host);
    for (const tls of spec.tls ?? []) tls.hosts = tls.hosts?.map(rewrite);
    return { ...planned, object };
  });
}

/** Every host the snapshot's Ingresses answer for: the production hosts. */
export function productionHosts(loaded: readonly LoadedObject[]): Set<string> {
  return new Set(
    loaded
      .filter(({ record }) => record.group === 'networking.k8s.io' && record.kind === 'Ingress')
      .flatMap(({ object }) => hostsOf(object).hosts),
  );
}

/**
 * Leaves out the Ingresses that would compete with production for its traffic: one that
 * still answers for a production host, or that answers for every host (a rule without a
 * host, or only a default backend). DNS automation and ingress controllers would
 * otherwise route production's users to the dev copy.
 */
export function leaveOutCompetingIngresses(
  objects: readonly PlannedObject[],
  production: ReadonlySet<string>,
): { objects: PlannedObject[]; leftOut: LeftOutIngress[] } {
  const leftOut: LeftOutIngress[] = [];
  const kept = objects.filter(planned => {
    if (!isIngress(planned)) return true;
    const { hosts, catchAll } = hostsOf(planned.object);
    const taken = hosts.filter(host => production.has(host));
    const reason = catchAll
      ? 'it answers for every host'
      : taken.length > 0
        ? `host ${taken.join(', ')} ${taken.length > 1 ? 'are production hosts' : 'is a production host'}`
        : undefined;
    if (!reason) return true;
    leftOut.push({ name: planned.object.metadata.name ?? '', hosts, reason, catchAll });
    return false;
  });
  return { objects: kept, leftOut };
}

function hostsOf(object: KubeObject): { hosts: string[]; catchAll: boolean } {
  const spec = (object.spec ?? {}) as IngressSpec;
  const rules = spec.rules ?? [];
  const hosts = new Set<string>();
  for (const rule of rules) if (rule.host) hosts.add(rule.host);
  for (const tls of spec.tls ?? []) for (const host of tls.hosts ?? []) hosts.add(host);
  const catchAll =
    rules.some(rule => !rule.host) || (rules.length === 0 && spec.defaultBackend !== undefined);
  return { hosts: [...hosts].sort(), catchAll };
}
