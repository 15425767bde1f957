import { HYDRATED_FROM_LABEL } from '../capture/annotations';
import { controllerOf } from '../kubernetes-objects/inventory';
import { isCapturableType, isSkippedObject } from '../capture/skip-rules';
import type { ClusterConnection } from '../cluster/connect';
import { KubeApiError } from '../cluster/kube-api-error';
import { mapConcurrent } from '../util/limiter';
import { listObjects } from '../cluster/list-objects';
import { qualifiedResourceName, type ResourceType } from '../cluster/resource-types';
import { UserError } from '../errors';
import {
  DEFAULT_PROTECTED_NAMESPACES,
  isLabelledProtected,
  isProtectedNamespace,
  PROTECTED_LABEL_SELECTOR,
} from '../protection/protected-namespaces';
import { abbreviateList } from '../restore/object-label';
import type { SafetyOverride } from '../restore/types';
import type { KubeObject, Snapshot } from '../snapshot/types';

export interface HydrationTarget {
  snapshot: Snapshot;
  sourceNamespace: string;
  targetNamespace: string;
  /** Refused always: the caller's own policy (a portal's `prod-*`). */
  protectedNamespaces: readonly string[];
  /** Allowed despite the default protection; each use becomes an override in the report. */
  allowNamespaces: readonly string[];
  /** Allowed only for the snapshot's source namespace (the older, narrower allowance). */
  allowSource: boolean;
  /** The target's types, to look for objects of its own. */
  types: readonly ResourceType[];
}

/** Types whose objects the cluster makes for others, never a sign that someone uses the namespace. */
const DERIVED_TYPES = new Set(['endpoints', 'endpointslices.discovery.k8s.io']);

/**
 * Refuses, before anything is written (the namespace included), a target a hydration must
 * not fill: one matching the caller's protected patterns (always), and by default a
 * system namespace, one labelled `kube-backup.io/protected=true`, and, in the snapshot's
 * own cluster, its source namespace or any namespace holding objects no hydration wrote
 * (production, or a developer's own work). `allowNamespaces` lifts the default refusals
 * for the namespaces it names; each lifted refusal is returned as an override. Returns
 * the live namespace too (null when absent, undefined when it cannot be read).
 */
export async function checkHydrationTarget(
  connection: ClusterConnection,
  target: HydrationTarget,
): Promise<{ live: KubeObject | null | undefined; overrides: SafetyOverride[] }> {
  const { snapshot, sourceNamespace, targetNamespace: namespace } = target;
  const configured = target.protectedNamespaces.find(pattern =>
    isProtectedNamespace(namespace, [pattern]),
  );
  if (configured !== undefined) {
    throw new UserError(
      'protected-namespace',
      `refusing to hydrate into "${namespace}": it matches the protected namespace pattern "${configured}" of this configuration`,
    );
  }
  const live = await liveNamespace(connection, namespace);
  const sameCluster = sameServer(connection.server, snapshot.cluster.server);
  const reasons: Array<{ reason: string; allowedBySource?: boolean }> = [];
  if (isProtectedNamespace(namespace)) {
    reasons.push({
      reason: `it is a system namespace (${DEFAULT_PROTECTED_NAMESPACES.join(', ')} are protected by default)`,
    });
  }
  if (isLabelledProtected(live)) {
    reasons.push({ reason: `the namespace is protected (label ${PROTECTED_LABEL_SELECTOR})` });
  }
  if (sameCluster && namespace === sourceNamespace) {
    reasons.push({
      reason: `it is the source namespace of snapshot ${snapshot.id.slice(0, 8)} in this cluster`,
      allowedBySource: true,
    });
  }
  if (sameCluster && live) {
    const own = await objectsNotHydrated(connection, target.types, namespace);
    if (own.length > 0) {
      reasons.push({
        reason: `it holds objects not written by a hydration (${abbreviateList(own)}) in the snapshot's source cluster`,
        allowedBySource: namespace === sourceNamespace,
      });
    }
  }
  const allowed = target.allowNamespaces.includes(namespace);
  const refused = reasons.filter(
    ({ allowedBySource }) => !allowed && !(allowedBySource && target.allowSource),
  );
  if (refused.length > 0) {
    throw new UserError(
      'protected-namespace',
      `refusing to hydrate into "${namespace}": ${refused.map(({ reason }) => reason).join('; ')}`,
      { namespace },
    );
  }
  return {
    live,
    overrides: reasons.map(({ reason }) => ({
      check: 'protected-namespace',
      subject: namespace,
      reason,
    })),
  };
}

async function liveNamespace(
  connection: ClusterConnection,
  namespace: string,
): Promise<KubeObject | null | undefined> {
  try {
    return await connection.client.request<KubeObject>({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
    });
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    if (error.status === 404) return null;
    if (error.status === 403) return undefined;
    throw error;
  }
}

/**
 * The objects in a namespace that carry no hydrated-from label, leaving out what the
 * cluster makes by itself: controller-owned children, Endpoints, the `default`
 * ServiceAccount, the CA bundle and token Secrets. As `Kind name`.
 */
async function objectsNotHydrated(
  connection: ClusterConnection,
  types: readonly ResourceType[],
  namespace: string,
): Promise<string[]> {
  const listable = types.filter(
    type =>
      type.namespaced && isCapturableType(type) && !DERIVED_TYPES.has(qualifiedResourceName(type)),
  );
  const found = await mapConcurrent(listable, connection.client.concurrency, async type => {
    try {
      const objects = await listObjects(connection.client, type, {
        namespace,
        labelSelector: `!${HYDRATED_FROM_LABEL}`,
      });
      return objects
        .filter(
          object =>
            !controllerOf(object) &&
            !isSkippedObject(object) &&
            !(
              type.group === '' &&
              type.kind === 'ServiceAccount' &&
              object.metadata.name === 'default'
            ),
        )
        .map(object => `${type.kind} ${object.metadata.name}`);
    } catch (error) {
      // A type the credentials may not list cannot be judged; the write would fail anyway.
      if (error instanceof KubeApiError && error.status === 403) return [];
      throw error;
    }
  });
  return found.flat().sort();
}

function sameServer(a: string, b: string): boolean {
  const normalise = (url: string) => url.replace(/\/+$/, '').toLowerCase();
  return normalise(a) === normalise(b);
}
