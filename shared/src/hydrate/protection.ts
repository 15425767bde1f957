import { PROTECTED_LABEL } from '../capture/annotations';
import type { ClusterConnection } from '../cluster/connect';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import type { KubeObject, Snapshot } from '../snapshot/types';

/**
 * Refuses a target that must never be hydrated into: a namespace labelled
 * `kube-backup.io/protected=true`, or the snapshot's own source namespace in its own
 * cluster (unless allowed). Runs before any write, namespace creation included. Returns
 * the live namespace, or undefined when it does not exist yet.
 */
export async function checkHydrationTarget(
  connection: ClusterConnection,
  snapshot: Snapshot,
  sourceNamespace: string,
  targetNamespace: string,
  allowSource: boolean,
  protectedNamespaces: readonly string[] = [],
): Promise<KubeObject | undefined> {
  if (protectedNamespaces.includes(targetNamespace)) {
    throw new UserError(
      'protected-namespace',
      `refusing to hydrate into "${targetNamespace}": the namespace is protected by configuration`,
    );
  }
  const sameCluster = sameServer(connection.server, snapshot.cluster.server);
  if (sameCluster && targetNamespace === sourceNamespace && !allowSource) {
    throw new UserError(
      'protected-namespace',
      `refusing to hydrate into "${targetNamespace}": it is the source namespace of snapshot ${snapshot.id.slice(0, 8)} in this cluster (pass --allow-source if you really mean it)`,
    );
  }
  let live: KubeObject | undefined;
  try {
    live = await connection.client.request<KubeObject>({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(targetNamespace)}`,
    });
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 404) throw error;
  }
  if (live?.metadata.labels?.[PROTECTED_LABEL] === 'true') {
    throw new UserError(
      'protected-namespace',
      `refusing to hydrate into "${targetNamespace}": the namespace is protected (label ${PROTECTED_LABEL}=true)`,
    );
  }
  return live;
}

function sameServer(a: string, b: string): boolean {
  const normalise = (url: string) => url.replace(/\/+$/, '').toLowerCase();
  return normalise(a) === normalise(b);
}
