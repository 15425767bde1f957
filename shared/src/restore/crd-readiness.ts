import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';

interface CrdStatus {
  spec?: { versions?: Array<{ name: string; served?: boolean }> };
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

export interface CrdReadiness {
  /** Served versions of each established definition. */
  established: Map<string, Set<string>>;
  /** Why a definition is not usable, by name. */
  failed: Map<string, string>;
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/**
 * Waits until each CustomResourceDefinition reports Established, polling with a growing
 * interval up to the timeout: the API server serves a new type only a moment after the
 * definition is created, and a custom resource written before then is rejected.
 */
export async function waitForCrds(
  client: KubeClient,
  names: readonly string[],
  timeoutMs: number,
  sleep: (ms: number) => Promise<void> = ms => new Promise(resolve => setTimeout(resolve, ms)),
): Promise<CrdReadiness> {
  const established = new Map<string, Set<string>>();
  const failed = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  let pending = [...new Set(names)];
  let interval = 100;
  const lastSeen = new Map<string, string>();
  for (;;) {
    const results = await Promise.all(
      pending.map(async name => {
        try {
          const crd = await client.request<CrdStatus>({
            method: 'GET',
            path: `${CRD_PATH}/${name}`,
          });
          const condition = crd.status?.conditions?.find(item => item.type === 'Established');
          if (condition?.status === 'True') {
            const versions = (crd.spec?.versions ?? [])
              .filter(version => version.served !== false)
              .map(version => version.name);
            established.set(name, new Set(versions));
            return true;
          }
          lastSeen.set(name, condition?.message ?? 'not yet Established');
        } catch (error) {
          if (!(error instanceof KubeApiError)) throw error;
          if (error.status !== 404) {
            failed.set(name, error.message);
            return true;
          }
          lastSeen.set(name, 'not found in the target cluster');
        }
        return false;
      }),
    );
    pending = pending.filter((_, index) => !results[index]);
    if (pending.length === 0) break;
    if (Date.now() >= deadline) {
      for (const name of pending) {
        failed.set(
          name,
          `CustomResourceDefinition ${name} is not Established after ${Math.round(timeoutMs / 1000)}s (${lastSeen.get(name)})`,
        );
      }
      break;
    }
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(interval * 2, 2000);
  }
  return { established, failed };
}
