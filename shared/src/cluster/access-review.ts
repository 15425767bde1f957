import type { KubeClient } from './kube-client';
import { KubeApiError } from './kube-api-error';
import { mapConcurrent } from '../util/limiter';

/** One thing to ask: may the caller `verb` `resource` (of `group`) in `namespace`? */
export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  /** Absent for cluster-scoped resources. */
  namespace?: string;
}

export type AccessAnswer =
  | { answered: true; denied: AccessCheck[] }
  /** The server did not answer (access reviews not served, or not allowed): `reason` says why. */
  | { answered: false; reason: string };

/**
 * Asks the API server which of these the connection's credentials may not do, one
 * SelfSubjectAccessReview each (what `kubectl auth can-i` sends), concurrently.
 */
export async function reviewAccess(
  client: KubeClient,
  checks: readonly AccessCheck[],
): Promise<AccessAnswer> {
  try {
    const allowed = await mapConcurrent(checks, client.concurrency, async check => {
      const review = await client.request<{ status?: { allowed?: boolean } }>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { ...check } },
        },
      });
      return review.status?.allowed === true;
    });
    return { answered: true, denied: checks.filter((_, index) => !allowed[index]) };
  } catch (error) {
    if (error instanceof KubeApiError && [403, 404, 405].includes(error.status)) {
      return { answered: false, reason: error.message };
    }
    throw error;
  }
}

/** Who the API server takes the caller to be (a SelfSubjectReview), or undefined if it will not say. */
export async function reviewedUser(client: KubeClient): Promise<string | undefined> {
  try {
    const review = await client.request<{ status?: { userInfo?: { username?: string } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return review.status?.userInfo?.username;
  } catch (error) {
    if (error instanceof KubeApiError) return undefined;
    throw error;
  }
}
