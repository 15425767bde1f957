import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';

/** Labels every object a volume operation creates carries, so it can be found and removed. */
export const OPERATION_LABEL = 'kube-backup.io/operation';
export const ROLE_LABEL = 'kube-backup.io/role';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kube-backup';

/** What an object is to the operation that made it. */
export type OperationRole = 'mover' | 'credentials' | 'volume-snapshot' | 'clone' | 'lease';

/** How long a lease stays valid without renewal, and how often it is renewed. */
export const LEASE_DURATION_SECONDS = 60;
const RENEW_MS = 15_000;

/**
 * One backup, restore or hydration as the cluster sees it: an id its objects are labelled
 * with, and in every namespace it works in a Lease it renews while it runs. Whoever finds
 * labelled objects whose Lease has expired, or whose holder on this host no longer runs,
 * may remove them (see removeLeftovers).
 */
export class VolumeOperation {
  readonly id = randomBytes(6).toString('hex');
  readonly holder = `${hostname()}/${process.pid}`;
  private readonly leases = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly client: KubeClient) {}

  labels(role: OperationRole): Record<string, string> {
    return { [MANAGED_BY_LABEL]: MANAGED_BY, [OPERATION_LABEL]: this.id, [ROLE_LABEL]: role };
  }

  /** The name objects of this operation start with. */
  get prefix(): string {
    return `kube-backup-${this.id}`;
  }

  /** Takes the operation's Lease in a namespace (once); call before creating anything there. */
  enter(namespace: string): Promise<void> {
    let lease = this.leases.get(namespace);
    if (!lease) {
      lease = this.createLease(namespace);
      lease.catch(() => this.leases.delete(namespace));
      this.leases.set(namespace, lease);
      this.timer ??= setInterval(() => void this.renew(), RENEW_MS).unref();
    }
    return lease;
  }

  /** Stops renewing and removes the Leases; the operation's objects must be gone first. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const namespaces = [...this.leases.keys()];
    this.leases.clear();
    await Promise.allSettled(
      namespaces.map(namespace =>
        this.client.request({ method: 'DELETE', path: this.leasePath(namespace) }),
      ),
    );
  }

  private async createLease(namespace: string): Promise<void> {
    const now = microTime(new Date());
    await this.client.request({
      method: 'POST',
      path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.prefix, namespace, labels: this.labels('lease') },
        spec: {
          holderIdentity: this.holder,
          leaseDurationSeconds: LEASE_DURATION_SECONDS,
          acquireTime: now,
          renewTime: now,
        },
      },
    });
  }

  private async renew(): Promise<void> {
    const renewTime = microTime(new Date());
    await Promise.allSettled(
      [...this.leases.keys()].map(namespace =>
        this.client
          .request({
            method: 'PATCH',
            path: this.leasePath(namespace),
            contentType: 'application/merge-patch+json',
            body: { spec: { renewTime } },
          })
          .catch(error => {
            if (!(error instanceof KubeApiError)) throw error;
          }),
      ),
    );
  }

  private leasePath(namespace: string): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases/${this.prefix}`;
  }
}

/** Kubernetes' MicroTime: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
