import type { KubeObject } from '../snapshot/types';
import { sanitizeObject } from './sanitize';

const base = (kind: string, apiVersion: string, extra: Record<string, unknown>): KubeObject => ({
  apiVersion,
  kind,
  metadata: {
    name: 'x',
    namespace: 'shop',
    uid: 'u1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kubectl' }],
    ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'y', uid: 'u0' }],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
    labels: { app: 'web' },
  },
  status: { phase: 'Running' },
  ...extra,
});

describe('sanitising captured objects', () => {
  it('drops server-set metadata and status but keeps what the user wrote', () => {
    const clean = sanitizeObject(base('ConfigMap', 'v1', { data: { a: '1' } }));
    expect(clean).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        namespace: 'shop',
        annotations: { keep: 'me' },
        labels: { app: 'web' },
      },
      data: { a: '1' },
    });
  });

  it('keeps unknown fields of custom resources verbatim', () => {
    const clean = sanitizeObject(
      base('Database', 'example.io/v1', {
        spec: { size: '10Gi', port: 5432, extra: { anything: [1, 'two'] } },
      }),
    );
    expect(clean.spec).toEqual({ size: '10Gi', port: 5432, extra: { anything: [1, 'two'] } });
  });

  it('removes allocated cluster IPs and node ports, keeping headless services headless', () => {
    const service = sanitizeObject(
      base('Service', 'v1', {
        spec: {
          clusterIP: '10.0.0.1',
          clusterIPs: ['10.0.0.1'],
          ports: [{ port: 80, nodePort: 30080 }],
        },
      }),
    );
    expect(service.spec).toEqual({ ports: [{ port: 80 }] });
    const headless = sanitizeObject(
      base('Service', 'v1', { spec: { clusterIP: 'None', clusterIPs: ['None'] } }),
    );
    expect(headless.spec).toEqual({ clusterIP: 'None', clusterIPs: ['None'] });
  });

  it('frees a volume from its old claim and a job from its old selector', () => {
    expect(
      sanitizeObject(
        base('PersistentVolume', 'v1', {
          spec: { claimRef: { name: 'c', uid: 'u' }, capacity: { storage: '1Gi' } },
        }),
      ).spec,
    ).toEqual({ capacity: { storage: '1Gi' } });
    const job = sanitizeObject(
      base('Job', 'batch/v1', {
        spec: {
          selector: { matchLabels: { 'controller-uid': 'u' } },
          template: {
            metadata: {
              labels: {
                'controller-uid': 'u',
                'batch.kubernetes.io/controller-uid': 'u',
                app: 'j',
              },
            },
          },
        },
      }),
    );
    expect(job.spec).toEqual({ template: { metadata: { labels: { app: 'j' } } } });
  });

  it('does not change the object it was given', () => {
    const original = base('ConfigMap', 'v1', {});
    sanitizeObject(original);
    expect(original.metadata.uid).toBe('u1');
  });
});
