import type { ClusterConnection } from '../cluster/connect';
import { podTemplateOf } from '../kubernetes-objects/pod-template';
import type { KubeObject } from '../snapshot/types';

/**
 * The node a running pod mounting a claim is on: a mover writing into a ReadWriteOnce
 * claim in use must run there.
 */
export async function nodeUsingClaim(
  connection: ClusterConnection,
  namespace: string,
  claim: string,
): Promise<string | undefined> {
  const pods = await connection.client.request<{ items?: KubeObject[] }>({
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
  });
  for (const pod of pods.items ?? []) {
    const mounts = (podTemplateOf(pod)?.spec.volumes ?? []).some(
      volume => volume.persistentVolumeClaim?.claimName === claim,
    );
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (mounts && node && (pod.status as { phase?: string } | undefined)?.phase === 'Running')
      return node;
  }
  return undefined;
}
